package org.alan.runtime.model;

/**
 * A plate. Plate 0 is the top level.
 *
 * @param fixedSize the size written in the source, or 0 when it is read from the data
 */
public record PlateSpec(String name, int parent, int fixedSize) {}
