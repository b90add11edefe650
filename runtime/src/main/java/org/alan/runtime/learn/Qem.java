package org.alan.runtime.learn;

import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.ParamSpec;
import org.alan.runtime.model.QemSpec;
import org.alan.runtime.model.VariableSpec;
import org.alan.stdlib.Distribution;
import org.apache.commons.numbers.gamma.Digamma;

/**
 * QEM (spec section 4.3): every proposal whose arguments are all {@code qem} parameters is an exponential family;
 * each step estimates the posterior expectations of its sufficient statistics from one run (the particles
 * weighted by their exact posterior marginals), moves a running average of them by the rate {@code lr}, and
 * converts the average back to the family's parameters. All per plate element and coordinate.
 *
 * <p>A Binomial's statistic is kept as the expected fraction {@code E[x] / n} (its total count n is the support's,
 * fixed per element), and a Categorical's as the expected one-hot vector, so both are their probs directly.
 *
 * <p>The running average is kept in mean-parameter space, as the method prescribes; a Normal's (and a
 * LogNormal's) second moment is kept as a variance about the running mean, updated by the exact identity
 * {@code v' = (1-lr) v + lr v^ + lr (1-lr) (m - m^)^2}, so that a posterior far from zero and narrow (a mean of
 * 1e4 with sd 1e-4) loses no digits to {@code E[x^2] - E[x]^2}.
 */
public final class Qem {
  /** The smallest probability or rate QEM sets, so that a proposal can still reach values it has not yet seen. */
  private static final double MIN_PROBABILITY = 1e-12;

  /** The ESS above one at which a tempering stage matches an element's moments outright. */
  private static final double FULL_RATE_ESS = 4;

  private final ModelSpec spec;
  private final int[] plateCount;
  /** Per QEM latent, per statistic: {@code [element * size + coordinate]}. */
  private final double[][][] means;

  /** Mean parameters matching the parameters {@code params} currently hold. */
  public Qem(ModelSpec spec, int[] plateCount, double[][] params) {
    this.spec = spec;
    this.plateCount = plateCount.clone();
    QemSpec[] qs = spec.qem();
    means = new double[qs.length][][];
    for (int i = 0; i < qs.length; i++) {
      QemSpec q = qs[i];
      int n = params[q.params()[0]].length;
      means[i] = new double[statistics(q.family())][n];
      fromParams(q, params, means[i]);
    }
  }

  /** Whether the model has any parameter QEM fits. */
  public static boolean applies(ModelSpec spec) {
    return spec.qem().length > 0;
  }

  /** One QEM step: moment estimates from this run, running averages moved by {@code lr} (0 < lr ≤ 1). */
  public void step(Posterior run, double lr) {
    step(run, lr, false);
  }

  /**
   * One step whose rate at each plate element is {@code lr} times {@code min(1, (ESS - 1) / 4)}, with the element's
   * group ESS there ({@code essWeighted}): a tempering stage matches moments outright where they rest on a few
   * particles, but an element whose marginal rests on one (a variance estimate of zero) would get a proposal that
   * proposes one point and never recovers (MovieLens with the automatic guide at K = 30, 300 users: bound -180,000
   * against -936).
   */
  void step(Posterior run, double lr, boolean essWeighted) {
    QemSpec[] qs = spec.qem();
    for (int i = 0; i < qs.length; i++) {
      double[][] estimate = estimate(qs[i], run);
      double[][] m = means[i];
      boolean central = centralVariance(qs[i].family());
      VariableSpec var = spec.variables()[qs[i].variable()];
      double[] ess = essWeighted ? run.groupEss(var.group()) : null;
      int perElement = m[0].length / plateCount[var.plate()];
      for (int j = 0; j < m[0].length; j++) {
        double r = ess == null ? lr : lr * Math.max(0, Math.min(1, (ess[j / perElement] - 1) / FULL_RATE_ESS));
        if (central) {
          double d = m[0][j] - estimate[0][j];
          m[1][j] = (1 - r) * m[1][j] + r * estimate[1][j] + r * (1 - r) * d * d;
        }
        for (int s = 0; s < m.length; s++) {
          if (!(central && s == 1)) {
            m[s][j] = (1 - r) * m[s][j] + r * estimate[s][j];
          }
        }
      }
    }
  }

  /** Writes the parameters that the current mean parameters stand for. */
  public void writeParams(double[][] params) {
    QemSpec[] qs = spec.qem();
    for (int i = 0; i < qs.length; i++) {
      toParams(qs[i], means[i], params);
    }
  }

  /**
   * Sets the mean parameters to these estimates directly (lr = 1): used to start an automatic guide from moments
   * of the prior.
   */
  void set(int qemIndex, double[][] estimate) {
    for (int s = 0; s < estimate.length; s++) {
      System.arraycopy(estimate[s], 0, means[qemIndex][s], 0, estimate[s].length);
    }
  }

