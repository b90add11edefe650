package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.GroupSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Less common shapes of models, each checked exactly against enumeration of all particle assignments. */
class EdgeCaseModelsTest {
  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("categorical latent with Dirichlet weights", """
            model Topics {
              input alpha[3];
              theta[3] ~ Dirichlet(alpha);
              plate docs {
                topic ~ Categorical(theta);
                input rates[3];
                data n ~ Poisson(dot(rates, rates) / 10 + topic);
              }
            }
            """, "{\"alpha\": [1, 2, 3], \"rates\": [[1, 2, 3], [2, 1, 0.5]], \"n\": [3, 0]}", 3),
        Arguments.of("guide reading observed data and a let", """
            model Noisy {
              m ~ Normal(0, 3);
              plate obs {
                z ~ Normal(m, 1);
                data y ~ Normal(z, 0.5);
              }
            }
            guide Noisy {
              m ~ Normal(0, 2);
              plate obs {
                let centre = 0.8 * y;
                z ~ Normal(centre, 0.7);
              }
            }
            """, "{\"y\": [1.5, -0.4]}", 3),
        Arguments.of("matrix-valued latent with broadcast arguments", """
            model Matrix {
              input m[3];
              w[2, 3] ~ Normal(m, 1);
              plate rows {
                input x[3];
                data y[2] ~ Normal(dot(w, x), 1);
              }
            }
            """, "{\"m\": [0, 1, -1], \"x\": [[1, 0, 2]], \"y\": [[0.5, 1.5]]}", 4),
        Arguments.of("sibling plates under one parent", """
            model Siblings {
              a ~ Normal(0, 1);
              plate left {
                l ~ Normal(a, 1);
                data u ~ Normal(l, 1);
              }
              plate right {
                r ~ Normal(-a, 1);
                data v ~ Normal(r, 1);
              }
            }
            """, "{\"u\": [0.3, 1.0], \"v\": [-0.5]}", 3),
        Arguments.of("count latent with a count proposal", """
            model Counts {
              rate ~ Gamma(3, 1);
              plate sites {
                n ~ Poisson(rate);
                data seen ~ Binomial(n, 0.5);
              }
            }
            guide Counts {
              rate ~ Gamma(2, 0.5);
              plate sites { n ~ Poisson(4); }
            }
            """, "{\"seen\": [1, 2]}", 3),
        Arguments.of("fixed-size plate and a group spanning parent and child dependencies", """
            model Fixed {
              s ~ HalfCauchy(1);
              plate g(2) {
                mu ~ Normal(0, s);
                tau ~ Exponential(1);
                data y ~ StudentT(4, mu, tau);
              }
            }
            guide Fixed {
              s ~ HalfNormal(2);
              plate g { group pair { mu ~ Normal(0, s); tau ~ Gamma(2, 2); } }
            }
            """, "{\"y\": [0.4, -1.3]}", 3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void exactAgainstEnumeration(String name, String source, String data, int k) {
    CompiledModel compiled = Models.compile(source);
    Model model = Models.bind(compiled, data);
    for (long seed = 1; seed <= 2; seed++) {
      Posterior p = model.sample(SampleOptions.of(k, seed).withThreads(2).withDraws(50));
      BruteForce exact = BruteForce.enumerate(compiled, p.state());
      assertEquals(exact.logMarginalLikelihood, p.logMarginalLikelihood(),
          1e-9 * Math.max(1, Math.abs(exact.logMarginalLikelihood)), name);
      GroupSpec[] groups = compiled.spec().groups();
      for (int g = 0; g < groups.length; g++) {
        double[] engine = p.marginal(groups[g].name());
        for (int i = 0; i < engine.length; i++) {
          assertEquals(exact.marginals[g][i], engine[i], 1e-9, name + ": marginal of " + groups[g].name());
        }
      }
    }
  }
}
