package org.alan.runtime.learn;

import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.engine.Backend;
import org.alan.runtime.engine.Gradient;
import org.alan.runtime.engine.InferenceException;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.QemSpec;
import org.alan.runtime.model.ShearSpec;
import org.alan.runtime.model.VariableSpec;
import org.alan.stdlib.Distribution;
import org.alan.stdlib.GuideParameter;

/**
 * Starts the automatic guide at a Laplace approximation of the posterior (the {@code posteriors} library's
 * {@code laplace.dense_hessian}, spec posteriors.md): the posterior mode on the proposals' own scale (a LogNormal's
 * log), found by BFGS, and the inverse of minus the Hessian there, by central differences of the gradient, widened
 * {@link #WIDEN} times, written as the mean-field proposals plus the decorrelation's coefficients ({@link ShearSpec}).
 * Tempering brings a mean-field guide to the posterior in steps the guide can follow; when the posterior is pinned
 * only jointly (coefficients on uncentred predictors, correlations of 0.999 and more) each step is tiny and the
 * guide collapses before the end, where the mode and the curvature give the joint shape at once.
 *
 * <p>The log density and its gradient come from the engine's reparameterised gradient pass at K = 1 with every
 * proposal scale tiny and the decorrelation off: the run's bound is then {@code log p(y, z) - log q(z)} at a point
 * {@code z} within a millionth of a proposal scale of the location, and its gradient with respect to the locations
 * is that of the log density on the proposal's scale, Jacobian included ({@code -log q} holds {@code log z} for a
 * LogNormal). No new derivative code is needed: the compiler's gradient kernels serve VI already.
 *
 * <p>It applies where every latent is at the top level with an automatic Normal or LogNormal proposal (regressions,
 * GLMs with a few global coefficients), the proposals are reparameterisable, and there are at most
 * {@link #MAX_COORDINATES} coordinates; elsewhere, or if the mode or a negative-definite Hessian is not found, the
 * fit tempers as before. QEM iterations follow in both cases.
 */
final class LaplaceStart {
  /** The proposal's sds are the Laplace approximation's times this (the widening measured on 19 posteriors). */
  static final double WIDEN = 1.5;
  static final int MAX_COORDINATES = 200;
  private static final int MAX_ITERATIONS = 500;
  /** A proposal scale, relative to the starting one, at which the single particle sits on its location. */
  private static final double POINT_SCALE = 1e-6;
  /** Central-difference steps for the Hessian, in units of the approximate posterior sd. */
  private static final double HESSIAN_STEP = 1e-3;

  private final CompiledModel model;
  private final ModelSpec spec;
  private final Backend backend;
  private final BoundData data;
  private final long seed;
  private final int threads;
  /** Per coordinate: the QEM spec and the coordinate within its latent. */
  private final List<int[]> coordinates = new ArrayList<>();
  private double[] pointScale;
  /** The optimiser's iterations so far. */
  private int iterations;

  private LaplaceStart(CompiledModel model, Backend backend, BoundData data, long seed, int threads) {
    this.model = model;
    this.spec = model.spec();
    this.backend = backend;
    this.data = data;
    this.seed = seed;
    this.threads = threads;
  }

  /** Whether the model is one this start serves (see the class comment). */
  static boolean applies(CompiledModel model) {
    ModelSpec spec = model.spec();
    if (!spec.automaticGuide() || spec.qem().length == 0 || Fitter.gradientProblem(model, FitMethod.VI) != null) {
      return false;
    }
    int n = 0;
    for (VariableSpec v : spec.variables()) {
      if (v.isLatent() && v.plate() != 0) {
        return false;
      }
    }
    for (QemSpec q : spec.qem()) {
      if (!q.automatic() || (q.family() != Distribution.NORMAL && q.family() != Distribution.LOG_NORMAL)) {
        return false;
      }
      n += spec.variables()[q.variable()].size();
    }
    for (var p : spec.params()) {
      if (p.kind() != GuideParameter.QEM && p.kind() != GuideParameter.SHEAR
          && p.kind() != GuideParameter.SURROGATE) {
        return false;
      }
    }
    return n <= MAX_COORDINATES;
  }

