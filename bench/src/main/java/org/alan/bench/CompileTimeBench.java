package org.alan.bench;

import java.util.Arrays;
import java.util.Locale;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;

/**
 * How compile time grows with the length of an expression (issue 9: it must grow linearly): a model whose
 * observation's location is a sum of n terms, alternately a product of an input and a constant and the exp of a
 * multiple of a latent. For each n, the median over runs of checking alone and of checking, planning and Java
 * generation (javac excluded: its time and its 64 KB-per-method limit are the JVM's), in milliseconds, and the
 * time per term, which stays flat where the passes are linear.
 *
 * <pre>bench/run-compile-time.sh [n ...]</pre>
 */
public final class CompileTimeBench {
  private CompileTimeBench() {}

  public static void main(String[] args) {
    int[] sizes = args.length == 0 ? new int[] {1000, 3000, 10000, 30000}
        : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    CompilerOptions check = CompilerOptions.defaults().withCheckOnly(true);
    CompilerOptions java = CompilerOptions.defaults().withPackageJar(false);
    compile(model(200), java); // warm-up
    System.out.println("terms,check_ms,check_and_java_ms,java_chars,us_per_term");
    for (int n : sizes) {
      String source = model(n);
      double[] checkMs = new double[3];
      double[] javaMs = new double[3];
      int chars = 0;
      for (int r = 0; r < 3; r++) {
        checkMs[r] = compile(source, check)[0];
        double[] j = compile(source, java);
        javaMs[r] = j[0];
        chars = (int) j[1];
      }
      Arrays.sort(checkMs);
      Arrays.sort(javaMs);
      System.out.printf(Locale.ROOT, "%d,%.0f,%.0f,%d,%.1f%n", n, checkMs[1], javaMs[1], chars, 1000 * javaMs[1] / n);
    }
  }

  /** Milliseconds, and the characters of Java generated. */
  private static double[] compile(String source, CompilerOptions options) {
    long start = System.nanoTime();
    CompilationResult result = AlanCompiler.compile(source, "terms.alan", options);
    double ms = (System.nanoTime() - start) / 1e6;
    if (!result.succeeded()) {
      throw new IllegalStateException(result.renderDiagnostics());
    }
    String javaSource = result.artifacts().get(0).javaSource();
    return new double[] {ms, javaSource == null ? 0 : javaSource.length()};
  }

  static String model(int terms) {
    StringBuilder sum = new StringBuilder();
    for (int i = 0; i < terms; i++) {
      sum.append(i == 0 ? "" : " + ").append(i % 2 == 1 ? (i % 7 + 1) + ".5 * x" : "exp(mu * " + (i % 5 + 1) + ")");
    }
    return "model Terms {\n  mu ~ Normal(0, 1);\n  plate rows {\n    input x;\n    data y ~ Normal(mu + 0.0001 * ("
        + sum + "), 1);\n  }\n}\n";
  }
}
