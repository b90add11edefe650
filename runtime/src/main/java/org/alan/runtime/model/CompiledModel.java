package org.alan.runtime.model;

import org.alan.runtime.engine.ModelState;
import org.alan.runtime.sampling.Rng;

/**
 * What a generated model class provides to the engine: its description, guide sampling and factor kernels.
 * Generated subclasses add the typed user API ({@code data()} builders) on top.
 */
public abstract class CompiledModel {
  /** The model as data: plates, variables, groups, factors and the contraction plan. */
  public abstract ModelSpec spec();

  /**
   * Draws the K particles of every member of {@code group} at one element of the group's plate, with parent
   * particles chosen through {@link ModelState#parentIndex}. Writes into {@link ModelState#samples}.
   */
  public abstract void sampleGroup(int group, ModelState state, int element, Rng rng);

  /** A kernel for one factor, bound to the state's particles and data; used by one thread at a time. */
  public abstract FactorKernel newKernel(int factor, ModelState state);

  /**
   * Draws one value of a latent or observed variable from the model at one element of its plate, given the values
   * of the variables its distribution reads (state with K = 1: latents in {@link ModelState#samples}, observed
   * values in {@link ModelState#values}).
   */
  public abstract void simulate(int variable, ModelState state, int element, Rng rng);
}
