package org.alan.runtime.learn;

import org.alan.runtime.engine.Draws;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Shear;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.ShearSpec;
import org.alan.runtime.model.VariableSpec;

/**
 * Fits the automatic guide's decorrelation ({@link ShearSpec}) beside QEM. Each step takes a run's joint posterior
 * draws, estimates for every sheared entry (element and coordinate) the mean and covariance of its parents'
 * coordinates and its model value, moves running averages of them by the QEM rate (in central form, with the exact
 * identity for the covariance of a mixture), and sets the coefficients to the regression of the model value on the
 * parents: what makes the decorrelated coordinate uncorrelated with them under the posterior, so that its
 * mean-field proposal is the conditional one. The shift is the coefficients times the parents' means, which keeps
 * the coordinate's mean at the model value's.
 *
 * <p>The decorrelated coordinate changes with the coefficients: QEM's running moments of its proposal are moved by
 * the same affine map, so the proposal still describes the particles the model now reads the same way. (A latent
 * whose parent's coordinate changes in the same step is regressed on the parent's old coordinate until the next
 * step: the fixed point is the same, and the estimator is exact whatever the coefficients.) Each entry takes at
 * most half as many parents as the step has draws, so that a regression never interpolates its batch.
 */
final class ShearFit {
  /** Joint draws each fitting run makes for the regressions, at most and at least. */
  static final int MOST_DRAWS = 200;
  static final int LEAST_DRAWS = 20;
  /** Floating-point work per step the regressions may take before they use fewer draws (the running average makes up). */
  private static final double WORK_PER_STEP = 1e8;
  /** Ridge on the parents' covariance, relative to its diagonal: keeps an almost collinear pair solvable. */
  private static final double RIDGE = 1e-6;
  /** The least share of its variance a refit may leave a proposal (see refit). */
  private static final double SMALLEST_VARIANCE_SHARE = 0.01;

  private final ModelSpec spec;
  private final int[] plateCount;
  /** Per shear, per entry: running mean of (parents..., value). */
  private final double[][][] mean;
  /** Per shear, per entry: running covariance of (parents..., value), row-major. */
  private final double[][][] cov;
  private boolean started;

  ShearFit(ModelSpec spec, int[] plateCount) {
    this.spec = spec;
    this.plateCount = plateCount.clone();
    ShearSpec[] shears = spec.shears();
    mean = new double[shears.length][][];
    cov = new double[shears.length][][];
    for (int s = 0; s < shears.length; s++) {
      VariableSpec var = spec.variables()[shears[s].variable()];
      int entries = plateCount[var.plate()] * var.size();
      int n = shears[s].parents().length + 1;
      mean[s] = new double[entries][n];
      cov[s] = new double[entries][n * n];
    }
  }

  /** The draws per step: {@link #MOST_DRAWS}, fewer for a model whose regressions are large. */
  int draws() {
    double work = 0;
    for (int s = 0; s < mean.length; s++) {
      int n = spec.shears()[s].parents().length + 1;
      work += (double) mean[s].length * n * n;
    }
    return (int) Math.max(LEAST_DRAWS, Math.min(MOST_DRAWS, WORK_PER_STEP / Math.max(1, work)));
  }

  static boolean applies(ModelSpec spec) {
    return spec.shears().length > 0;
  }

  /** One step from {@code run}'s draws: new coefficients and shifts in {@code params}, QEM's moments moved to them. */
  void step(Posterior run, double lr, double[][] params, Qem qem) {
    Draws draws = run.draws();
    if (draws == null || draws.count() < 2) {
      return;
    }
    double rate = started ? lr : 1;
    started = true;
    ShearSpec[] shears = spec.shears();
    for (int s = 0; s < shears.length; s++) {
      step(shears[s], run.state(), draws, rate, mean[s], cov[s], params, qem);
    }
  }