  /**
   * Sets {@code params} (the guide's, as {@link Fitter#startingParams} made them) to the Laplace start and returns
   * the optimiser's iterations, or returns -1 and leaves them as they were.
   */
  static int apply(CompiledModel model, Backend backend, BoundData data, double[][] params, long seed, int threads) {
    LaplaceStart start = new LaplaceStart(model, backend, data, seed, threads);
    try {
      return start.fit(params);
    } catch (RuntimeException e) {
      // a point where the model cannot be evaluated (an impossible datum, a parameter out of range): temper instead
      return -1;
    }
  }

  private int fit(double[][] params) {
    for (int q = 0; q < spec.qem().length; q++) {
      int size = spec.variables()[spec.qem()[q].variable()].size();
      for (int c = 0; c < size; c++) {
        coordinates.add(new int[] {q, c});
      }
    }
    int d = coordinates.size();
    double[] u = new double[d];
    double[] sd = new double[d];
    pointScale = new double[d];
    for (int i = 0; i < d; i++) {
      QemSpec q = spec.qem()[coordinates.get(i)[0]];
      int c = coordinates.get(i)[1];
      u[i] = params[q.params()[0]][c];
      sd[i] = params[q.params()[1]][c];
      if (!(sd[i] > 0) || !Double.isFinite(sd[i]) || !Double.isFinite(u[i])) {
        return -1;
      }
      pointScale[i] = POINT_SCALE * sd[i];
    }
    double[] mode = maximise(params, u, sd);
    if (mode == null) {
      return -1;
    }
    double[][] covariance = covariance(params, mode, sd);
    if (covariance == null) {
      return -1;
    }
    write(params, mode, covariance);
    return iterations;
  }

  /** The log density (up to a constant) and its gradient at {@code u}, or null where it is not finite. */
  private double[] evaluate(double[][] params, double[] u) {
    double[][] p = Fitter.copy(params);
    for (int s = 0; s < spec.params().length; s++) {
      if (spec.params()[s].kind() == GuideParameter.SHEAR) {
        java.util.Arrays.fill(p[s], 0);
      }
    }
    for (int i = 0; i < u.length; i++) {
      QemSpec q = spec.qem()[coordinates.get(i)[0]];
      int c = coordinates.get(i)[1];
      p[q.params()[0]][c] = u[i];
      p[q.params()[1]][c] = pointScale[i];
    }
    Gradient g;
    try {
      g = backend.gradient(data, p, SampleOptions.of(1, seed).withThreads(threads), Gradient.Kind.PATHWISE,
          Progress.NONE);
    } catch (InferenceException e) {
      // a point the guide cannot draw or the model cannot weigh (an overflow, an impossible datum): no value here
      return null;
    }
    double[] out = new double[u.length + 1];
    out[0] = g.posterior().logMarginalLikelihood();
    for (int i = 0; i < u.length; i++) {
      QemSpec q = spec.qem()[coordinates.get(i)[0]];
      out[i + 1] = g.params()[q.params()[0]][coordinates.get(i)[1]];
    }
    for (double v : out) {
      if (!Double.isFinite(v)) {
        return null;
      }
    }
    return out;
  }

