package org.alan.compiler.driver;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompiledArtifact;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.diag.InternalCompilerError;
import org.alan.compiler.diag.Severity;
import org.alan.runtime.cli.PicocliMessages;
import org.alan.runtime.io.IoErrors;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.plan.PlanExplainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code alanc model.alan [-d DIR] [--emit java] [--check] [--explain]}: compiles each model of the file to
 * {@code DIR/<Model>.jar}. Exit status: 0 success, 1 errors in the program, 2 bad command line, 3 a bug in alanc.
 */
@Command(name = "alanc", mixinStandardHelpOptions = true, versionProvider = Alanc.Version.class,
    description = "Compile an .alan model into a jar that samples it with massively parallel importance sampling.")
public final class Alanc implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "the .alan source")
  Path source;

  @Option(names = "-d", paramLabel = "DIR", defaultValue = ".", description = "output directory (default: .)")
  Path outputDir;

  @Option(names = "--emit", paramLabel = "java", description = "also write the generated Java sources")
  String emit;

  @Option(names = "--check", description = "check the program only; write nothing")
  boolean check;

  @Option(names = "--explain", description = "print the contraction plan (factors, dimensions, order, cost)")
  boolean explain;

  @Option(names = "-K", paramLabel = "N", description = "with --explain: particles per group, for cost figures")
  Integer explainK;

  @Option(names = "--size", paramLabel = "PLATE=N", description = "with --explain: a plate's size, for cost figures")
  java.util.Map<String, Integer> sizes = new java.util.LinkedHashMap<>();

  @Option(names = "--package", paramLabel = "NAME", defaultValue = CompilerOptions.DEFAULT_PACKAGE,
      description = "Java package of the generated classes (default: ${DEFAULT-VALUE})")
  String packageName;

  @Option(names = "--thin", description = "leave the runtime out of the jar (for apps depending on alan-runtime)")
  boolean thin;

  @Option(names = "--max-errors", paramLabel = "N", defaultValue = "20",
      description = "print at most N errors and warnings, then how many more (default: 20; 0 for all)")
  int maxErrors;

  @Option(names = "--debug-ast", description = "print the parsed program")
  boolean debugAst;

  @Option(names = "--debug-ir", description = "print the checked model IR")
  boolean debugIr;

  @Option(names = "--debug-factors", description = "print each log factor's expression and K dimensions")
  boolean debugFactors;

  @Option(names = "--print-java", description = "print the generated Java")
  boolean printJava;

  private final PrintStream out;
  private final PrintStream err;

  Alanc(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line, returning its exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new Alanc(out, err));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler((e, strings) -> {
      err.println("alanc: error: " + PicocliMessages.clean(e.getMessage()));
      e.getCommandLine().usage(err);
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof InternalCompilerError) {
        err.println("alanc: " + e.getMessage());
        return 3;
      }
      err.println("alanc: internal error: " + e);
      e.printStackTrace(err);
      err.println("This is a bug in alanc, not in your program. Please report it with the .alan file attached.");
      return 3;
    });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) {
      // an Error passes picocli's handler
      err.println(String.format(Locale.ROOT, "alanc: error: ran out of memory (this JVM may use %d MB); give it"
          + " more with ALANC_JAVA_OPTS=-Xmx%dg bin/alanc ... (java -Xmx%<dg -jar alanc.jar ... otherwise)",
          Runtime.getRuntime().maxMemory() >> 20, 2 * Math.max(1, Runtime.getRuntime().maxMemory() >> 30)));
      return 3;
    }
  }

  @Override
  public Integer call() throws IOException {
    if (emit != null && !emit.equals("java")) {
      err.println("alanc: error: --emit takes 'java', not '" + emit + "'");
      return 2;
    }
    if (Files.isDirectory(source)) {
      err.println("alanc: error: " + source + " is a directory; give an .alan file");
      return 2;
    }
    if (!source.toString().endsWith(".alan")) {
      err.println("alanc: warning: " + source + " does not end in .alan");
    }
    if (!check && Files.exists(outputDir) && !Files.isDirectory(outputDir)) {
      err.println("alanc: error: -d " + outputDir + ": not a directory");
      return 2;
    }
    if (explainK != null && explainK < 1 || sizes.values().stream().anyMatch(n -> n < 1)) {
      err.println("alanc: error: -K and --size take positive numbers");
      return 2;
    }
    if (!explain && (explainK != null || !sizes.isEmpty())) {
      err.println("alanc: warning: -K and --size only change the --explain output; ignored");
    }
    if (maxErrors < 0) {
      err.println("alanc: error: --max-errors must not be negative (0 prints all), not " + maxErrors);
      return 2;
    }
    CompilerOptions options;
    try {
      options = CompilerOptions.defaults()
          .withPackageName(packageName)
          .withCheckOnly(check)
          .withPackageJar(!check)
          .withBundleRuntime(!thin)
          .withDumps(new CompilerOptions.Dumps(debugAst, debugIr, debugFactors, printJava));
    } catch (IllegalArgumentException e) {
      err.println("alanc: error: --package: " + e.getMessage());
      return 2;
    }
    CompilationResult result;
    try {
      result = AlanCompiler.compile(source, options);
    } catch (NoSuchFileException e) {
      err.println("alanc: error: no such file: " + source);
      return 1;
    } catch (java.nio.file.AccessDeniedException e) {
      err.println("alanc: error: cannot read " + source + ": permission denied");
      return 1;
    }
    err.print(result.renderDiagnostics(maxErrors));
    for (Map.Entry<String, String> dump : result.dumps().entrySet()) {
      out.println("== " + dump.getKey() + " ==");
      out.print(dump.getValue());
    }
    if (!result.succeeded()) {
      long errors = result.diagnostics().stream()
          .filter(d -> d.severity() == Severity.ERROR).count();
      err.println(errors + (errors == 1 ? " error" : " errors"));
      return 1;
    }
    java.util.Set<String> plates = new java.util.TreeSet<>();
    result.artifacts().forEach(a -> java.util.Arrays.stream(a.spec().plates()).skip(1).forEach(p -> plates.add(p.name())));
    for (String plate : sizes.keySet()) {
      if (!plates.contains(plate)) {
        err.println("alanc: error: --size: no plate '" + plate + "' in " + source + (plates.isEmpty() ? " (it has no plates)"
            : " (plates: " + String.join(", ", plates) + ")"));
        return 2;
      }
    }
    for (CompiledArtifact a : result.artifacts()) {
      if (explain) {
        out.print(explainK != null || !sizes.isEmpty() ? PlanExplainer.explain(a.spec(),
            plateSizes(a.spec()), explainK == null ? 0 : explainK) : a.explain());
      }
      if (check) {
        continue;
      }
      Path jar = outputDir.resolve(a.modelName() + ".jar");
      try {
        Files.createDirectories(outputDir);
        Files.write(jar, a.jar());
        if (emit != null) {
          Path java = outputDir.resolve(a.className().replace('.', '/') + ".java");
          Files.createDirectories(java.getParent());
          Files.writeString(java, a.javaSource(), StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        err.println("alanc: error: cannot write " + jar + " (" + IoErrors.describe(e) + ")");
        return 1;
      }
      if (!explain) {
        out.println("wrote " + jar);
      }
    }
    return 0;
  }

  private int[] plateSizes(ModelSpec spec) {
    int[] out = new int[spec.plates().length];
    for (int p = 1; p < out.length; p++) {
      out[p] = sizes.getOrDefault(spec.plates()[p].name(), spec.plates()[p].fixedSize());
    }
    return out;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"alanc " + Pipeline.VERSION};
    }
  }
}
