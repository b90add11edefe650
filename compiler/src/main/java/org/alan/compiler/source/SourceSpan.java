package org.alan.compiler.source;

/**
 * A half-open character range {@code [begin, end)} of a source file, with the 1-based line and column of
 * its first character. Spans compare by value, so AST equality includes positions; tests that compare trees
 * across printing use {@code AstPrinter} instead.
 */
public record SourceSpan(int begin, int end, int line, int column) {
  /** Span for synthesised nodes (the automatic guide); diagnostics never point at it. */
  public static final SourceSpan NONE = new SourceSpan(0, 0, 0, 0);

  public SourceSpan {
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("bad span [" + begin + ", " + end + ")");
    }
  }

  /** The smallest span covering both. */
  public SourceSpan to(SourceSpan other) {
    if (this == NONE) {
      return other;
    }
    if (other == NONE) {
      return this;
    }
    SourceSpan first = begin <= other.begin ? this : other;
    return new SourceSpan(first.begin, Math.max(end, other.end), first.line, first.column);
  }

  public boolean isNone() {
    return line == 0;
  }
}
