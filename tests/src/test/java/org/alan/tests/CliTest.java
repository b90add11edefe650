package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alan.compiler.driver.Alanc;
import org.alan.runtime.cli.ModelMain;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two command lines: alanc, and the one every model jar carries. Exit statuses, outputs, error texts. */
class CliTest {
  static final Path EIGHT_SCHOOLS = Path.of("..", "examples", "eight_schools", "eight_schools.alan");
  static final Path EIGHT_SCHOOLS_DATA = Path.of("..", "examples", "eight_schools", "data.json");
  static CompiledModel model;

  @BeforeAll
  static void compile() throws Exception {
    model = Models.compile(Files.readString(EIGHT_SCHOOLS));
  }

  /** What a command printed and returned. */
  record Run(int status, String out, String err) {}

  static Run alanc(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Alanc.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run model(String... args) {
    return run(model, args);
  }

  /** Runs the command line of a compiled model. */
  static Run run(CompiledModel compiled, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ModelMain.run(compiled, args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void alancWritesAJarAndJavaSources(@TempDir Path dir) {
    Run r = alanc(EIGHT_SCHOOLS.toString(), "-d", dir.toString(), "--emit", "java");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isRegularFile(dir.resolve("EightSchools.jar")));
    assertTrue(Files.isRegularFile(dir.resolve("alan/models/EightSchools.java")));
    assertEquals("", r.err());
  }

  @Test
  void alancCheckWritesNothingAndExplainPrintsThePlan(@TempDir Path dir) throws Exception {
    Run r = alanc(EIGHT_SCHOOLS.toString(), "-d", dir.toString(), "--check", "--explain");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("step 1: log-sum-exp over [K_theta] of theta + y  ->  [K_global]"), r.out());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void alancReportsErrorsWithStatusOneAndNoStackTrace() {
    Run r = alanc(Path.of("bad", "unknown_variable.alan").toString(), "--check");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("bad/unknown_variable.alan:5:25: error: unknown variable 'sigm'"), r.err());
    assertTrue(r.err().endsWith("1 error\n"), r.err());
    assertFalse(r.err().contains("at org."), "no stack trace");
  }

  @Test
  void alancMissingFileAndBadOptions() {
    Run missing = alanc("nope.alan");
    assertEquals(1, missing.status());
    assertEquals("alanc: error: no such file: nope.alan\n", missing.err());
    Run bad = alanc("--frobnicate", "x.alan");
    assertEquals(2, bad.status());
    assertTrue(bad.err().startsWith("alanc: error: Unknown option: '--frobnicate'"), bad.err());
  }

  @Test
  void alancRefusesUnusableFilesAndNamesWithStatusTwo(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("afile"), "");
    Run notADirectory = alanc(EIGHT_SCHOOLS.toString(), "-d", file.toString());
    assertEquals(2, notADirectory.status());
    assertEquals("alanc: error: -d " + file + ": not a directory\n", notADirectory.err());
    Run directory = alanc(dir.toString());
    assertEquals(2, directory.status());
    assertEquals("alanc: error: " + dir + " is a directory; give an .alan file\n", directory.err());
    for (String name : List.of("1bad", "class", "a..b", "a b", "java.util")) {
      Run r = alanc(EIGHT_SCHOOLS.toString(), "--check", "--package", name);
      assertEquals(2, r.status(), name);
      assertTrue(r.err().startsWith("alanc: error: --package: '" + name + "' is not a usable Java package name"), r.err());
    }
    Run unknownPlate = alanc(EIGHT_SCHOOLS.toString(), "--check", "--explain", "--size", "school=3");
    assertEquals(2, unknownPlate.status());
    assertTrue(unknownPlate.err().startsWith("alanc: error: --size: no plate 'school' in "), unknownPlate.err());
    Run badK = alanc(EIGHT_SCHOOLS.toString(), "--check", "--explain", "-K", "0");
    assertEquals(2, badK.status());
  }

