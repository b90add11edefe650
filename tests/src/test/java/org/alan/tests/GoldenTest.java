package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompiledArtifact;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.diag.Diagnostics;
import org.alan.compiler.parse.ProgramParser;
import org.alan.compiler.source.SourceFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests: {@code bad/*.alan} against their rendered diagnostics ({@code .errors.expected}), and
 * {@code good/*.alan} against their contraction plans ({@code .explain.expected}). Run with
 * {@code UPDATE_GOLDEN=1} to rewrite the expected files, then review the diff.
 */
class GoldenTest {
  private static final boolean UPDATE = "1".equals(System.getenv("UPDATE_GOLDEN"));

  @TestFactory
  Stream<DynamicTest> badProgramsGiveTheirDiagnostics() throws IOException {
    return sources(Path.of("bad")).map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      CompilationResult result = AlanCompiler.compile(file, CompilerOptions.defaults().withCheckOnly(true));
      assertFalse(result.succeeded(), file + " compiles but should not");
      golden(file, ".errors.expected", result.renderDiagnostics());
    }));
  }

  @TestFactory
  Stream<DynamicTest> goodProgramsCompileToTheirPlans() throws IOException {
    return sources(Path.of("good")).map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      CompilationResult result = AlanCompiler.compile(file, CompilerOptions.defaults().withBundleRuntime(false));
      assertTrue(result.succeeded(), result.renderDiagnostics());
      String plans = result.artifacts().stream().map(CompiledArtifact::explain).collect(Collectors.joining("\n"));
      golden(file, ".explain.expected", result.renderDiagnostics() + plans);
      for (CompiledArtifact a : result.artifacts()) {
        assertTrue(a.jar().length > 0, "jar of " + a.modelName());
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> goodProgramsRoundTripThroughThePrinter() throws IOException {
    return sources(Path.of("good")).map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      String printed = print(Files.readString(file));
      assertEquals(printed, print(printed), "parse -> print -> parse -> print is stable");
    }));
  }

  private static String print(String source) {
    Diagnostics d = new Diagnostics();
    var program = ProgramParser.parse(new SourceFile("x.alan", source), d).orElseThrow();
    assertFalse(d.hasErrors());
    return org.alan.compiler.ast.AstPrinter.print(program);
  }

  private static Stream<Path> sources(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".alan")).sorted().toList();
      assertFalse(list.isEmpty(), "no .alan files in " + dir.toAbsolutePath());
      return list.stream();
    }
  }

  private static void golden(Path source, String suffix, String actual) throws IOException {
    String name = source.getFileName().toString().replaceFirst("\\.alan$", suffix);
    Path expected = source.resolveSibling(name);
    if (UPDATE) {
      Files.writeString(expected, actual, StandardCharsets.UTF_8);
      return;
    }
    assertTrue(Files.exists(expected), expected + " is missing; run the tests with UPDATE_GOLDEN=1 to create it");
    assertEquals(Files.readString(expected, StandardCharsets.UTF_8), actual, "golden file " + expected);
  }
}
