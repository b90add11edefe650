package org.alan.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.api.ModelLoader;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.engine.Simulator;
import org.alan.runtime.io.Array;
import org.alan.runtime.io.DataSet;
import org.alan.runtime.io.JsonData;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MovieLens example: the benchmark data set (300 users x 5 films) when {@code ../shared/data/movielens} is
 * present, otherwise data simulated from the model itself, with random genre indicators.
 */
class MovieLensExampleTest {
  static final Path SHARED = Path.of("..", "..", "shared", "data", "movielens", "train.json");
  static CompiledModel compiled;
  static Model model;

  @BeforeAll
  static void compile() throws Exception {
    CompilationResult result = AlanCompiler.compile(Path.of("movielens", "movielens.alan"),
        CompilerOptions.defaults().withBundleRuntime(false));
    assertTrue(result.succeeded(), result.renderDiagnostics());
    compiled = ModelLoader.instantiate(result.artifacts().get(0));
    model = Model.of(compiled, data());
  }

  static DataSet data() {
    return Files.exists(SHARED) ? JsonData.read(SHARED) : simulated();
  }

  static DataSet simulated() {
    // 300 users x 5 films, each film in about three of the 18 genres, then obs drawn from the model
    SplittableRandom random = new SplittableRandom(2024);
    double[] x = new double[300 * 5 * 18];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextDouble() < 3.0 / 18 ? 1 : 0;
    }
    DataSet inputs = new DataSet("simulated MovieLens inputs").put("x", new Array(x, new int[] {300, 5, 18}));
    return Simulator.run(compiled, inputs, Map.of(), 7).data();
  }

  @Test
  void samplesAndReportsEveryLatent() {
    Posterior p = model.sample(SampleOptions.of(10, 1));
    assertTrue(Double.isFinite(p.logMarginalLikelihood()));
    assertEquals(18, p.means("mu_z").length);
    assertEquals(300 * 18, p.means("z").length);
    assertEquals(300, p.essArray("z").length);
    assertTrue(Arrays.stream(p.essArray("z")).allMatch(e -> e >= 1 && e <= 10 + 1e-9));
    assertTrue(Arrays.stream(p.means("z")).allMatch(Double::isFinite));
  }

  @Test
  void moreParticlesGiveAHigherBound() {
    double k3 = 0;
    double k30 = 0;
    for (int seed = 1; seed <= 3; seed++) {
      k3 += model.sample(SampleOptions.of(3, seed)).logMarginalLikelihood();
      k30 += model.sample(SampleOptions.of(30, seed)).logMarginalLikelihood();
    }
    assertTrue(k30 > k3, "E[log P-hat] grows with K: K=3 gives " + k3 / 3 + ", K=30 gives " + k30 / 3);
  }

  @Test
  void simulatedDataHasTheBenchmarkShapeAndSamples() {
    DataSet fake = simulated();
    assertEquals(java.util.List.of(300, 5), Arrays.stream(fake.get("obs").dims()).boxed().toList());
    assertTrue(Arrays.stream(fake.get("obs").values()).allMatch(v -> v == 0 || v == 1));
    Posterior p = Model.of(compiled, fake).sample(SampleOptions.of(10, 3));
    assertTrue(Double.isFinite(p.logMarginalLikelihood()));
  }

  @Test
  void bothParentSamplersRun() {
    Posterior cat = model.sample(SampleOptions.of(10, 2).withSampler(ParentSampler.CATEGORICAL));
    assertTrue(Double.isFinite(cat.logMarginalLikelihood()));
  }
}
