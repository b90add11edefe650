package org.alan.compiler.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A named source text with a line index, so spans can be turned into line and column and excerpts. */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] lineStarts;

  /**
   * A source text; line ends may be {@code \n}, {@code \r\n} or a lone {@code \r} (classic Mac), which is read as
   * {@code \n} so that the lexer's line numbers and ours agree (offsets do not change).
   */
  public SourceFile(String name, String text) {
    this.name = Objects.requireNonNull(name, "name is null");
    this.text = Objects.requireNonNull(text, "text is null").replaceAll("\r(?!\n)", "\n");
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < this.text.length(); i++) {
      if (this.text.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The name printed in diagnostics (usually the path as the user typed it). */
  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  /** 1-based line of a character offset. */
  public int lineOf(int offset) {
    int lo = 0;
    int hi = lineStarts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (lineStarts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo + 1;
  }

  /** 1-based column of a character offset. */
  public int columnOf(int offset) {
    return offset - lineStarts[lineOf(offset) - 1] + 1;
  }

  /** The text of a 1-based line, without its line terminator. */
  public String line(int line) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\r') {
      end--;
    }
    return text.substring(start, Math.max(start, end));
  }

  public int lineCount() {
    return lineStarts.length;
  }
}