  private void step(ShearSpec sh, ModelState state, Draws draws, double rate, double[][] mean, double[][] cov,
      double[][] params, Qem qem) {
    VariableSpec var = spec.variables()[sh.variable()];
    int size = var.size();
    int count = plateCount[var.plate()];
    int p = sh.parents().length;
    int n = p + 1;
    int k = state.K;
    int draws0 = draws.count();
    double[] batchMean = new double[n];
    double[] batchCov = new double[n * n];
    double[][] rows = new double[draws0][n];
    for (int e = 0; e < count; e++) {
      for (int c = 0; c < size; c++) {
        int entry = e * size + c;
        for (int d = 0; d < draws0; d++) {
          double[] y = rows[d];
          double value = particle(state, draws, sh.variable(), e, c, d, k) - params[sh.shift()][entry];
          for (int j = 0; j < p; j++) {
            int pv = sh.parents()[j];
            double x = particle(state, draws, pv, Shear.parentElement(sh, j, state, e), sh.coordinates()[j], d, k);
            y[j] = sh.logs()[j] ? Math.log(x) : x;
            if (pv != sh.variable() || sh.coordinates()[j] < c) {
              value += params[sh.params()[j]][entry] * y[j];
            }
          }
          y[p] = value;
        }
        moments(rows, batchMean, batchCov);
        mix(mean[entry], cov[entry], batchMean, batchCov, rate);
        refit(sh, entry, c, mean[entry], cov[entry], params, qem, (draws0 - 1) / 2);
      }
    }
  }

  private static double particle(ModelState state, Draws draws, int v, int element, int coordinate, int d, int k) {
    VariableSpec var = state.spec.variables()[v];
    int kk = draws.particle(var.group(), d, element);
    return state.samples[v][(element * var.size() + coordinate) * k + kk];
  }

  /** Mean and covariance (divided by the count) of the rows. */
  private static void moments(double[][] rows, double[] mean, double[] cov) {
    int n = mean.length;
    java.util.Arrays.fill(mean, 0);
    java.util.Arrays.fill(cov, 0);
    for (double[] r : rows) {
      for (int i = 0; i < n; i++) {
        mean[i] += r[i] / rows.length;
      }
    }
    for (double[] r : rows) {
      for (int i = 0; i < n; i++) {
        double di = r[i] - mean[i];
        for (int j = 0; j < n; j++) {
          cov[i * n + j] += di * (r[j] - mean[j]) / rows.length;
        }
      }
    }
  }

