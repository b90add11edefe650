package org.alan.compiler.diag;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * One message about the program, anchored at a span.
 *
 * @param notes further lines printed after the excerpt ("note: plate 'users' is declared here")
 */
public record Diagnostic(Severity severity, SourceSpan span, String message, List<String> notes) {
  public Diagnostic {
    Objects.requireNonNull(severity, "severity is null");
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(message, "message is null");
    notes = List.copyOf(notes);
  }

  public static Diagnostic error(SourceSpan span, String message, String... notes) {
    return new Diagnostic(Severity.ERROR, span, message, List.of(notes));
  }

  public static Diagnostic warning(SourceSpan span, String message, String... notes) {
    return new Diagnostic(Severity.WARNING, span, message, List.of(notes));
  }
}
