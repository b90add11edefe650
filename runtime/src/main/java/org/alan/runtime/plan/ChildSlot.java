package org.alan.runtime.plan;

/** A tensor a plate receives from a child plate: final output {@code finalIndex} of {@code childPlate}, summed. */
public record ChildSlot(int childPlate, int finalIndex, int[] dims) {}
