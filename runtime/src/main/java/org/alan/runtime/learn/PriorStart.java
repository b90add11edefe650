package org.alan.runtime.learn;

import java.util.Arrays;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Simulator;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.QemSpec;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.sampling.Rng;

/**
 * Starts the automatic proposals at the prior (a guide's own qem parameters keep their initial values): draws the
 * latents from the model a number of times (with the data's inputs and plate sizes) and matches each proposal's
 * sufficient statistics to those draws, per element and coordinate. At temperature 0 the target is the prior, so the first tempered runs have usable weights.
 *
 * <p>A Normal (or LogNormal, on the log scale) is matched robustly, by the median and the interquartile range,
 * so that a heavy-tailed prior (a Cauchy, a HalfCauchy) does not give the proposal a scale set by one outlier.
 */
final class PriorStart {
  private static final long PURPOSE_PRIOR_START = 6;
  /**
   * The widest start of a LogNormal proposal on the log scale, e^(40 +- 5 sd): tempering moves it from there (QEM
   * keeps it within {@link Qem#MAX_LOG_LOCATION} and {@link Qem#MAX_LOG_SCALE} after).
   */
  private static final double START_LOG_LOCATION = 40;
  private static final double START_LOG_SCALE = 5;
  /** 1.349 standard deviations of a Normal lie between its quartiles. */
  private static final double IQR_PER_SD = 1.3489795003921634;

  private PriorStart() {}

  static void apply(CompiledModel model, BoundData data, int draws, long seed, Qem qem) {
    ModelSpec spec = model.spec();
    ModelState state = Simulator.drawingState(spec, data);
    int[] count = state.plateCount;
    double[][][] drawn = new double[spec.variables().length][][];
    for (QemSpec q : spec.qem()) {
      if (q.automatic() && !keepsInitialValue(q)) {
        drawn[q.variable()] = new double[state.samples[q.variable()].length][draws];
      }
    }
    for (int d = 0; d < draws; d++) {
      for (int v : spec.priorOrder()) {
        VariableSpec var = spec.variables()[v];
        for (int e = 0; e < count[var.plate()]; e++) {
          model.simulate(v, state, e, Rng.stream(seed, PURPOSE_PRIOR_START, d, v, e));
        }
        if (drawn[v] != null) {
          for (int j = 0; j < drawn[v].length; j++) {
            drawn[v][j][d] = state.samples[v][j];
          }
        }
      }
    }
    QemSpec[] qs = spec.qem();
    for (int i = 0; i < qs.length; i++) {
      if (qs[i].automatic() && !keepsInitialValue(qs[i])) {
        qem.set(i, statistics(qs[i], spec.variables()[qs[i].variable()], drawn[qs[i].variable()]));
      }
    }
  }

  /**
   * A Binomial (probs 1/2) and a Categorical (uniform) keep their initial values: both already cover their whole
   * support, and the first tempering stage matches them to the prior.
   */
  private static boolean keepsInitialValue(QemSpec q) {
    return q.family() == org.alan.stdlib.Distribution.BINOMIAL || q.family() == org.alan.stdlib.Distribution.CATEGORICAL;
  }

  /** The statistics QEM keeps for this family, estimated from equally weighted draws per entry. */
  private static double[][] statistics(QemSpec q, VariableSpec var, double[][] draws) {
    int n = draws.length;
    double[][] out = new double[Qem.statistics(q.family())][n];
    for (int j = 0; j < n; j++) {
      double[] x = finite(draws[j]);
      switch (q.family()) {
        case NORMAL, LOG_NORMAL -> {
          if (q.family() == org.alan.stdlib.Distribution.LOG_NORMAL) {
            for (int i = 0; i < x.length; i++) {
              x[i] = Math.log(x[i]);
            }
            x = finite(x); // a draw of exactly 0 has no log
          }
          Arrays.sort(x);
          double sd = (quantile(x, 0.75) - quantile(x, 0.25)) / IQR_PER_SD;
          out[0][j] = quantile(x, 0.5);
          out[1][j] = sd > 0 ? sd * sd : 1;
          if (q.family() == org.alan.stdlib.Distribution.LOG_NORMAL) {
            // a prior spread over hundreds of orders of magnitude (BUGS's Gamma(0.001, 0.001) on a precision)
            // would give particles that overflow or underflow to 0; tempering reaches the posterior from here
            out[0][j] = Math.max(-START_LOG_LOCATION, Math.min(START_LOG_LOCATION, out[0][j]));
            out[1][j] = Math.min(out[1][j], START_LOG_SCALE * START_LOG_SCALE);
          }
        }
        case GAMMA -> {
          out[0][j] = mean(x, Math::log);
          out[1][j] = mean(x, t -> t);
        }
        case BETA -> {
          out[0][j] = mean(x, Math::log);
          out[1][j] = mean(x, t -> Math.log1p(-t));
        }
        case SCALED_BETA -> {
          double low = var.supportLow();
          double width = var.supportHigh() - low;
          out[0][j] = mean(x, t -> Math.log((t - low) / width));
          out[1][j] = mean(x, t -> Math.log1p(-(t - low) / width));
        }
        case DIRICHLET -> out[0][j] = mean(x, Math::log);
        case HALF_NORMAL -> out[0][j] = mean(x, t -> t * t);
        default -> out[0][j] = mean(x, t -> t);
      }
    }
    return out;
  }

  private static double[] finite(double[] x) {
    return Arrays.stream(x).filter(Double::isFinite).toArray();
  }

  private static double mean(double[] x, java.util.function.DoubleUnaryOperator f) {
    double s = 0;
    int n = 0;
    for (double v : x) {
      double t = f.applyAsDouble(v);
      if (Double.isFinite(t)) {
        s += t;
        n++;
      }
    }
    return n > 0 ? s / n : 0;
  }

  private static double quantile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
