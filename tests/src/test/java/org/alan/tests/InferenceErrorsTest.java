package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.InferenceException;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.junit.jupiter.api.Test;

/** Numerical trouble during inference is reported by variable, source line and plate element, never as NaN. */
class InferenceErrorsTest {
  @Test
  void nanLogDensityNamesTheFactorAndElement() {
    String message = failureOf("""
        model M {
          s ~ Normal(0, 1);
          plate rows {
            data y ~ Normal(0, s);
          }
        }
        """, "{\"y\": [1, 2]}", 20);
    assertEquals("the log density of 'y' (test.alan:4) is NaN at rows[1]: a distribution parameter is out of range"
        + " there (a negative scale, a log of a negative number?)", message);
  }

  @Test
  void impossibleDataNamesTheFactor() {
    String message = failureOf("""
        model M {
          plate sites {
            n ~ Poisson(1);
            data seen ~ Binomial(n, 0.5);
          }
        }
        guide M {
          plate sites { n ~ Poisson(0.01); }
        }
        """, "{\"seen\": [0, 30]}", 4);
    assertEquals("the log marginal likelihood estimate is -infinity, no combination of particles is possible: every"
        + " particle gives 'seen' (test.alan:4) zero probability at sites[2]. The guide must propose values the data"
        + " allow; more particles (-K) may also help", message);
  }

  @Test
  void dataImpossibleWhateverTheLatentsSaysSo() {
    String message = failureOf("""
        model M {
          input low;
          mu ~ Normal(0, 1);
          plate rows { data y ~ Uniform(low, low + 1); }
        }
        """, "{\"low\": 0, \"y\": [0.5, -1]}", 3);
    assertEquals("the log marginal likelihood is -infinity: 'y' (test.alan:4) has zero probability at rows[2]"
        + " whatever the latent variables (its distribution depends on none of them): the data are impossible under"
        + " the model with these inputs", message);
  }

  @Test
  void nanFromTheGuideNamesTheVariable() {
    String message = failureOf("""
        model M {
          input spread;
          plate rows {
            mu ~ Normal(0, 1);
            data y ~ Normal(mu, 1);
          }
        }
        guide M {
          plate rows { mu ~ Normal(0, spread - 2); }
        }
        """, "{\"spread\": 1, \"y\": [1, 2]}", 5);
    assertEquals("the guide drew NaN for 'mu' (test.alan:4) at rows[1]: a parameter of its proposal is out of range"
        + " there (a negative scale or a probability outside [0, 1]?)", message);
  }

  @Test
  void aRunThatCannotFitIsRefusedBeforeItStarts() {
    Model m = Models.bind("""
        model M {
          mu ~ Normal(0, 1);
          plate rows {
            theta ~ Normal(mu, 1);
            data y ~ Normal(theta, 1);
          }
        }
        """, "{\"y\": [1, 2]}");
    InferenceException tooManyCombinations = assertThrows(InferenceException.class,
        () -> m.sample(SampleOptions.of(100_000, 1)));
    assertEquals("K = 100000 is too large for this model: a step of plate 'rows' sums over K^2 = 1.00e+10 particle"
        + " combinations per element; use a smaller K, or group latents in the guide so that fewer K dimensions meet"
        + " (see '<Model>.jar explain')", tooManyCombinations.getMessage());
    InferenceException tooManyParticles = assertThrows(InferenceException.class,
        () -> m.sample(SampleOptions.of(Integer.MAX_VALUE, 1)));
    assertEquals("K = 2147483647 is too large for this data: the particles of 'mu' would hold 2.15e+09 values, more"
        + " than a Java array can; use a smaller K", tooManyParticles.getMessage());
    InferenceException tooManyDraws = assertThrows(InferenceException.class,
        () -> m.sample(SampleOptions.of(10, 1).withDraws(1_500_000_000)));
    assertEquals("1500000000 draws are too many for this data: the draws of 'theta' would hold 3.00e+09 values, more"
        + " than a Java array can; use fewer draws", tooManyDraws.getMessage());
  }

  @Test
  void invalidParametersAreNaNWhereTheFormulaAloneWouldBeFinite() {
    // at y = 0 a Poisson's log density is -rate, finite for a negative rate; the parameter check makes it NaN (an
    // expression, so that the data check of an input passed as it is does not catch it first)
    String message = failureOf("""
        model M {
          input rate;
          a ~ Normal(0, 1);
          plate rows { data y ~ Poisson(rate - 1); }
        }
        """, "{\"rate\": -1, \"y\": [0, 0]}", 3);
    assertEquals("the log density of 'y' (test.alan:4) is NaN at rows[1]: a distribution parameter is out of range"
        + " there (a negative scale, a log of a negative number?)", message);
    // a probability above one, observed where the formula never takes log(1 - p)
    String b = failureOf("""
        model M {
          s ~ Normal(0, 1);
          plate rows { data y ~ Bernoulli(1.5 + 0 * s); }
        }
        """, "{\"y\": [1, 1]}", 3);
    assertTrue(b.startsWith("the log density of 'y' (test.alan:3) is NaN at rows[1]"), b);
  }

  @Test
  void hugeLogDensitiesGiveNormalisedWeightsAndAWarning() {
    // log densities near -1.5e18: their spacing (256) exceeds the differences between particles, which are lost
    Model m = Models.bind("""
        model M {
          mu ~ Normal(0, 1);
          plate obs {
            theta ~ Normal(mu, 1);
            data y ~ Normal(theta, 0.001);
          }
        }
        guide M {
          mu ~ Normal(0, 1);
          plate obs { theta ~ Normal(0, 1); }
        }
        """, "{\"y\": [1e6, 1e6, -1e6]}");
    Posterior p = m.sample(SampleOptions.of(30, 1));
    double[] weights = p.marginal("mu");
    assertEquals(1.0, Arrays.stream(weights).sum(), 1e-12);
    assertTrue(p.warnings().get(0).startsWith("posterior weights summed to 1 +- "), p.warnings().get(0));
    // and the particles there are too few to trust
    assertEquals(3, p.warnings().size(), p.warnings().toString());
    assertTrue(p.warnings().get(1).startsWith("the posterior of 'theta' at obs[1] rests on 1.0 effective particles"),
        p.warnings().get(1));
    assertTrue(p.warnings().get(2).startsWith("the importance weights of 'theta' at obs[1] have a heavy tail (Pareto"
        + " k-hat inf > 0.7, ESS 1.0)"), p.warnings().get(2));
  }

  /** The message with which inference on this model and data fails at K particles per latent. */
  private static String failureOf(String source, String json, int k) {
    Model m = Models.bind(source, json);
    return assertThrows(InferenceException.class, () -> m.sample(SampleOptions.of(k, 1))).getMessage();
  }
}
