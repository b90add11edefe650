package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fit}, and {@code sample} with the automatic guide, on the command line: what they print, the files they
 * write, and the usage errors.
 */
class FitCliTest {
  /** Eight schools with no guide block: the automatic guide. */
  static final String AUTOMATIC = """
      model EightSchools {
        mu  ~ Normal(0, 5);
        tau ~ HalfNormal(5);
        plate schools {
          input sigma;
          theta ~ Normal(mu, tau);
          data y ~ Normal(theta, sigma);
        }
      }
      """;
  static CompiledModel automatic;

  @BeforeAll
  static void compile() {
    automatic = Models.compile(AUTOMATIC);
  }

  private static String data() {
    return CliTest.EIGHT_SCHOOLS_DATA.toString();
  }

  @Test
  void sampleFitsTheAutomaticGuideFirstAndSaysSo() {
    CliTest.Run r = CliTest.run(automatic, "sample", "--data", data(), "-K", "300", "--seed", "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().startsWith("fitted the automatic guide: "), r.err());
    assertTrue(r.err().contains("tempering stage") && r.err().contains("QEM iteration"), r.err());
    assertTrue(r.out().contains("variable") && r.out().contains("5%") && r.out().contains("theta[7]"), r.out());
    CliTest.Run noFit = CliTest.run(automatic, "sample", "--data", data(), "-K", "300", "--seed", "2", "--no-fit");
    assertEquals(0, noFit.status(), noFit.err());
    assertEquals("", noFit.err(), "no fit, nothing said");
  }

  @Test
  void fitWritesTraceAndGuideThatSampleReads(@TempDir Path dir) throws Exception {
    Path trace = dir.resolve("trace.csv");
    Path guide = dir.resolve("fitted.json");
    CliTest.Run r = CliTest.run(automatic, "fit", "--data", data(), "-K", "50", "--iters", "40", "--seed", "3",
        "--trace", trace.toString(), "--save", guide.toString(), "--json");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().startsWith("fit: "), r.err());
    List<String> lines = Files.readAllLines(trace);
    assertEquals("iteration,seconds,bound", lines.get(0));
    assertTrue(lines.size() >= 2 && lines.size() <= 41, "one line per iteration: " + lines.size());
    String[] last = lines.get(lines.size() - 1).split(",");
    assertEquals(lines.size() - 1, Integer.parseInt(last[0]));
    assertTrue(Double.parseDouble(last[2]) < 0 && Double.parseDouble(last[2]) > -40, lines.get(lines.size() - 1));
    JsonObject saved = JsonParser.parseString(Files.readString(guide)).getAsJsonObject();
    // theta ~ Normal(mu, tau) is non-centred and decorrelated from mu and tau: its coefficients are saved too
    assertEquals(List.of("mu_loc", "mu_scale", "tau_loc", "tau_scale", "theta_loc", "theta_scale", "theta_shear_mu",
        "theta_shear_tau", "theta_shift"), List.copyOf(saved.keySet()));
    assertEquals(8, saved.getAsJsonArray("theta_loc").size());
    JsonObject summary = JsonParser.parseString(r.out()).getAsJsonObject();
    CliTest.Run fromFile = CliTest.run(automatic, "sample", "--data", data(), "-K", "1000", "--seed", "3", "--guide",
        guide.toString(), "--json");
    assertEquals(0, fromFile.status(), fromFile.err());
    assertEquals("", fromFile.err(), "a saved guide is used as it is, not fitted again");
    // the summary of fit and that of sample --guide come from the same fitted guide, same K and seed
    JsonObject again = JsonParser.parseString(fromFile.out()).getAsJsonObject();
    assertEquals(summary.get("log_marginal_likelihood").getAsDouble(),
        again.get("log_marginal_likelihood").getAsDouble(), 1e-9);
  }

