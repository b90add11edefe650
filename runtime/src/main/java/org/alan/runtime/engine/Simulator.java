package org.alan.runtime.engine;

import java.util.Map;
import org.alan.runtime.io.Array;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.io.DataBinder;
import org.alan.runtime.io.DataSet;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableKind;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.sampling.Rng;

/**
 * Draws every latent and observed variable from the model (ancestral sampling, each variable after the ones its
 * distribution reads), given the inputs: fake data for checking that inference recovers known values, and
 * prior predictive checks.
 */
public final class Simulator {
  private static final long PURPOSE_SIMULATE = 4;

  private Simulator() {}

  /**
   * One draw from the model.
   *
   * @param data the inputs (observed values in it are ignored)
   * @param sizes sizes of plates no input spans, by plate name
   * @return the inputs with the observed variables drawn, and the latent values that produced them
   */
  public static Simulation run(CompiledModel model, DataSet data, Map<String, Integer> sizes, long seed) {
    ModelSpec spec = model.spec();
    if (spec.hasTargetTerms()) {
      throw new InferenceException("model " + spec.name() + " cannot be simulated: its target += terms add to its"
          + " density, which drawing each variable from its distribution would leave out");
    }
    if (!spec.improperLatents().isEmpty()) {
      throw new InferenceException("model " + spec.name() + " cannot be simulated: the improper prior of "
          + String.join(", ", spec.improperLatents()) + " has no draws (give them proper priors to simulate)");
    }
    for (org.alan.runtime.model.TransformSpec t : spec.transforms()) {
      if (t.readsObserved()) {
        throw new InferenceException("model " + spec.name() + " cannot be simulated: '" + t.text() + "' ("
            + spec.sourceName() + ":" + t.line() + ") is computed from observed data, which simulating draws");
      }
    }
    BoundData bound = DataBinder.bindInputs(spec, data, sizes);
    Feasibility.verifySimulation(spec, bound.nest().counts());
    ComputedInputs.apply(model, bound, data.origin());
    ModelState state = drawingState(spec, bound);
    double[][] values = state.values;
    int[] count = state.plateCount;
    for (int v : spec.priorOrder()) {
      VariableSpec var = spec.variables()[v];
      for (int e = 0; e < count[var.plate()]; e++) {
        model.simulate(v, state, e, Rng.stream(seed, PURPOSE_SIMULATE, v, e));
      }
      double[] drawn = var.isLatent() ? state.samples[v] : values[v];
      for (int i = 0; i < drawn.length; i++) {
        if (!Double.isFinite(drawn[i])) {
          throw new InferenceException("drawing '" + var.name() + "' from the model gave "
              + InferenceException.describe(drawn[i]) + Posterior.elementLabel(spec, state, var.plate(), i / var.size())
              + ": " + InferenceException.whyNotFinite(drawn[i], "its distribution"));
        }
      }
    }
    DataSet out = new DataSet("simulated from " + spec.name());
    DataSet latents = new DataSet("latents simulated from " + spec.name());
    for (int v = 0; v < values.length; v++) {
      VariableSpec var = spec.variables()[v];
      if (spec.isHiddenInput(v)) {
        continue; // the model makes it again from the inputs
      }
      double[] drawn = var.isLatent() ? state.samples[v] : values[v];
      int twin = spec.derivedIndex(var.name());
      if (twin >= 0) {
        // a latent the automatic guide non-centres holds a standardised value: report the model's
        drawn = new double[drawn.length];
        for (int e = 0; e < count[var.plate()]; e++) {
          model.derive(twin, state, e, drawn, e * var.size());
        }
      }
      double[] flat = state.nest.userCopy(var.plate(), drawn, var.size());
      Array array = new Array(flat, spec.dims(var, bound.plateSize()), raggedRuns(spec, state, var.plate()));
      (var.isLatent() ? latents : out).put(var.name(), array);
    }
    return new Simulation(out, latents);
  }

  /** The rows of each element of a ragged plate's parent, as its data give them back; null for other plates. */
  private static int[] raggedRuns(ModelSpec spec, ModelState state, int plate) {
    if (!spec.plates()[plate].ragged()) {
      return null;
    }
    int parent = spec.plates()[plate].parent();
    int[] runs = new int[state.plateCount[parent]];
    for (int e = 0; e < runs.length; e++) {
      runs[e] = state.nest.sizeAt(plate, e);
    }
    return runs;
  }

  /**
   * A state with one particle per latent in which {@link CompiledModel#simulate} draws from the model: the
   * bound inputs, and fresh arrays for the observed variables (the bound data are left as they are).
   */
  public static ModelState drawingState(ModelSpec spec, BoundData bound) {
    double[][] values = bound.values().clone();
    int[] count = spec.plateCounts(bound.plateSize());
    for (int v = 0; v < values.length; v++) {
      VariableSpec var = spec.variables()[v];
      if (var.kind() == VariableKind.DATA) {
        values[v] = new double[count[var.plate()] * var.size()];
      }
    }
    return new ModelState(spec, 1, bound.nest(), values, ModelState.initialParams(spec, count), false);
  }

  /** The drawn data set (inputs and observed variables) and the latent values behind it. */
  public record Simulation(DataSet data, DataSet latents) {}
}
