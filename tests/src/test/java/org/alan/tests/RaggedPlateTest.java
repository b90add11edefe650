package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.DataException;
import org.junit.jupiter.api.Test;

/**
 * {@code plate NAME(ragged)}: nested arrays of unequal lengths, each element of the enclosing plate with its own
 * number of elements (none included), against the closed-form posterior and evidence of independent
 * Normal-Normal groups.
 */
class RaggedPlateTest {
  static final String SOURCE = """
      model Groups {
        plate groups {
          theta ~ Normal(0, 1);
          plate obs(ragged) {
            input w;
            data y ~ Normal(theta + 0 * w, 0.5);
          }
        }
      }
      """;
  static final double[][] Y = {{1.2, 0.3}, {0.5}, {2.0, 1.1, 0.7}, {}};

  @Test
  void raggedGroupsMatchTheClosedForm() {
    Model m = Models.bind(SOURCE, "{\"y\": [[1.2, 0.3], [0.5], [2.0, 1.1, 0.7], []],"
        + " \"w\": [[0, 0], [0], [0, 0, 0], []]}");
    assertArrayEquals(new int[] {4, 6}, new int[] {m.plateSizes()[1], m.plateSizes()[2]});
    Posterior p = m.sample(SampleOptions.of(20000, 1), Progress.NONE);
    double logEvidence = 0;
    double variance = 0;
    for (int g = 0; g < Y.length; g++) {
      variance += 1 / p.essArray("theta")[g];
      double precision = 1 + Y[g].length / 0.25;
      double mean = java.util.Arrays.stream(Y[g]).sum() / 0.25 / precision;
      double sd = Math.sqrt(1 / precision);
      assertEquals(mean, p.means("theta")[g], 5 * sd / Math.sqrt(p.essArray("theta")[g]), "theta[" + (g + 1) + "]");
      assertEquals(sd, p.sds("theta")[g], 0.05 * sd, "sd of theta[" + (g + 1) + "]");
      logEvidence += Analytic.logEvidenceShared(Y[g], 0, 1, 0.25);
    }
    // each group's log mean weight has a standard error of about sqrt(1 / ESS)
    assertEquals(logEvidence, p.logMarginalLikelihood(), 4 * Math.sqrt(variance));
  }

  @Test
  void regularArraysFitARaggedPlateToo() {
    Posterior ragged = Models.bind(SOURCE, "{\"y\": [[1.2, 0.3], [0.5, 0.1]], \"w\": [[0, 0], [0, 0]]}")
        .sample(SampleOptions.of(2000, 2), Progress.NONE);
    assertEquals(2, ragged.means("theta").length);
    assertEquals((1.2 + 0.3) / 0.25 / 9, ragged.means("theta")[0], 0.05);
  }

  @Test
  void raggedArraysForARegularPlateAreRefusedWithTheWayOut() {
    String regular = SOURCE.replace("obs(ragged)", "obs");
    DataException e = assertThrows(DataException.class, () -> Models.bind(regular,
        "{\"y\": [[1.2, 0.3], [0.5]], \"w\": [[0, 0], [0]]}"));
    assertTrue(e.getMessage().contains("'w' is not rectangular") && e.getMessage().contains("plate obs(ragged)"),
        e.getMessage());
  }

  @Test
  void simulatedRaggedDataComeBackNestedAndReadAgain() {
    org.alan.runtime.model.CompiledModel model = Models.compile(SOURCE);
    org.alan.runtime.io.DataSet simulated = org.alan.runtime.engine.Simulator.run(model,
        Models.data("{\"w\": [[0, 0], [0], [], [0, 0, 0]]}"), java.util.Map.of(), 3).data();
    String json = org.alan.runtime.io.JsonData.write(simulated);
    assertTrue(json.contains("[]"), "the empty element stays an empty array: " + json);
    assertTrue(!json.contains("__parent_of"), "the hidden index is not written: " + json);
    Model again = Models.bind(model, json);
    assertArrayEquals(new int[] {4, 6}, new int[] {again.plateSizes()[1], again.plateSizes()[2]});
  }

  @Test
  void aSingleValueAmongRaggedArraysIsADataError() {
    DataException e = assertThrows(DataException.class, () -> Models.bind(SOURCE,
        "{\"y\": [[1.2, 0.3], [0.5], 2.0], \"w\": [[0, 0], [0], [0]]}"));
    assertTrue(e.getMessage().contains("y[2] should be an array"), e.getMessage());
  }

  @Test
  void theVariablesOfARaggedPlateMustAgreeOnItsLengths() {
    DataException e = assertThrows(DataException.class, () -> Models.bind(SOURCE,
        "{\"y\": [[1.2, 0.3], [0.5]], \"w\": [[0], [0, 0]]}"));
    assertTrue(e.getMessage().contains("along ragged plate 'obs'"), e.getMessage());
  }
}
