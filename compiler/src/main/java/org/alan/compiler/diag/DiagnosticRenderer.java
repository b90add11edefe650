package org.alan.compiler.diag;

import org.alan.compiler.source.SourceFile;
import org.alan.compiler.source.SourceSpan;

/**
 * Renders diagnostics the way compilers people know do:
 *
 * <pre>
 * model.alan:7:22: error: unknown variable 'sigm'
 *     7 |     data y ~ Normal(theta, sigm);
 *       |                            ^~~~
 *   note: did you mean 'sigma'?
 * </pre>
 */
public final class DiagnosticRenderer {
  private DiagnosticRenderer() {}

  public static String render(SourceFile file, Diagnostic d) {
    StringBuilder out = new StringBuilder();
    SourceSpan span = d.span();
    if (span.isNone()) {
      out.append(file.name()).append(": ").append(d.severity().label()).append(": ").append(d.message()).append('\n');
    } else {
      out.append(file.name()).append(':').append(span.line()).append(':').append(span.column()).append(": ")
          .append(d.severity().label()).append(": ").append(d.message()).append('\n');
      String line = file.line(span.line());
      String number = String.valueOf(span.line());
      String gutter = " ".repeat(Math.max(5, number.length() + 1));
      out.append(pad(number, gutter.length())).append(" | ").append(expandTabs(line)).append('\n');
      int startCol = span.column() - 1;
      int lineEnd = line.length();
      int width = Math.max(1, Math.min(span.end() - span.begin(), lineEnd - startCol));
      out.append(gutter).append(" | ").append(" ".repeat(visualWidth(line, startCol))).append('^')
          .append("~".repeat(Math.max(0, width - 1))).append('\n');
    }
    for (String note : d.notes()) {
      out.append("  note: ").append(note).append('\n');
    }
    return out.toString();
  }

  public static String renderAll(SourceFile file, Iterable<Diagnostic> diagnostics) {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : diagnostics) {
      out.append(render(file, d));
    }
    return out.toString();
  }

  private static String pad(String s, int width) {
    return " ".repeat(Math.max(0, width - s.length())) + s;
  }

  /** The excerpt as printed: tabs as four spaces, other control characters (one column each) as '?'. */
  private static String expandTabs(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\t') {
        out.append("    ");
      } else {
        out.append(Character.isISOControl(c) ? '?' : c);
      }
    }
    return out.toString();
  }

  private static int visualWidth(String line, int chars) {
    int w = 0;
    for (int i = 0; i < chars && i < line.length(); i++) {
      w += line.charAt(i) == '\t' ? 4 : 1;
    }
    return w + Math.max(0, chars - line.length());
  }
}