  /**
   * Moves the running mean and variance of a Normal proposal's entry (element * size + coordinate) to describe a
   * changed coordinate: its latent's decorrelation has changed (see {@link ShearFit}).
   */
  void reparameterise(int variable, int entry, double meanShift, double variance) {
    double[][] m = means[qemIndex(variable)];
    m[0][entry] += meanShift;
    m[1][entry] = variance;
  }

  /** The running mean and variance of a Normal proposal's entry. */
  double[] normal(int variable, int entry) {
    double[][] m = means[qemIndex(variable)];
    return new double[] {m[0][entry], m[1][entry]};
  }

  private int qemIndex(int variable) {
    for (int i = 0; i < spec.qem().length; i++) {
      if (spec.qem()[i].variable() == variable) {
        return i;
      }
    }
    throw new IllegalArgumentException("QEM does not fit variable " + variable);
  }

  /** The most a LogNormal proposal's log-scale location may be from 0: e^(300 + 8 * 50) is still a double. */
  static final double MAX_LOG_LOCATION = 300;
  /** The widest a LogNormal proposal may be on the log scale. */
  static final double MAX_LOG_SCALE = 50;

  static int statistics(Distribution family) {
    return switch (family) {
      case NORMAL, LOG_NORMAL, GAMMA, BETA, SCALED_BETA -> 2;
      case HALF_NORMAL, EXPONENTIAL, DIRICHLET, BERNOULLI, POISSON, BINOMIAL, CATEGORICAL -> 1;
      default -> throw new IllegalArgumentException("QEM does not fit a " + family.alanName());
    };
  }

  private static boolean centralVariance(Distribution family) {
    return family == Distribution.NORMAL || family == Distribution.LOG_NORMAL;
  }

  /** The posterior expectations of the statistics, per element and coordinate, from one run. */
  private double[][] estimate(QemSpec q, Posterior run) {
    VariableSpec var = spec.variables()[q.variable()];
    double[] w = run.groupMarginal(var.group());
    double[] z = run.state().samples[q.variable()];
    int k = run.K();
    int size = var.size();
    int count = plateCount[var.plate()];
    int categories = q.family() == Distribution.CATEGORICAL ? lastDim(q) : 1;
    double[][] out = new double[statistics(q.family())][count * size * categories];
    for (int e = 0; e < count; e++) {
      for (int c = 0; c < size; c++) {
        int base = (e * size + c) * k;
        int j = e * size + c;
        switch (q.family()) {
          case NORMAL, LOG_NORMAL -> {
            boolean log = q.family() == Distribution.LOG_NORMAL;
            double m = 0;
            for (int i = 0; i < k; i++) {
              m += w[e * k + i] * (log ? Math.log(z[base + i]) : z[base + i]);
            }
            double v = 0;
            for (int i = 0; i < k; i++) {
              double d = (log ? Math.log(z[base + i]) : z[base + i]) - m;
              v += w[e * k + i] * d * d;
            }
            out[0][j] = m;
            out[1][j] = v;
          }
          case GAMMA -> {
            for (int i = 0; i < k; i++) {
              out[0][j] += w[e * k + i] * Math.log(z[base + i]);
              out[1][j] += w[e * k + i] * z[base + i];
            }
          }
          case BETA -> {
            for (int i = 0; i < k; i++) {
              out[0][j] += w[e * k + i] * Math.log(z[base + i]);
              out[1][j] += w[e * k + i] * Math.log1p(-z[base + i]);
            }
          }
          case SCALED_BETA -> {
            // the statistics of the Beta on the unit interval the support maps to
            double low = var.supportLow();
            double width = var.supportHigh() - low;
            for (int i = 0; i < k; i++) {
              double u = (z[base + i] - low) / width;
              out[0][j] += w[e * k + i] * Math.log(u);
              out[1][j] += w[e * k + i] * Math.log1p(-u);
            }
          }
          case DIRICHLET -> {
            for (int i = 0; i < k; i++) {
              out[0][j] += w[e * k + i] * Math.log(z[base + i]);
            }
          }
          case HALF_NORMAL -> {
            for (int i = 0; i < k; i++) {
              out[0][j] += w[e * k + i] * z[base + i] * z[base + i];
            }
          }
          case BINOMIAL -> {
            double n = totalCount(var, run.state(), e, c);
            for (int i = 0; i < k; i++) {
              out[0][j] += w[e * k + i] * z[base + i];
            }
            out[0][j] = n > 0 ? out[0][j] / n : 0.5;
          }
          case CATEGORICAL -> {
            for (int i = 0; i < k; i++) {
              out[0][j * categories + (int) z[base + i]] += w[e * k + i];
            }
          }
          default -> {
            for (int i = 0; i < k; i++) {
              out[0][j] += w[e * k + i] * z[base + i];
            }
          }
        }
      }
    }
    return out;
  }

