package org.alan.runtime.model;

/**
 * A plate. Plate 0 is the top level.
 *
 * @param parent the plate the engine nests it in: for a plate grouped by an index input, the plate the index
 *     points into (its elements are the rows of each element of that plate, as many as the data give)
 * @param fixedSize the size written in the source, or 0 when it is read from the data
 * @param indexInput for a plate of rows grouped by an index input ({@code input county : counties;}), that
 *     input's variable id; -1 otherwise
 * @param indexBase the value of the index that names the first element of the plate it points into (1, as in
 *     Stan, unless the declaration says otherwise)
 * @param ragged whether it is {@code plate NAME(ragged)} inside its parent: its data are nested arrays of unequal
 *     lengths, from which the data binder makes the hidden index {@code indexInput} (the rows are then grouped
 *     exactly as an index input's)
 */
public record PlateSpec(String name, int parent, int fixedSize, int indexInput, int indexBase, boolean ragged) {
  public PlateSpec(String name, int parent, int fixedSize) {
    this(name, parent, fixedSize, -1, 1, false);
  }

  public PlateSpec(String name, int parent, int fixedSize, int indexInput, int indexBase) {
    this(name, parent, fixedSize, indexInput, indexBase, false);
  }

  /** Whether its elements are rows grouped by an index input into the elements of {@link #parent}. */
  public boolean grouped() {
    return indexInput >= 0;
  }
}