  @Test
  void alancReportsAnUnwritableOutputWithoutAStackTrace(@TempDir Path dir) {
    Run r = alanc(EIGHT_SCHOOLS.toString(), "-d", "/proc/alan-no-such-dir");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("alanc: error: cannot write /proc/alan-no-such-dir/EightSchools.jar ("), r.err());
    assertFalse(r.err().contains("at java."), r.err());
  }

  /** alanc prints 20 diagnostics by default, then how many more; --max-errors changes that, 0 prints all. */
  @Test
  void alancCapsTheDiagnosticsItPrints(@TempDir Path dir) throws Exception {
    StringBuilder program = new StringBuilder("model M {\n");
    for (int i = 0; i < 30; i++) {
      program.append("  x").append(i).append(" ~ Normal(0, missing").append(i).append(");\n");
    }
    Path file = dir.resolve("many.alan");
    Files.writeString(file, program.append("}\n"));
    Run capped = alanc(file.toString(), "--check");
    assertEquals(1, capped.status());
    assertEquals(20, capped.err().split("error: unknown variable", -1).length - 1, capped.err());
    assertTrue(capped.err().contains("'missing19'") && !capped.err().contains("'missing20'"), capped.err());
    assertTrue(capped.err().endsWith("\n... and 10 more errors not shown (--max-errors 0 shows all)\n30 errors\n"),
        capped.err());
    Run all = alanc(file.toString(), "--check", "--max-errors", "0");
    assertEquals(30, all.err().split("error: unknown variable", -1).length - 1, all.err());
    assertTrue(all.err().endsWith("^~~~~~~~~\n30 errors\n"), all.err());
    Run five = alanc(file.toString(), "--check", "--max-errors", "5");
    assertTrue(five.err().endsWith("\n... and 25 more errors not shown (--max-errors 0 shows all)\n30 errors\n"),
        five.err());
    Run negative = alanc(file.toString(), "--check", "--max-errors", "-1");
    assertEquals(2, negative.status());
    assertEquals("alanc: error: --max-errors must not be negative (0 prints all), not -1\n", negative.err());
  }

  /** Out of memory in alanc (in javac or in our passes) is an error with status 3 and the way to give more. */
  @Test
  void alancOutOfMemoryIsStatusThree(@TempDir Path dir) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Xmx10m", "-jar", Path.of("..", "compiler", "target", "alanc.jar").toString(),
        Path.of("..", "examples", "movielens", "movielens.alan").toString(), "-d", dir.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(3, p.waitFor(), err);
    assertTrue(err.startsWith("alanc: error: ran out of memory (this JVM may use "), err);
    assertTrue(err.endsWith("; give it more with ALANC_JAVA_OPTS=-Xmx2g bin/alanc ... (java -Xmx2g -jar alanc.jar"
        + " ... otherwise)\n"), err);
  }

  @Test
  void alancDebugDumps(@TempDir Path dir) {
    Run r = alanc(EIGHT_SCHOOLS.toString(), "--check", "--debug-ast", "--debug-ir", "--debug-factors");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("== ast ==\nmodel EightSchools {"), r.out());
    assertTrue(r.out().contains("== ir EightSchools ==\nmodel EightSchools"), r.out());
    assertTrue(r.out().contains("factor theta dims [0, 1] = "), r.out());
    // in the pipeline's order, every run (an unordered map's order changes with each JVM)
    Run all = alanc(EIGHT_SCHOOLS.toString(), "-d", dir.toString(), "--print-java", "--debug-factors", "--debug-ir",
        "--debug-ast");
    assertEquals(List.of("== ast ==", "== ir EightSchools ==", "== factors EightSchools ==", "== java EightSchools =="),
        all.out().lines().filter(l -> l.startsWith("== ")).toList(), all.out());
  }

  @Test
  void sampleJsonHasTheDocumentedShape() {
    Run r = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "200", "--seed", "3", "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertTrue(Double.isFinite(json.get("log_marginal_likelihood").getAsDouble()));
    assertEquals(200, json.get("K").getAsInt());
    JsonObject vars = json.getAsJsonObject("variables");
    assertEquals(List.of("mu", "tau", "theta"), List.copyOf(vars.keySet()));
    assertTrue(vars.getAsJsonObject("mu").get("mean").getAsJsonPrimitive().isNumber());
    assertTrue(vars.getAsJsonObject("mu").get("ess").getAsJsonPrimitive().isNumber());
    assertEquals(8, vars.getAsJsonObject("theta").getAsJsonArray("mean").size());
    assertEquals(8, vars.getAsJsonObject("theta").getAsJsonArray("ess").size());
    JsonObject mu = vars.getAsJsonObject("mu");
    assertTrue(mu.get("q5").getAsDouble() < mu.get("q50").getAsDouble()
        && mu.get("q50").getAsDouble() < mu.get("q95").getAsDouble(), mu.toString());
    assertEquals(8, vars.getAsJsonObject("theta").getAsJsonArray("q95").size());
  }

  @Test
  void sampleIsDeterministicUnderASeedAndChangesWithIt() {
    String a = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "300", "--seed", "5", "--json",
        "--threads", "1").out();
    String b = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "300", "--seed", "5", "--json",
        "--threads", "2").out();
    String c = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "300", "--seed", "6", "--json").out();
    // the same particles and weights whatever the thread count; the Vector API's exp may round the last bit
    // differently before and after the JIT compiles it, so compare to 1e-12 rather than bit for bit
    assertSameNumbers(JsonParser.parseString(a), JsonParser.parseString(b), "$");
    assertFalse(a.equals(c), "another seed gives another estimate");
  }

  private static void assertSameNumbers(JsonElement x, JsonElement y, String path) {
    if (x.isJsonObject()) {
      for (String key : x.getAsJsonObject().keySet()) {
        assertSameNumbers(x.getAsJsonObject().get(key), y.getAsJsonObject().get(key), path + "." + key);
      }
    } else if (x.isJsonArray()) {
      assertEquals(x.getAsJsonArray().size(), y.getAsJsonArray().size(), path);
      for (int i = 0; i < x.getAsJsonArray().size(); i++) {
        assertSameNumbers(x.getAsJsonArray().get(i), y.getAsJsonArray().get(i), path + "[" + i + "]");
      }
    } else if (x.getAsJsonPrimitive().isNumber()) {
      double u = x.getAsDouble();
      assertEquals(u, y.getAsDouble(), 1e-12 * Math.max(1, Math.abs(u)), path);
    } else {
      assertEquals(x, y, path);
    }
  }

  @Test
  void drawsAreWrittenAsStanCsv(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("draws.csv");
    Run r = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "200", "--draws", "50", "--output",
        csv.toString());
    assertEquals(0, r.status(), r.err());
    List<String> lines = Files.readAllLines(csv);
    assertTrue(lines.get(0).startsWith("# model = EightSchools"));
    String header = lines.stream().filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
    assertEquals("mu,tau,theta.1,theta.2,theta.3,theta.4,theta.5,theta.6,theta.7,theta.8", header);
    assertEquals(50, lines.stream().filter(l -> !l.startsWith("#")).count() - 1);
  }

  @Test
  void badDataIsAnErrorWithStatusOne(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("bad.json");
    Files.writeString(data, "{\"y\": [28, 8, -3], \"sigma\": [15, 10, 16, 11]}");
    Run r = model("sample", "--data", data.toString());
    assertEquals(1, r.status());
    assertEquals("error: " + data + ": plate 'schools' has 4 elements according to 'sigma' but 'y' has 3 along it"
        + " (axis 0)\n", r.err());
  }

  /** A run beyond the memory is refused (or stopped) with status 3, blaming what the user set too high. */
  @Test
  void runsBeyondTheMemoryAreStatusThreeAndSayWhatToChange() {
    Run threads = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "100", "--threads", "1000000");
    assertEquals(3, threads.status());
    // each worker: a tile of the K^2 (theta, (mu, tau)) pairs and its kernel's materialised K^2 + 3K values
    assertTrue(threads.err().startsWith("error: 1000000 worker threads need about 162 GB of workspace (162 kB"
        + " each) besides the 16.0 kB for particles and intermediate results at K = 100, more than the "), threads.err());
    assertTrue(threads.err().contains("; use fewer --threads (at most "), threads.err());
    assertTrue(threads.err().contains("or give Java more memory (ALAN_JAVA_OPTS=-Xmx169g with bin/alan-run, java"
        + " -Xmx169g -jar ... otherwise)\n"), threads.err());
    // refused by the estimate before any sampling (it ran out of memory once the kernel's K^2 array was left out)
    Run particles = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "40000", "--threads", "1");
    assertEquals(3, particles.status());
    assertTrue(particles.err().startsWith("error: K = 40000 needs about 12.8 GB for particles, intermediate results"
        + " and the workers' workspace, more than the "), particles.err());
    assertTrue(particles.err().contains("; use a smaller K, or give Java more memory (ALAN_JAVA_OPTS=-Xmx14g"),
        particles.err());
    assertEquals("", threads.out() + particles.out());
  }

  /** Plate sizes whose product no array can hold, or whose simulation does not fit, are errors naming them. */
  @Test
  void simulateSizesBeyondJavaOrTheMemoryAreRefused() throws Exception {
    CompiledModel nested = Models.compile("""
        model Nest {
          mu ~ Normal(0, 1);
          plate a {
            plate b { data y ~ Normal(mu, 1); }
          }
        }
        """);
    Run overflow = run(nested, "simulate", "--size", "a=100000", "--size", "b=100000");
    assertEquals(1, overflow.status());
    assertEquals("error: plate 'b' would have 10000000000 elements in all ('a' (100000) x 'b' (100000)), more than"
        + " the 2147483647 that Java's arrays can index; use fewer or smaller plates\n", overflow.err());
    Run tooLarge = run(nested, "simulate", "--size", "a=1000", "--size", "b=1000000");
    assertEquals(3, tooLarge.status());
    assertTrue(tooLarge.err().startsWith("error: simulating 1.00e+09 values needs about 108 GB with their JSON text,"
        + " more than the "), tooLarge.err());
    assertTrue(tooLarge.err().contains("; use smaller --size values, or give Java more memory (ALAN_JAVA_OPTS=-Xmx"),
        tooLarge.err());
    Run small = run(nested, "simulate", "--size", "a=2", "--size", "b=3", "--seed", "1");
    assertEquals(0, small.status(), small.err());
    assertEquals(6, JsonParser.parseString(small.out()).getAsJsonObject().get("y").getAsJsonArray().asList().stream()
        .mapToInt(row -> row.getAsJsonArray().size()).sum());
  }

  @Test
  void usageErrorsAreStatusTwo() {
    Run r = model("sample", "-K", "10");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("error: Missing required option: '--data=FILE'"), r.err());
    Run bad = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--sampler", "magic");
    assertEquals(2, bad.status());
    assertTrue(bad.err().startsWith("error: --sampler must be 'permutation' or 'categorical', not 'magic'\nUsage:"),
        bad.err());
    Run noDraws = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--draws", "0", "--output", "x.csv");
    assertEquals(2, noDraws.status());
    assertTrue(noDraws.err().startsWith("error: --output writes posterior draws; give their number with --draws N"
        + " (at least 1)\n"), noDraws.err());
    Run badSize = model("simulate", "--size", "schools");
    assertEquals(2, badSize.status());
    assertTrue(badSize.err().startsWith("error: Value for option '--size' (PLATE=N) should be in KEY=VALUE format"),
        badSize.err());
  }

  /** The non-centred example: theta is a derived quantity in the table and the draws; --predictive adds y_rep. */
  @Test
  void derivedQuantitiesAndReplicatedDataAreWritten(@TempDir Path dir) throws Exception {
    CompiledModel nonCentred = Models.compile(Files.readString(EIGHT_SCHOOLS.resolveSibling(
        "eight_schools_noncentred.alan")));
    Run noOutput = run(nonCentred, "sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--predictive");
    assertEquals(2, noOutput.status());
    assertTrue(noOutput.err().startsWith("error: --predictive adds replicated data to the draws; give --draws N and"
        + " --output FILE.csv to write them\n"), noOutput.err());
    Path draws = dir.resolve("draws.csv");
    Run r = run(nonCentred, "sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "300", "--draws", "20",
        "--output", draws.toString(), "--predictive", "--quiet");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\ntheta[8] "), r.out());
    java.util.List<String> lines = Files.readAllLines(draws).stream().filter(l -> !l.startsWith("#")).toList();
    assertEquals(21, lines.size(), "a header and the 20 draws asked for");
    assertTrue(lines.get(0).contains(",theta.1,") && lines.get(0).endsWith(",y_rep.8"), lines.get(0));
  }

  @Test
  void optionsThatWouldWasteARunAreRefusedFirst(@TempDir Path dir) {
    Run drawsNowhere = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--draws", "10");
    assertEquals(2, drawsNowhere.status());
    assertTrue(drawsNowhere.err().startsWith("error: --draws N makes posterior draws; give --output FILE.csv to write"
        + " them\n"), drawsNowhere.err());
    Path missing = dir.resolve("no-such-dir").resolve("draws.csv");
    Run noDirectory = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--draws", "10", "--output",
        missing.toString());
    assertEquals(1, noDirectory.status());
    assertEquals("error: cannot write " + missing + ": no directory " + missing.getParent() + "\n", noDirectory.err());
    assertEquals("", noDirectory.out(), "nothing was sampled");
    Run intoADirectory = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--draws", "10", "--output",
        dir.toString());
    assertEquals(1, intoADirectory.status());
    assertEquals("error: cannot write " + dir + ": it is a directory\n", intoADirectory.err());
    assertEquals("", intoADirectory.out(), "nothing was sampled");
    // the kernel's file systems accept the open and fail the write (after the run): refused first
    Path proc = Path.of("/proc/version");
    if (Files.exists(proc)) {
      Run intoProc = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--summary", proc.toString());
      assertEquals(1, intoProc.status());
      assertEquals("error: cannot write /proc/version: it is in the kernel's proc file system, not a place for"
          + " output files\n", intoProc.err());
      assertEquals("", intoProc.out(), "nothing was sampled");
      Run simulated = model("simulate", "--output", proc.toString());
      assertEquals(1, simulated.status());
      assertTrue(simulated.err().startsWith("error: cannot write /proc/version: it is in the kernel's proc"),
          simulated.err());
    }
    // a write that fails after the run names the file
    Path full = Path.of("/dev/full");
    if (Files.exists(full)) {
      Run noSpace = model("sample", "--data", EIGHT_SCHOOLS_DATA.toString(), "--summary", full.toString());
      assertEquals(1, noSpace.status());
      assertTrue(noSpace.err().endsWith("error: /dev/full: No space left on device\n"), noSpace.err());
    }
    Run unknownPlate = model("simulate", "--size", "school=3");
    assertEquals("error: the model has no plate 'school'; its plates are schools\n", unknownPlate.err());
    Run zeroK = model("explain", "-K", "0");
    assertEquals(2, zeroK.status());
    assertTrue(zeroK.err().startsWith("error: -K must be at least 1, not 0\n"), zeroK.err());
    Run version = model("--version");
    assertTrue(version.out().matches("(?s)alan runtime \\d+\\.\\d+\\.\\d+.*"), version.out());
    Run usage = model();
    assertEquals(2, usage.status(), "no subcommand is a usage error");
    assertTrue(usage.err().startsWith("Usage: java -jar EightSchools.jar"), usage.err());
  }

  @Test
  void explainWithDataGivesNumbers() {
    Run r = model("explain", "--data", EIGHT_SCHOOLS_DATA.toString(), "-K", "1000");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("plate schools (8 elements)"), r.out());
    assertTrue(r.out().contains("at K = 1000: "), r.out());
  }
}
