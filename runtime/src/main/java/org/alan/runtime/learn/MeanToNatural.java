package org.alan.runtime.learn;

import org.apache.commons.numbers.gamma.Digamma;
import org.apache.commons.numbers.gamma.LogGamma;
import org.apache.commons.numbers.gamma.Trigamma;

/**
 * The inversions QEM needs where a family's conventional parameters are not a closed-form function of its mean
 * parameters: Gamma from {@code (E log x, E x)}, Dirichlet (and Beta, its two-coordinate case) from
 * {@code E log x}. Both are maximum-likelihood problems with a concave objective, solved by Newton's method to
 * full precision (not a fixed number of steps), with limits for moments at the boundary: a sample concentrated on
 * one point has an unbounded maximum, and the concentration is then capped at {@link #MAX_CONCENTRATION}.
 */
public final class MeanToNatural {
  /** The largest concentration returned: a distribution this narrow is a point mass for every practical purpose. */
  public static final double MAX_CONCENTRATION = 1e12;

  private static final int MAX_ITERATIONS = 200;

  private MeanToNatural() {}

  /**
   * The Gamma shape with {@code E log x - log E x = -s}: the root of {@code log a - digamma(a) = s} (Minka,
   * "Estimating a Gamma distribution", 2002: his closed-form start, then generalised Newton steps on 1/a).
   */
  public static double gammaShape(double meanLog, double mean) {
    double s = Math.log(mean) - meanLog;
    if (!(s > 0)) {
      return MAX_CONCENTRATION; // no spread (or rounding below it): a point mass
    }
    if (s < 1e-8) {
      return Math.min(MAX_CONCENTRATION, 0.5 / s); // log a - digamma(a) = 1/(2a) + O(1/a^2)
    }
    double a = (3 - s + Math.sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
    for (int i = 0; i < MAX_ITERATIONS; i++) {
      double g = -s + Math.log(a) - Digamma.value(a);
      double next = 1 / (1 / a + g / (a * a * (1 / a - Trigamma.value(a))));
      if (!(next > 0)) {
        next = a / 2;
      }
      boolean done = Math.abs(next - a) <= 1e-14 * a;
      a = next;
      if (done) {
        break;
      }
    }
    return Math.min(a, MAX_CONCENTRATION);
  }

  /**
   * The Dirichlet concentration {@code alpha} whose {@code E log x_c = psi(alpha_c) - psi(sum alpha)} equals
   * {@code meanLog[from + c]} for {@code c < n}; written to {@code alpha[to + c]}. Newton's method on the
   * (concave) log likelihood, whose Hessian is a diagonal plus a constant, with step halving to stay positive and
   * ascending; started from Minka's fixed point iterations.
   */
  public static void dirichlet(double[] meanLog, int from, int n, double[] alpha, int to) {
    double[] a = new double[n];
    double[] p = new double[n];
    for (int c = 0; c < n; c++) {
      p[c] = meanLog[from + c];
      a[c] = 1;
    }
    // a few fixed-point iterations, alpha_c = psi^-1(psi(sum alpha) + E log x_c): a safe start for Newton
    for (int i = 0; i < 20; i++) {
      double psiSum = Digamma.value(sum(a));
      for (int c = 0; c < n; c++) {
        a[c] = inverseDigamma(psiSum + p[c]);
      }
    }
    double[] g = new double[n];
    double[] q = new double[n];
    double[] next = new double[n];
    double f = dirichletObjective(a, p);
    for (int i = 0; i < MAX_ITERATIONS && sum(a) < MAX_CONCENTRATION; i++) {
      double total = sum(a);
      double psiSum = Digamma.value(total);
      double z = Trigamma.value(total);
      double gradientNorm = 0;
      double sumGq = 0;
      double sumInvQ = 0;
      for (int c = 0; c < n; c++) {
        g[c] = psiSum - Digamma.value(a[c]) + p[c];
        q[c] = -Trigamma.value(a[c]);
        sumGq += g[c] / q[c];
        sumInvQ += 1 / q[c];
        gradientNorm = Math.max(gradientNorm, Math.abs(g[c]) * a[c]);
      }
      if (gradientNorm < 1e-13) {
        break;
      }
      double b = sumGq / (1 / z + sumInvQ);
      double step = 1;
      double fNext = Double.NEGATIVE_INFINITY;
      for (int halvings = 0; halvings < 60; halvings++, step /= 2) {
        boolean positive = true;
        for (int c = 0; c < n; c++) {
          next[c] = a[c] - step * (g[c] - b) / q[c];
          positive &= next[c] > 0;
        }
        if (positive && (fNext = dirichletObjective(next, p)) >= f) {
          break;
        }
      }
      if (!(fNext >= f)) {
        break; // no ascent left at double precision
      }
      boolean converged = true;
      for (int c = 0; c < n; c++) {
        converged &= Math.abs(next[c] - a[c]) <= 1e-14 * a[c];
        a[c] = next[c];
      }
      f = fNext;
      if (converged) {
        break;
      }
    }
    double total = sum(a);
    double scale = total > MAX_CONCENTRATION ? MAX_CONCENTRATION / total : 1;
    for (int c = 0; c < n; c++) {
      alpha[to + c] = a[c] * scale;
    }
  }

  /** The Dirichlet log likelihood per observation of a sample with mean logs {@code p}. */
  private static double dirichletObjective(double[] a, double[] p) {
    double f = LogGamma.value(sum(a));
    for (int c = 0; c < a.length; c++) {
      f += -LogGamma.value(a[c]) + (a[c] - 1) * p[c];
    }
    return f;
  }

  /** The x with {@code digamma(x) = y} (Minka's start, then Newton to full precision). */
  public static double inverseDigamma(double y) {
    double x = y >= -2.22 ? Math.exp(y) + 0.5 : -1 / (y - Digamma.value(1));
    for (int i = 0; i < MAX_ITERATIONS; i++) {
      double next = x - (Digamma.value(x) - y) / Trigamma.value(x);
      if (!(next > 0)) {
        next = x / 2;
      }
      boolean done = Math.abs(next - x) <= 1e-15 * x;
      x = next;
      if (done) {
        break;
      }
    }
    return x;
  }

  private static double sum(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v;
    }
    return s;
  }
}
