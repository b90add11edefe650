package org.alan.compiler.check;

import java.util.Set;

/** Java's reserved words and the java.lang names a generated class must not hide. */
final class JavaNames {
  private JavaNames() {}

  private static final Set<String> KEYWORDS = Set.of(
      "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
      "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
      "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
      "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
      "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "_", "var",
      "yield", "record", "sealed", "permits", "non-sealed");

  private static final Set<String> JAVA_LANG = Set.of(
      "Object", "String", "Math", "Double", "Integer", "Long", "Boolean", "System", "Class", "Override",
      "Exception", "RuntimeException", "Error", "Thread", "Iterable", "Number", "Character", "Byte", "Short",
      "Float", "Void", "Record", "Enum", "StrictMath", "Runnable", "Deprecated", "SafeVarargs",
      "FunctionalInterface", "SuppressWarnings", "StringBuilder", "Comparable", "AutoCloseable", "Throwable");

  /**
   * Why a model name cannot be the generated class's name, or null: it would clash with a class generated inside
   * it, or hide a class its code names without qualification (other classes are qualified where they clash).
   */
  static String clashWithGeneratedCode(String name) {
    if (name.equals("Data") || name.matches("Factor[0-9]+V?")) {
      return "the generated class " + name + " has a nested class of that name (Data for typed data, FactorN for"
          + " kernels)";
    }
    if (name.equals("DoubleVector")) {
      return "the generated kernels use jdk.incubator.vector.DoubleVector by that name";
    }
    return null;
  }

  static boolean isKeyword(String name) {
    return KEYWORDS.contains(name);
  }

  static boolean clashesWithJavaLang(String name) {
    return JAVA_LANG.contains(name);
  }
}