  /**
   * BFGS ascent with a backtracking (Armijo) line search, from {@code u}, the inverse Hessian started at the
   * proposals' variances; null when it finds no finite mode.
   */
  private double[] maximise(double[][] params, double[] u0, double[] sd) {
    int d = u0.length;
    double[] u = u0.clone();
    double[] fg = evaluate(params, u);
    if (fg == null) {
      return null;
    }
    double[][] h = new double[d][d];
    for (int i = 0; i < d; i++) {
      h[i][i] = sd[i] * sd[i];
    }
    for (iterations = 1; iterations <= MAX_ITERATIONS; iterations++) {
      double[] g = java.util.Arrays.copyOfRange(fg, 1, d + 1);
      double[] dir = multiply(h, g);
      double slope = dot(g, dir);
      if (!(slope > 0)) {
        // not an ascent direction (the approximation lost definiteness): restart from the scaled gradient
        for (int i = 0; i < d; i++) {
          java.util.Arrays.fill(h[i], 0);
          h[i][i] = sd[i] * sd[i];
        }
        dir = multiply(h, g);
        slope = dot(g, dir);
      }
      // converged: the expected gain of a Newton step is far below a nat
      if (slope < 1e-10) {
        return u;
      }
      double step = 1;
      double[] next = null;
      double[] nextFg = null;
      for (int tries = 0; tries < 60; tries++, step *= 0.5) {
        double[] trial = new double[d];
        for (int i = 0; i < d; i++) {
          trial[i] = u[i] + step * dir[i];
        }
        double[] t = evaluate(params, trial);
        if (t != null && t[0] >= fg[0] + 1e-4 * step * slope) {
          next = trial;
          nextFg = t;
          break;
        }
      }
      if (next == null) {
        // no step gains: at the mode to the precision the line search can see
        return slope < 1e-3 ? u : null;
      }
      double[] s = new double[d];
      double[] y = new double[d];
      for (int i = 0; i < d; i++) {
        s[i] = next[i] - u[i];
        y[i] = fg[i + 1] - nextFg[i + 1];  // the gradient of -log p
      }
      double sy = dot(s, y);
      if (sy > 0) {
        updateInverse(h, s, y, sy);
      }
      u = next;
      fg = nextFg;
    }
    return null;
  }

