package org.alan.runtime.model;

/**
 * A log factor evaluated per element of its plate.
 *
 * @param group the latent group it belongs to, or -1 for an observed variable
 * @param dims its K dimensions in the plan's canonical order
 * @param flopsPerEntry a rough count of floating-point operations per entry, for cost estimates
 * @param readsParams whether its log density reads a parameter (else its gradient with the particles fixed is 0)
 */
public record FactorSpec(String name, int plate, int group, int[] dims, double flopsPerEntry, boolean readsParams) {}