  /** Mean parameters of the distributions the parameters describe (the running averages' starting point). */
  private void fromParams(QemSpec q, double[][] params, double[][] m) {
    double[] p0 = params[q.params()[0]];
    double[] p1 = q.params().length > 1 ? params[q.params()[1]] : null;
    for (int j = 0; j < p0.length; j++) {
      switch (q.family()) {
        case NORMAL, LOG_NORMAL -> {
          m[0][j] = p0[j];
          m[1][j] = p1[j] * p1[j];
        }
        case HALF_NORMAL -> m[0][j] = p0[j] * p0[j];
        case EXPONENTIAL -> m[0][j] = 1 / p0[j];
        case GAMMA -> {
          m[0][j] = Digamma.value(p0[j]) - Math.log(p1[j]);
          m[1][j] = p0[j] / p1[j];
        }
        case BETA, SCALED_BETA -> {
          double psiSum = Digamma.value(p0[j] + p1[j]);
          m[0][j] = Digamma.value(p0[j]) - psiSum;
          m[1][j] = Digamma.value(p1[j]) - psiSum;
        }
        case DIRICHLET -> { } // needs the whole vector: below
        default -> m[0][j] = p0[j];
      }
    }
    if (q.family() == Distribution.DIRICHLET) {
      int width = lastDim(q);
      for (int b = 0; b < p0.length / width; b++) {
        double total = 0;
        for (int c = 0; c < width; c++) {
          total += p0[b * width + c];
        }
        double psiSum = Digamma.value(total);
        for (int c = 0; c < width; c++) {
          m[0][b * width + c] = Digamma.value(p0[b * width + c]) - psiSum;
        }
      }
    }
  }

  private void toParams(QemSpec q, double[][] m, double[][] params) {
    double[] p0 = params[q.params()[0]];
    double[] p1 = q.params().length > 1 ? params[q.params()[1]] : null;
    switch (q.family()) {
      case DIRICHLET -> {
        int width = lastDim(q);
        for (int b = 0; b < p0.length / width; b++) {
          MeanToNatural.dirichlet(m[0], b * width, width, p0, b * width);
        }
        return;
      }
      case CATEGORICAL -> {
        // every category keeps a little probability, so that the proposal can still reach it
        int width = lastDim(q);
        for (int b = 0; b < p0.length / width; b++) {
          double total = 0;
          for (int c = 0; c < width; c++) {
            total += Math.max(MIN_PROBABILITY, m[0][b * width + c]);
          }
          for (int c = 0; c < width; c++) {
            p0[b * width + c] = Math.max(MIN_PROBABILITY, m[0][b * width + c]) / total;
          }
        }
        return;
      }
      case BETA, SCALED_BETA -> {
        double[] pair = new double[2];
        double[] alpha = new double[2];
        for (int j = 0; j < p0.length; j++) {
          pair[0] = m[0][j];
          pair[1] = m[1][j];
          MeanToNatural.dirichlet(pair, 0, 2, alpha, 0);
          p0[j] = alpha[0];
          p1[j] = alpha[1];
        }
        return;
      }
      default -> { }
    }
    for (int j = 0; j < p0.length; j++) {
      switch (q.family()) {
        case NORMAL -> {
          p0[j] = m[0][j];
          p1[j] = Math.sqrt(Math.max(m[1][j], Double.MIN_NORMAL));
        }
        case LOG_NORMAL -> {
          // a prior nearly flat in log x (Gamma(0.001, 0.001)) would draw the moments off to where exp under- or
          // overflows; within these bounds every particle up to 8 sd out is a finite positive double
          p0[j] = Math.max(-MAX_LOG_LOCATION, Math.min(MAX_LOG_LOCATION, m[0][j]));
          p1[j] = Math.min(MAX_LOG_SCALE, Math.sqrt(Math.max(m[1][j], Double.MIN_NORMAL)));
        }
        case HALF_NORMAL -> p0[j] = Math.sqrt(Math.max(m[0][j], Double.MIN_NORMAL));
        case EXPONENTIAL -> p0[j] = 1 / Math.max(m[0][j], Double.MIN_NORMAL);
        case GAMMA -> {
          double shape = MeanToNatural.gammaShape(m[0][j], m[1][j]);
          p0[j] = shape;
          p1[j] = shape / m[1][j];
        }
        case BERNOULLI, BINOMIAL -> p0[j] = Math.min(1 - MIN_PROBABILITY, Math.max(MIN_PROBABILITY, m[0][j]));
        case POISSON -> p0[j] = Math.max(MIN_PROBABILITY, m[0][j]);
        default -> throw new IllegalStateException(q.family().toString());
      }
    }
  }

  /** The total count of a Binomial latent at an element and coordinate: the support's constant or input. */
  private double totalCount(VariableSpec var, ModelState state, int element, int coordinate) {
    if (!Double.isNaN(var.supportHigh())) {
      return var.supportHigh();
    }
    if (var.supportBoundInput() < 0) {
      throw new IllegalStateException("compiler bug: the QEM Binomial '" + var.name() + "' has no known total count");
    }
    VariableSpec bound = spec.variables()[var.supportBoundInput()];
    int at = state.ancestorElement(var.plate(), element, bound.plate());
    return state.values[var.supportBoundInput()][at * bound.size() + (bound.size() == 1 ? 0 : coordinate)];
  }

  private int lastDim(QemSpec q) {
    ParamSpec p = spec.params()[q.params()[0]];
    return p.shape()[p.shape().length - 1];
  }
}
