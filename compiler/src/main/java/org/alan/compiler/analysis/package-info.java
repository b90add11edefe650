/**
 * Read-only analyses of the model IR: the factor graph (one log factor per latent group and per observed
 * variable, with its K dimensions) and the contraction planner (elimination order and cost per plate).
 */
package org.alan.compiler.analysis;
