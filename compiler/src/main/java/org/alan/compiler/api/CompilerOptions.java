package org.alan.compiler.api;

import java.util.Objects;

/**
 * What to produce.
 *
 * @param packageName the Java package of generated model classes
 * @param checkOnly stop after checking (no code generation)
 * @param packageJar compile the generated Java and build a jar
 * @param bundleRuntime put the runtime into the jar so that {@code java -jar} works on its own; apps that
 *     depend on {@code alan-runtime} can use thin jars
 * @param dumps which intermediate forms to keep as text ({@code --debug-ast}, ...)
 */
public record CompilerOptions(String packageName, boolean checkOnly, boolean packageJar, boolean bundleRuntime,
    Dumps dumps) {
  public static final String DEFAULT_PACKAGE = "alan.models";

  /** Intermediate forms that can be printed. */
  public record Dumps(boolean ast, boolean ir, boolean factors, boolean java) {
    public static final Dumps NONE = new Dumps(false, false, false, false);
  }

  public CompilerOptions {
    Objects.requireNonNull(packageName, "packageName is null");
    Objects.requireNonNull(dumps, "dumps is null");
    if (!javax.lang.model.SourceVersion.isName(packageName) || packageName.equals("java")
        || packageName.startsWith("java.")) {
      throw new IllegalArgumentException("'" + packageName + "' is not a usable Java package name (dot-separated"
          + " identifiers, no keywords, not in java.*), e.g. com.example.models");
    }
  }

  public static CompilerOptions defaults() {
    return new CompilerOptions(DEFAULT_PACKAGE, false, true, true, Dumps.NONE);
  }

  public CompilerOptions withCheckOnly(boolean value) {
    return new CompilerOptions(packageName, value, packageJar, bundleRuntime, dumps);
  }

  public CompilerOptions withPackageJar(boolean value) {
    return new CompilerOptions(packageName, checkOnly, value, bundleRuntime, dumps);
  }

  public CompilerOptions withBundleRuntime(boolean value) {
    return new CompilerOptions(packageName, checkOnly, packageJar, value, dumps);
  }

  public CompilerOptions withPackageName(String value) {
    return new CompilerOptions(value, checkOnly, packageJar, bundleRuntime, dumps);
  }

  public CompilerOptions withDumps(Dumps value) {
    return new CompilerOptions(packageName, checkOnly, packageJar, bundleRuntime, value);
  }
}
