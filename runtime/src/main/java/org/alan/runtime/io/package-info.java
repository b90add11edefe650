/**
 * Data in and results out: reading JSON data (variable name to nested arrays, outermost plate first), binding
 * and validating it against a model before any computation, and writing summaries (table, JSON) and draws
 * (Stan-style CSV).
 */
package org.alan.runtime.io;