  /** The running moments become those of the mixture (1 - rate) running + rate batch. */
  private static void mix(double[] mean, double[] cov, double[] batchMean, double[] batchCov, double rate) {
    int n = mean.length;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        cov[i * n + j] = (1 - rate) * cov[i * n + j] + rate * batchCov[i * n + j]
            + rate * (1 - rate) * (mean[i] - batchMean[i]) * (mean[j] - batchMean[j]);
      }
    }
    for (int i = 0; i < n; i++) {
      mean[i] = (1 - rate) * mean[i] + rate * batchMean[i];
    }
  }

  /**
   * New coefficients for one entry (coordinate {@code c}): the regression of the value (last) on the parents that
   * may explain it (not the entry's own later coordinates, nor parents that did not vary), then the shift, and QEM's
   * moments of the decorrelated coordinate moved to match.
   */
  private void refit(ShearSpec sh, int entry, int c, double[] mean, double[] cov, double[][] params, Qem qem,
      int mostParents) {
    int p = sh.parents().length;
    int n = p + 1;
    int[] active = new int[p];
    int a = 0;
    for (int j = 0; j < p; j++) {
      boolean allowed = sh.parents()[j] != sh.variable() || sh.coordinates()[j] < c;
      if (allowed && cov[j * n + j] > 0 && Double.isFinite(cov[j * n + j]) && a < mostParents) {
        active[a++] = j;
      }
    }
    double[] fresh = new double[p];
    if (a > 0) {
      double[][] m = new double[a][a + 1];
      for (int i = 0; i < a; i++) {
        for (int j = 0; j < a; j++) {
          m[i][j] = cov[active[i] * n + active[j]];
        }
        m[i][i] *= 1 + RIDGE;
        m[i][a] = cov[active[i] * n + p];
      }
      double[] b = solve(m);
      if (b == null) {
        return;
      }
      for (int i = 0; i < a; i++) {
        fresh[active[i]] = b[i];
      }
    }
    double[] now = qem.normal(sh.variable(), entry);
    double step = dampedStep(sh, entry, fresh, mean, cov, params, now[1]);
    if (!(step > 0)) {
      return;
    }
    for (int j = 0; j < p; j++) {
      double old = params[sh.params()[j]][entry];
      fresh[j] = old + step * (fresh[j] - old);
    }
    // old decorrelated coordinate e = value - sum_j old_j x_j + oldShift; new e' = e + sum_j delta_j x_j + shift'
    // - oldShift, delta = old - new
    double[] delta = new double[p];
    double shift = 0;
    for (int j = 0; j < p; j++) {
      delta[j] = params[sh.params()[j]][entry] - fresh[j];
      shift += fresh[j] * mean[j];
    }
    double meanShift = shift - params[sh.shift()][entry];
    double quad = 0;
    double cross = 0;
    for (int i = 0; i < p; i++) {
      meanShift += delta[i] * mean[i];
      for (int j = 0; j < p; j++) {
        quad += delta[i] * cov[i * n + j] * delta[j];
      }
      // Cov(x_i, e) = Cov(x_i, value) - sum_j old_j Cov(x_i, x_j)
      double cxe = cov[i * n + p];
      for (int j = 0; j < p; j++) {
        cxe -= params[sh.params()[j]][entry] * cov[i * n + j];
      }
      cross += delta[i] * cxe;
    }
    double variance = now[1] + quad + 2 * cross;
    if (!(variance > 0) || !Double.isFinite(variance) || !Double.isFinite(meanShift)) {
      return;
    }
    qem.reparameterise(sh.variable(), entry, meanShift, variance);
    for (int j = 0; j < p; j++) {
      params[sh.params()[j]][entry] = fresh[j];
    }
    params[sh.shift()][entry] = shift;
  }

  /**
   * How far towards the regression's coefficients {@code fresh} a refit goes: all the way, unless that would leave
   * the decorrelated coordinate less than {@link #SMALLEST_VARIANCE_SHARE} of its proposal's variance {@code v};
   * then the largest step that leaves that share. A strongly correlated pair (0.999: a variance share of 0.002) is
   * so reached in a few steps, each shrinking the proposal at most a hundredfold, rather than never (a regression on
   * a few distinct draws can explain them almost exactly: one step may not bet the proposal on it). The coordinate's
   * variance as a function of the step a is {@code v + a^2 Q + 2 a X}, with {@code Q} the variance and {@code X} the
   * covariance with the coordinate of the change {@code sum_j (old_j - fresh_j) x_j}.
   */
  private static double dampedStep(ShearSpec sh, int entry, double[] fresh, double[] mean, double[] cov,
      double[][] params, double v) {
    int p = sh.parents().length;
    int n = p + 1;
    double quad = 0;
    double cross = 0;
    for (int i = 0; i < p; i++) {
      double di = params[sh.params()[i]][entry] - fresh[i];
      double cxe = cov[i * n + p];
      for (int j = 0; j < p; j++) {
        quad += di * cov[i * n + j] * (params[sh.params()[j]][entry] - fresh[j]);
        cxe -= params[sh.params()[j]][entry] * cov[i * n + j];
      }
      cross += di * cxe;
    }
    if (!Double.isFinite(quad) || !Double.isFinite(cross) || !(v > 0)) {
      return 0;
    }
    double floor = SMALLEST_VARIANCE_SHARE * v;
    if (v + quad + 2 * cross >= floor) {
      return 1;
    }
    // the first a in (0, 1) where v + a^2 Q + 2 a X falls to the floor (it is above it at 0, below at 1)
    double c = v - floor;
    if (quad <= 0) {
      return cross < 0 ? Math.min(1, c / (-2 * cross)) : 1;
    }
    double disc = cross * cross - quad * c;
    return disc < 0 ? 1 : Math.max(0, Math.min(1, (-cross - Math.sqrt(disc)) / quad));
  }

  /** Gaussian elimination with partial pivoting on an augmented matrix; null when singular. */
  static double[] solve(double[][] m) {
    int n = m.length;
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
          pivot = r;
        }
      }
      if (!(Math.abs(m[pivot][col]) > 0)) {
        return null;
      }
      double[] t = m[col];
      m[col] = m[pivot];
      m[pivot] = t;
      for (int r = col + 1; r < n; r++) {
        double f = m[r][col] / m[col][col];
        for (int c = col; c <= n; c++) {
          m[r][c] -= f * m[col][c];
        }
      }
    }
    double[] x = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = m[r][n];
      for (int c = r + 1; c < n; c++) {
        s -= m[r][c] * x[c];
      }
      x[r] = s / m[r][r];
      if (!Double.isFinite(x[r])) {
        return null;
      }
    }
    return x;
  }
}
