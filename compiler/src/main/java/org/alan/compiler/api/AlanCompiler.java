package org.alan.compiler.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.driver.Pipeline;
import org.alan.compiler.source.SourceFile;
import org.alan.compiler.source.SourceSpan;

/** The compiler's library entry point. Thread-safe; every call is independent. */
public final class AlanCompiler {
  private AlanCompiler() {}

  /** Compiles source text; {@code name} is the file name printed in diagnostics. */
  public static CompilationResult compile(String source, String name, CompilerOptions options) {
    return Pipeline.run(new SourceFile(name, source), options);
  }

  /**
   * Compiles a file, naming it in diagnostics as given. The file must be UTF-8 (a leading byte-order mark is
   * skipped); a byte sequence that is not is reported where it occurs.
   */
  public static CompilationResult compile(Path file, CompilerOptions options) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer text = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(ByteBuffer.wrap(bytes), text, true);
    if (result.isError()) {
      String lenient = new String(bytes, StandardCharsets.UTF_8);
      SourceFile source = new SourceFile(file.toString(), lenient);
      int at = text.position();
      SourceSpan span = new SourceSpan(at, at + 1, source.lineOf(at), source.columnOf(at));
      Diagnostic error = Diagnostic.error(span, "this file is not UTF-8 text: byte 0x"
          + String.format("%02X", bytes[byteOffset(bytes, at)] & 0xFF) + " cannot start or continue a character here",
          "save the file as UTF-8");
      return new CompilationResult(source, List.of(error), List.of(), Map.of());
    }
    text.flip();
    String source = text.toString();
    if (source.startsWith("\uFEFF")) {
      source = source.substring(1);
    }
    return compile(source, file.toString(), options);
  }

  /** The byte offset of the first undecodable byte: the bytes of the {@code chars} valid characters before it. */
  private static int byteOffset(byte[] bytes, int chars) {
    String prefix = new String(bytes, StandardCharsets.UTF_8).substring(0, chars);
    return prefix.getBytes(StandardCharsets.UTF_8).length;
  }
}
