package org.alan.runtime.plan;

/**
 * What a plate element hands to its parent: the sum of tensors that no longer carry any of the plate's own
 * dimensions. The parent receives it summed over the plate's elements.
 */
public record FinalOutput(TensorRef[] inputs, int[] dims) {}
