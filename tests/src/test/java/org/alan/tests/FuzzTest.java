package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.diag.Diagnostic;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.InferenceException;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.DataException;
import org.alan.runtime.io.DataFiles;
import org.alan.runtime.model.CompiledModel;

/**
 * Continuous fuzzing of the compiler front end and the data binder (issue 9): generated programs, mutated corpus
 * programs and mutated data files must give diagnostics, {@link DataException}s or (when the data bind and a run is
 * made) {@link InferenceException}s, never an exception of any other kind, an internal compiler error, or a hang. Each program is compiled through checking, planning and Java
 * generation (everything but javac, whose limits are the JVM's). The corpus is the committed programs of
 * {@code tests/good}, {@code tests/bad}, {@code tests/fuzz} and the examples, and the examples' data files.
 *
 * <p>A bounded run is part of {@code mvn verify} (jqwik's {@code jqwik.tries.default} in
 * {@code junit-platform.properties}); a long one is {@code mvn -B -o test -Dtest=FuzzTest -Djqwik.tries.default=100000}.
 * A failure prints the input; add it to {@code tests/fuzz/} once fixed, so that the corpus keeps it.
 */
class FuzzTest {
  /** Longer than any program the fuzzer makes takes to check: a slower one is reported as a hang. */
  private static final long HANG_MILLIS = 10_000;

  private static final CompilerOptions JAVA_ONLY = CompilerOptions.defaults().withPackageJar(false);
  private static final List<String> PROGRAMS = corpus();
  private static final List<DataCase> DATA = dataCorpus();
  private static long programsRun;
  private static long programsCompiled;
  private static long dataFilesRun;
  private static long sampled;
  private static long slowestMillis;

  @Property(seed = "20261207")
  void generatedProgramsGiveDiagnosticsOnly(@ForAll long seed) {
    compileChecked(new ProgramGenerator(new Random(seed)).program());
  }

  @Property(seed = "20261208")
  void mutatedProgramsGiveDiagnosticsOnly(@ForAll long seed) {
    Random random = new Random(seed);
    String source = PROGRAMS.get(random.nextInt(PROGRAMS.size()));
    compileChecked(Mutations.program(source, random));
  }

  @Property(seed = "20261209")
  void mutatedDataGiveDataErrorsOnly(@ForAll long seed) throws IOException {
    Random random = new Random(seed);
    DataCase base = DATA.get(random.nextInt(DATA.size()));
    String json = Mutations.json(base.json, random);
    Path file = Files.createTempFile("fuzz", base.suffix);
    try {
      Files.writeString(file, json);
      long start = System.nanoTime();
      try {
        Model model = Model.of(base.model, DataFiles.read(base.model.spec(), file));
        try {
          // data that bind may still hold values a model cannot be run on: those are inference errors
          model.sample(SampleOptions.of(20, seed).withThreads(1));
          sampled++;
        } catch (InferenceException expected) {
          assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank(), "an error without a message");
        }
      } catch (DataException expected) {
        assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank(), "a data error without a message");
      } catch (RuntimeException | StackOverflowError e) {
        fail("binding or sampling mutated data of " + base.name + " threw " + e + "\n--- data ---\n" + json, e);
      }
      timed(start, "binding data of " + base.name + ":\n" + json);
      dataFilesRun++;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @AfterContainer
  static void report() {
    System.out.printf("FuzzTest: %d programs (%d of them compiled to Java) and %d data files (%d bound and sampled),"
        + " no crash; slowest %d ms%n", programsRun, programsCompiled, dataFilesRun, sampled, slowestMillis);
  }

  private static void compileChecked(String source) {
    long start = System.nanoTime();
    CompilationResult result;
    try {
      result = AlanCompiler.compile(source, "fuzz.alan", JAVA_ONLY);
      result.renderDiagnostics();
    } catch (RuntimeException | Error e) {
      fail("compiling threw " + e + "\n--- program ---\n" + source, e);
      return;
    }
    for (Diagnostic d : result.diagnostics()) {
      if (d.message().toLowerCase(java.util.Locale.ROOT).contains("internal")) {
        fail("internal error: " + d.message() + "\n--- program ---\n" + source);
      }
    }
    timed(start, "compiling:\n" + source);
    programsRun++;
    if (result.succeeded()) {
      programsCompiled++;
    }
  }

  private static void timed(long start, String what) {
    long millis = (System.nanoTime() - start) / 1_000_000;
    slowestMillis = Math.max(slowestMillis, millis);
    if (millis > HANG_MILLIS) {
      fail("took " + millis + " ms " + what);
    }
  }

  private static List<String> corpus() {
    List<String> out = new ArrayList<>();
    for (String dir : List.of("good", "bad", "fuzz", "../examples")) {
      Path root = Path.of(dir);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".alan") && !p.toString().contains("target"))
            .sorted().toList()) {
          out.add(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (out.size() < 50) {
      throw new IllegalStateException("the fuzz corpus has only " + out.size() + " programs: run from tests/");
    }
    return List.copyOf(out);
  }

  /** A model and a data file it reads (JSON or CSV, by {@code suffix}), to mutate. */
  private record DataCase(String name, CompiledModel model, String json, String suffix) {}

  private static List<DataCase> dataCorpus() {
    List<DataCase> out = new ArrayList<>();
    String[][] cases = {
        {"../examples/eight_schools/eight_schools.alan", "../examples/eight_schools/data.json"},
        {"../examples/dogs/dogs.alan", "../examples/dogs/data.json"},
        {"../examples/mixture/mixture.alan", "../examples/mixture/data.json"},
        {"../examples/ar/ar.alan", "../examples/ar/data.json"},
        {"../examples/radon/radon.alan", "../examples/radon/inputs.json"},
        {"../examples/chimpanzees/chimpanzees.alan", "../examples/chimpanzees/inputs.json"},
        {"../examples/random_intercept/random_intercept.alan", "../examples/random_intercept/houses.csv"},
        {"good/ragged_plate.alan", null},
        {"good/lagged_regression.alan", null},
    };
    // data written here for corpus models whose tests give theirs inline: ragged rows, lags and running sums
    String ragged = "{\"x\": [[0.5, -1, 2], [1], [0, 0.25]], \"y\": [[1.2, 0.3, 2.5], [0.5], [0.1, -0.4]]}";
    String lagged = "{\"y\": [0.1, 0.5, 0.2, 0.9, 1.4, 1.1], \"shock\": [[0, 0, 1, 1], [0, 1, 1, 1]]}";
    try {
      for (String[] c : cases) {
        String data = c[1] == null ? (c[0].contains("ragged") ? ragged : lagged) : Files.readString(Path.of(c[1]));
        String suffix = c[1] != null && c[1].endsWith(".csv") ? ".csv" : ".json";
        if (suffix.equals(".csv")) {
          data = String.join("\n", data.lines().limit(60).toList()) + "\n"; // keep each try fast
        }
        out.add(new DataCase(c[0], Models.compile(Files.readString(Path.of(c[0]))), data, suffix));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(out);
  }
}