  @Test
  void fitRefusesBadOptionsAsUsageErrors() {
    CliTest.Run hmc = CliTest.run(automatic, "fit", "--data", data(), "--method", "hmc");
    assertEquals(2, hmc.status());
    assertTrue(hmc.err().startsWith("error: --method must be qem, vi or rws, not 'hmc'"), hmc.err());
    CliTest.Run lr = CliTest.run(automatic, "fit", "--data", data(), "--lr", "1.5");
    assertEquals(2, lr.status());
    assertTrue(lr.err().startsWith("error: --lr must be in (0, 1], not 1.5"), lr.err());
    CliTest.Run k = CliTest.run(automatic, "fit", "--data", data(), "-K", "1");
    assertEquals(2, k.status());
    assertTrue(k.err().startsWith("error: -K must be at least 2 to fit"), k.err());
  }

  @Test
  void fitSaysWhenAGuideHasNothingToFit() throws Exception {
    CliTest.Run r = CliTest.run(Models.compile(Files.readString(CliTest.EIGHT_SCHOOLS)), "fit", "--data", data());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("error: cannot fit model EightSchools by qem: its guide has no qem(...)"), r.err());
    CliTest.Run vi = CliTest.run(Models.compile(Files.readString(CliTest.EIGHT_SCHOOLS)), "fit", "--data", data(),
        "--method", "vi");
    assertEquals(1, vi.status());
    assertTrue(vi.err().startsWith("error: cannot fit model EightSchools by vi: its guide has no parameters"),
        vi.err());
  }

  @Test
  void fitByViAndRwsRaisesTheBoundFromABadGuide(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"mu_loc\": 15, \"mu_scale\": 0.1, \"tau_loc\": 3, \"tau_scale\": 0.1,"
        + " \"theta_loc\": [-10, -10, -10, -10, -10, -10, -10, -10], \"theta_scale\": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1,"
        + " 0.1, 0.1], \"theta_shear_mu\": [0, 0, 0, 0, 0, 0, 0, 0], \"theta_shear_tau\": [0, 0, 0, 0, 0, 0, 0, 0],"
        + " \"theta_shift\": [0, 0, 0, 0, 0, 0, 0, 0]}");
    CliTest.Run qem = CliTest.run(automatic, "fit", "--data", data(), "-K", "30", "--seed", "4", "--sample-K", "300");
    assertEquals(0, qem.status(), qem.err());
    double qemBound = Double.parseDouble(qem.err().replaceAll("(?s).*final bound (-?[0-9.]+).*", "$1"));
    for (String method : new String[] {"vi", "rws"}) {
      Path trace = dir.resolve(method + ".csv");
      CliTest.Run r = CliTest.run(automatic, "fit", "--data", data(), "--method", method, "-K", "30", "--iters", "300",
          "--all-iters", "--seed", "4", "--guide", bad.toString(), "--trace", trace.toString(), "--sample-K", "300");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.err().startsWith("fit: 300 " + method.toUpperCase(java.util.Locale.ROOT) + " iterations at K = 30"),
          r.err());
      List<String> lines = Files.readAllLines(trace);
      assertEquals(301, lines.size());
      double first = 0;
      double last = 0;
      for (int i = 1; i <= 20; i++) {
        first += Double.parseDouble(lines.get(i).split(",")[2]) / 20;
        last += Double.parseDouble(lines.get(lines.size() - i).split(",")[2]) / 20;
      }
      assertTrue(last > first + 30 && last > qemBound - 2, method + ": " + first + " -> " + last + ", qem " + qemBound);
      assertTrue(r.out().contains("theta[7]"), r.out());
    }
  }

  @Test
  void aGuideFileForOtherPlateSizesIsRefused(@TempDir Path dir) throws Exception {
    Path guide = dir.resolve("bad.json");
    Files.writeString(guide, "{\"mu_loc\": 0, \"mu_scale\": 1, \"tau_loc\": 0, \"tau_scale\": 1,"
        + " \"theta_loc\": [0, 0], \"theta_scale\": [1, 1]}");
    CliTest.Run r = CliTest.run(automatic, "sample", "--data", data(), "--guide", guide.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("guide parameter 'theta_loc' has shape [2], expected [8] for this data's plate sizes"),
        r.err());
  }
}
