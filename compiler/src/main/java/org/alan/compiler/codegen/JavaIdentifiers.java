package org.alan.compiler.codegen;

import java.util.Collection;
import javax.lang.model.SourceVersion;

/** Turns .alan names into Java member names that are valid, not keywords and not already taken. */
final class JavaIdentifiers {
  private JavaIdentifiers() {}

  /** {@code name} itself when usable, else with underscores appended ({@code int} becomes {@code int_}). */
  static String safe(String name, Collection<String> taken) {
    String candidate = name;
    while (!SourceVersion.isName(candidate) || reserved(candidate) || taken.contains(candidate)) {
      candidate = candidate + "_";
    }
    return candidate;
  }

  /** Member names the generated data builder already uses. */
  private static boolean reserved(String name) {
    return name.equals("model") || name.equals("dataSet") || name.equals("set");
  }
}
