package org.alan.runtime.learn;

import java.util.List;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.ParamSpec;

/**
 * A fitted guide: its parameters, the bound at every iteration, and whether the stopping rule ended the fit.
 *
 * @param plateSize the plate sizes of the data it was fitted to (parameters are per plate element)
 * @param params {@code [param][element * size + coordinate]}, in the model's parameter order
 * @param trace the bound (the estimate of log p(data) from that iteration's run) per iteration at the posterior
 * @param converged whether the bound stopped rising before the iterations ran out
 * @param temperingStages the stages that annealed the automatic guide from the prior (0 for other guides)
 * @param modeSteps the optimiser's iterations when the automatic guide started at a Laplace approximation instead
 *     (0 otherwise)
 */
public record FitResult(ModelSpec spec, int[] plateSize, double[][] params, List<Iteration> trace, boolean converged,
    int temperingStages, int modeSteps) {
  public FitResult {
    plateSize = plateSize.clone();
    params = Fitter.copy(params);
    trace = List.copyOf(trace);
  }

  /** One iteration: its number (from 1), the seconds since the fit began, and the bound. */
  public record Iteration(int iteration, double seconds, double bound) {}

  /** The values of one parameter, {@code [element * size + coordinate]}. */
  public double[] param(String name) {
    ParamSpec[] ps = spec.params();
    for (int i = 0; i < ps.length; i++) {
      if (ps[i].name().equals(name)) {
        return params[i].clone();
      }
    }
    throw new IllegalArgumentException("model " + spec.name() + " has no guide parameter '" + name + "'");
  }

  /** The bound of the last iteration, or NaN when there was none. */
  public double finalBound() {
    return trace.isEmpty() ? Double.NaN : trace.get(trace.size() - 1).bound();
  }

  /** The parameters, as a copy to run with. */
  public double[][] paramsCopy() {
    return Fitter.copy(params);
  }
}
