package org.alan.runtime.plan;

/**
 * One elimination: {@code out[rest] = log sum over sum-dims of exp(sum of inputs)}, per plate element.
 *
 * @param sum the dimensions eliminated, a prefix of every input's layout
 * @param rest the output's dimensions
 */
public record Step(TensorRef[] inputs, int[] sum, int[] rest) {}
