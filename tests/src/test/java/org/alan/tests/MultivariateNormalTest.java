package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.DataException;
import org.junit.jupiter.api.Test;

/**
 * MultivariateNormal with a covariance or Cholesky factor given as data: a correlated prior on regression
 * coefficients, whose posterior and evidence are Gaussian in closed form.
 */
class MultivariateNormalTest {
  static final String PRIOR = """
      model Correlated {
        input m0[2];
        input S[2, 2];
        beta[2] ~ MultivariateNormal(m0, covariance_matrix = S);
        plate rows {
          input x;
          data y ~ Normal(beta[1] + beta[2] * x, 0.5);
        }
      }
      """;
  static final double[] X = {-1, 0, 1, 2, 3};
  static final double[] Y = {-0.4, 0.9, 1.8, 3.4, 4.1};
  static final String DATA = "{\"m0\": [0.5, 1], \"S\": [[4, 1.5], [1.5, 1]], \"x\": [-1, 0, 1, 2, 3],"
      + " \"y\": [-0.4, 0.9, 1.8, 3.4, 4.1]}";

  @Test
  void aCorrelatedPriorGivesTheGaussianPosterior() {
    Posterior p = Models.bind(PRIOR, DATA).sample(SampleOptions.of(20000, 1), Progress.NONE);
    double[][] s = {{4, 1.5}, {1.5, 1}};
    double[] m0 = {0.5, 1};
    // posterior precision S^-1 + X'X / 0.25, mean Sigma (S^-1 m0 + X'y / 0.25)
    double[][] sInv = Analytic.invert(s);
    double[][] precision = new double[2][2];
    double[] rhs = new double[2];
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) {
        precision[a][b] = sInv[a][b];
        rhs[a] += sInv[a][b] * m0[b];
      }
    }
    for (int i = 0; i < X.length; i++) {
      double[] row = {1, X[i]};
      for (int a = 0; a < 2; a++) {
        rhs[a] += row[a] * Y[i] / 0.25;
        for (int b = 0; b < 2; b++) {
          precision[a][b] += row[a] * row[b] / 0.25;
        }
      }
    }
    double[][] cov = Analytic.invert(precision);
    for (int a = 0; a < 2; a++) {
      double mean = cov[a][0] * rhs[0] + cov[a][1] * rhs[1];
      RandomInterceptTest.assertWithin("beta[" + (a + 1) + "]", p.means("beta")[a], p.sds("beta")[a], mean,
          Math.sqrt(cov[a][a]), p.ess("beta"));
    }
    // evidence: y ~ N(X m0, X S X' + 0.25 I)
    int n = X.length;
    double[][] marginal = new double[n][n];
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      double[] xi = {1, X[i]};
      r[i] = Y[i] - (m0[0] + m0[1] * X[i]);
      for (int j = 0; j < n; j++) {
        double[] xj = {1, X[j]};
        for (int a = 0; a < 2; a++) {
          for (int b = 0; b < 2; b++) {
            marginal[i][j] += xi[a] * s[a][b] * xj[b];
          }
        }
        marginal[i][j] += i == j ? 0.25 : 0;
      }
    }
    double[][] mInv = Analytic.invert(marginal);
    double quadratic = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        quadratic += r[i] * mInv[i][j] * r[j];
      }
    }
    double logEvidence = -0.5 * (n * Math.log(2 * Math.PI) + Analytic.logDetSpd(marginal) + quadratic);
    assertEquals(logEvidence, p.logMarginalLikelihood(), 4 / Math.sqrt(p.ess("beta")));
  }

  @Test
  void aCholeskyFactorIsTheSameDistribution() {
    String tril = PRIOR.replace("covariance_matrix = S", "scale_tril = L").replace("input S[2, 2];",
        "input L[2, 2];");
    double l11 = 2;
    double l21 = 0.75;
    double l22 = Math.sqrt(1 - l21 * l21);
    String data = DATA.replace("\"S\": [[4, 1.5], [1.5, 1]]", "\"L\": [[" + l11 + ", 0], [" + l21 + ", " + l22
        + "]]");
    double a = Models.bind(PRIOR, DATA).sample(SampleOptions.of(2000, 3), Progress.NONE).logMarginalLikelihood();
    double b = Models.bind(tril, data).sample(SampleOptions.of(2000, 3), Progress.NONE).logMarginalLikelihood();
    assertEquals(a, b, 1e-9);
  }

  @Test
  void observedVectorsWithAKnownCovariance() {
    String source = """
        model Observed {
          input S[2, 2];
          mu[2] ~ Normal(0, 10);
          plate rows { data y[2] ~ MultivariateNormal(mu, covariance_matrix = S); }
        }
        """;
    Posterior p = Models.bind(source, "{\"S\": [[1, 0.8], [0.8, 1]], \"y\": [[0.5, 0.7], [1.1, 1.6], [-0.2, 0.1],"
        + " [0.9, 0.4]]}").sample(SampleOptions.of(20000, 2), Progress.NONE);
    // the prior is nearly flat: mu | y ~ N(mean(y), S / 4) up to the N(0, 100) prior
    double[] mean = {(0.5 + 1.1 - 0.2 + 0.9) / 4, (0.7 + 1.6 + 0.1 + 0.4) / 4};
    for (int a = 0; a < 2; a++) {
      RandomInterceptTest.assertWithin("mu[" + (a + 1) + "]", p.means("mu")[a], p.sds("mu")[a], mean[a],
          Math.sqrt(1.0 / 4), p.ess("mu"));
    }
  }

  @Test
  void aCovarianceThatIsNotPositiveDefiniteIsADataError() {
    DataException e = assertThrows(DataException.class,
        () -> Models.bind(PRIOR, DATA.replace("[[4, 1.5], [1.5, 1]]", "[[1, 2], [2, 1]]")));
    assertTrue(e.getMessage().contains("not positive definite"), e.getMessage());
  }
}
