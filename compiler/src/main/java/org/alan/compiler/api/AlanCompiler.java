package org.alan.compiler.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.alan.compiler.driver.Pipeline;
import org.alan.compiler.source.SourceFile;

/** The compiler's library entry point. Thread-safe; every call is independent. */
public final class AlanCompiler {
  private AlanCompiler() {}

  /** Compiles source text; {@code name} is the file name printed in diagnostics. */
  public static CompilationResult compile(String source, String name, CompilerOptions options) {
    return Pipeline.run(new SourceFile(name, source), options);
  }

  /** Compiles a file, naming it in diagnostics as given. */
  public static CompilationResult compile(Path file, CompilerOptions options) throws IOException {
    return compile(Files.readString(file, StandardCharsets.UTF_8), file.toString(), options);
  }
}
