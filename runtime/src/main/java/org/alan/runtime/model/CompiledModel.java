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
   * The doubles one worker's kernel of {@code factor} allocates at {@code k} particles per group (materialised
   * subexpressions), for the engine's memory estimate; 0 in jars compiled before it was generated.
   */
  public double kernelWorkspace(int factor, int k) {
    return 0;
  }

  /**
   * Draws one value of a latent or observed variable from the model at one element of its plate, given the values
   * of the variables its distribution reads (state with K = 1: latents in {@link ModelState#samples}, observed
   * values in {@link ModelState#values}).
   */
  public abstract void simulate(int variable, ModelState state, int element, Rng rng);

  /**
   * Evaluates derived quantity {@code derived} ({@link ModelSpec#derived}) at one element of its plate into
   * {@code out[offset ...]} (its event entries), from a state with K = 1 holding one joint draw of the latents.
   */
  public abstract void derive(int derived, ModelState state, int element, double[] out, int offset);

  /**
   * Evaluates what computed input {@code transform} ({@link ModelSpec#transforms}, a lag or a running sum) is taken
   * of, at one element of its plate, into {@code out[offset ...]}, from a state holding the bound data.
   */
  public void computeInputSource(int transform, ModelState state, int element, double[] out, int offset) {
    throw new UnsupportedOperationException("model " + spec().name() + " computes no input " + transform);
  }

  /**
   * A gradient of one factor (VI and RWS), bound to the state; used by one thread at a time. With
   * {@code fixedParticles} it differentiates with respect to the parameters only and leaves the particle gradients
   * alone (they may be null).
   */
  public abstract FactorGradient newGradient(int factor, ModelState state, boolean fixedParticles);

  /**
   * VI's pathwise gradient through the guide's sampler: adds {@code gz * dz/d(argument)}, chained to the
   * parameters, into {@code gq} for every particle of {@code group} at one element of its plate (and into the
   * {@code gz} of earlier members that later members' proposals read).
   */
  public abstract void reparameterise(int group, ModelState state, int element, double[][] gz, double[][] gq);

  /** Why this model's gradients cannot be computed (VI and RWS are refused), or null. */
  public abstract String gradientProblem();

  /** Why VI's pathwise gradient cannot be computed (VI is refused; RWS may still run), or null. */
  public abstract String reparameterisationProblem();
}
