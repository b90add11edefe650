package org.alan.compiler.api;

import java.util.List;
import java.util.Map;
import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.diag.DiagnosticRenderer;
import org.alan.compiler.diag.Severity;
import org.alan.compiler.source.SourceFile;

/**
 * What a compilation produced: diagnostics (rendered with excerpts by {@link #renderDiagnostics()}), one artifact
 * per model when there were no errors, and the requested intermediate dumps by name.
 */
public record CompilationResult(SourceFile source, List<Diagnostic> diagnostics, List<CompiledArtifact> artifacts,
    Map<String, String> dumps) {
  public CompilationResult {
    diagnostics = List.copyOf(diagnostics);
    artifacts = List.copyOf(artifacts);
    dumps = Map.copyOf(dumps);
  }

  public boolean succeeded() {
    return diagnostics.stream().noneMatch(d -> d.severity() == Severity.ERROR);
  }

  /** All diagnostics as a compiler prints them: {@code file:line:col: error: message}, excerpt, caret. */
  public String renderDiagnostics() {
    return DiagnosticRenderer.renderAll(source, diagnostics);
  }

  public CompiledArtifact artifact(String modelName) {
    return artifacts.stream().filter(a -> a.modelName().equals(modelName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no model " + modelName));
  }
}
