package org.alan.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.api.ModelLoader;
import org.alan.kernels.LogSumExp;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.JsonData;
import org.alan.runtime.model.CompiledModel;

/**
 * Time of one {@code sample} of MovieLens (300 users x 5 films): draw the particles, compute the log marginal
 * likelihood and every posterior mean (exact backward pass). Warm-up first, then the median of several runs.
 *
 * <pre>bench/run-movielens.sh [K ...]</pre>
 */
public final class MovieLensBench {
  /** The reference PyTorch implementation on the same 2-core machine (issue figures), seconds per iteration. */
  private static final double TORCH_K10 = 0.169;
  private static final double TORCH_K30 = 5.6;

  private MovieLensBench() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("alan.root", "."));
    Path model = root.resolve("examples/movielens/movielens.alan");
    Path data = root.resolve("../shared/data/movielens/train.json");
    if (!Files.exists(data)) {
      data = root.resolve("examples/movielens/simulated.json");
    }
    int[] ks = args.length == 0 ? new int[] {3, 10, 30, 100} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    CompilationResult result = AlanCompiler.compile(model, CompilerOptions.defaults().withBundleRuntime(false));
    if (!result.succeeded()) {
      throw new IllegalStateException(result.renderDiagnostics());
    }
    CompiledModel compiled = ModelLoader.instantiate(result.artifacts().get(0));
    Model bound = Model.of(compiled, JsonData.read(data));
    int threads = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "MovieLens %s, data %s, %d threads, vectorised kernels %s, max heap %d MB%n",
        Arrays.toString(bound.plateSizes()), data.getFileName(), threads, LogSumExp.vectorised() ? "on" : "off",
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.println("    K   median (s)   min (s)   max (s)   runs   log P-hat   vs PyTorch");
    for (int k : ks) {
      int runs = k >= 100 ? 5 : 15;
      long warmupUntil = System.nanoTime() + (k >= 100 ? 4_000_000_000L : 2_000_000_000L);
      int seed = 1;
      do {
        bound.sample(SampleOptions.of(k, seed++));
      } while (System.nanoTime() < warmupUntil);
      double[] seconds = new double[runs];
      double logMl = 0;
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        Posterior p = bound.sample(SampleOptions.of(k, seed++));
        seconds[r] = (System.nanoTime() - start) / 1e9;
        logMl = p.logMarginalLikelihood();
      }
      Arrays.sort(seconds);
      double median = seconds[runs / 2];
      String versus = k == 10 ? String.format(Locale.ROOT, "%.1fx faster than 0.169 s", TORCH_K10 / median)
          : k == 30 ? String.format(Locale.ROOT, "%.1fx faster than 5.6 s", TORCH_K30 / median) : "";
      System.out.printf(Locale.ROOT, "%5d   %10.4f   %7.4f   %7.4f   %4d   %9.2f   %s%n", k, median, seconds[0],
          seconds[runs - 1], runs, logMl, versus);
    }
  }
}
