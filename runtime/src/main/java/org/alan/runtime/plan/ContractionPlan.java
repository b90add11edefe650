package org.alan.runtime.plan;

/**
 * The whole plan.
 *
 * @param plates one plan per plate, indexed by plate id (0 is the top level)
 * @param bottomUp plate ids with every plate after all of its children (the forward pass order)
 * @param factorDims each factor's dimensions, in canonical order
 */
public record ContractionPlan(PlatePlan[] plates, int[] bottomUp, int[][] factorDims) {}