  /** BFGS update of the inverse Hessian of -log p with step s and gradient change y. */
  private static void updateInverse(double[][] h, double[] s, double[] y, double sy) {
    int d = s.length;
    double[] hy = multiply(h, y);
    double yhy = dot(y, hy);
    double scale = (sy + yhy) / (sy * sy);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        h[i][j] += scale * s[i] * s[j] - (hy[i] * s[j] + s[i] * hy[j]) / sy;
      }
    }
  }

  /**
   * The inverse of minus the Hessian at the mode, from central differences of the gradient with steps a
   * thousandth of each coordinate's curvature scale (first the proposals', then the one found); null where it is not
   * positive definite.
   */
  private double[][] covariance(double[][] params, double[] mode, double[] sd) {
    double[] scale = sd.clone();
    double[][] cov = null;
    for (int pass = 0; pass < 2; pass++) {
      int d = mode.length;
      double[][] hess = new double[d][d];
      for (int j = 0; j < d; j++) {
        double h = HESSIAN_STEP * scale[j];
        double[] up = mode.clone();
        double[] down = mode.clone();
        up[j] += h;
        down[j] -= h;
        double[] gu = evaluate(params, up);
        double[] gd = evaluate(params, down);
        if (gu == null || gd == null) {
          return null;
        }
        for (int i = 0; i < d; i++) {
          hess[i][j] = -(gu[i + 1] - gd[i + 1]) / (2 * h);
        }
      }
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < i; j++) {
          double m = 0.5 * (hess[i][j] + hess[j][i]);
          hess[i][j] = m;
          hess[j][i] = m;
        }
      }
      cov = inverse(hess);
      if (cov == null) {
        return null;
      }
      for (int i = 0; i < d; i++) {
        scale[i] = Math.sqrt(cov[i][i]);
      }
    }
    return cov;
  }

  /**
   * Writes the Gaussian N(mode, WIDEN^2 cov) as the guide: each sheared coordinate regressed on its parents'
   * particles (in the order the decorrelation defines, each a linear function of the coordinates), its proposal the
   * conditional, the shift keeping its mean; each other coordinate its marginal.
   */
  private void write(double[][] params, double[] mode, double[][] cov) {
    int d = mode.length;
    double w2 = WIDEN * WIDEN;
    // each coordinate's particle as a linear function of the coordinates: e = A u (+ a constant)
    double[][] a = new double[d][];
    // the coordinates' index by variable
    java.util.Map<Integer, Integer> first = new java.util.HashMap<>();
    for (int i = 0; i < d; i++) {
      first.putIfAbsent(spec.qem()[coordinates.get(i)[0]].variable(), i);
    }
    boolean[] done = new boolean[d];
    double[][] next = Fitter.copy(params);
    for (int pass = 0; pass < d; pass++) {
      boolean progress = false;
      for (int i = 0; i < d; i++) {
        if (done[i]) {
          continue;
        }
        QemSpec q = spec.qem()[coordinates.get(i)[0]];
        int c = coordinates.get(i)[1];
        ShearSpec sh = spec.shearOf(q.variable());
        List<Integer> parents = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        boolean ready = true;
        if (sh != null) {
          for (int j = 0; j < sh.parents().length; j++) {
            if (sh.parents()[j] == q.variable() && sh.coordinates()[j] >= c) {
              continue;
            }
            Integer at = first.get(sh.parents()[j]);
            if (at == null) {
              continue;
            }
            int pi = at + sh.coordinates()[j];
            if (!done[pi]) {
              ready = false;
              break;
            }
            parents.add(pi);
            slots.add(j);
          }
        }
        if (!ready) {
          continue;
        }
        int p = parents.size();
        double[] row = new double[d];
        row[i] = 1;
        double variance = cov[i][i];
        if (p > 0) {
          // Cov(e_P) and Cov(e_P, u_i) from e = A u
          double[][] m = new double[p][p + 1];
          for (int r = 0; r < p; r++) {
            double[] ar = a[parents.get(r)];
            double[] covRow = multiply(cov, ar);
            for (int s = 0; s < p; s++) {
              m[r][s] = dot(covRow, a[parents.get(s)]);
            }
            m[r][p] = covRow[i];
          }
          double[] rhs = new double[p];
          for (int r = 0; r < p; r++) {
            rhs[r] = m[r][p];
          }
          double[] coef = ShearFit.solve(m);
          if (coef == null) {
            coef = new double[p];
          }
          double shift = 0;
          for (int r = 0; r < p; r++) {
            variance -= coef[r] * rhs[r];
            shift += coef[r] * mode[parents.get(r)];
            next[sh.params()[slots.get(r)]][c] = coef[r];
            double[] ar = a[parents.get(r)];
            for (int k = 0; k < d; k++) {
              row[k] -= coef[r] * ar[k];
            }
          }
          next[sh.shift()][c] = shift;
          variance = Math.max(variance, 1e-12 * cov[i][i]);
        }
        a[i] = row;
        next[q.params()[0]][c] = mode[i];
        next[q.params()[1]][c] = Math.sqrt(w2 * variance);
        done[i] = true;
        progress = true;
      }
      if (!progress) {
        break;
      }
    }
    for (boolean b : done) {
      if (!b) {
        throw new IllegalStateException("the decorrelation's parents form a cycle");
      }
    }
    for (int s = 0; s < params.length; s++) {
      params[s] = next[s];
    }
  }

  private static double[] multiply(double[][] m, double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = dot(m[i], v);
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** The inverse of a symmetric positive-definite matrix by Cholesky; null when it is not positive definite. */
  private static double[][] inverse(double[][] a) {
    int n = a.length;
    double[][] l = new double[n][n];
    for (int j = 0; j < n; j++) {
      double s = a[j][j];
      for (int k = 0; k < j; k++) {
        s -= l[j][k] * l[j][k];
      }
      if (!(s > 0) || !Double.isFinite(s)) {
        return null;
      }
      l[j][j] = Math.sqrt(s);
      for (int i = j + 1; i < n; i++) {
        double t = a[i][j];
        for (int k = 0; k < j; k++) {
          t -= l[i][k] * l[j][k];
        }
        l[i][j] = t / l[j][j];
      }
    }
    double[][] inv = new double[n][n];
    for (int c = 0; c < n; c++) {
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        double t = i == c ? 1 : 0;
        for (int k = 0; k < i; k++) {
          t -= l[i][k] * x[k];
        }
        x[i] = t / l[i][i];
      }
      for (int i = n - 1; i >= 0; i--) {
        double t = x[i];
        for (int k = i + 1; k < n; k++) {
          t -= l[k][i] * inv[k][c];
        }
        inv[i][c] = t / l[i][i];
      }
    }
    return inv;
  }
}
