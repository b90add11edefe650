package org.alan.compiler.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the diagnostics of one compilation, in source order when read back. */
public final class Diagnostics {
  private final List<Diagnostic> items = new ArrayList<>();

  public void report(Diagnostic diagnostic) {
    items.add(diagnostic);
  }

  public boolean hasErrors() {
    return items.stream().anyMatch(d -> d.severity() == Severity.ERROR);
  }

  public int errorCount() {
    return (int) items.stream().filter(d -> d.severity() == Severity.ERROR).count();
  }

  /** All diagnostics sorted by position (stable for equal positions). */
  public List<Diagnostic> all() {
    List<Diagnostic> sorted = new ArrayList<>(items);
    sorted.sort(Comparator.comparingInt((Diagnostic d) -> d.span().begin()));
    return List.copyOf(sorted);
  }
}
