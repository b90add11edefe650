package org.alan.compiler.packaging;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.alan.compiler.diag.InternalCompilerError;
import org.alan.compiler.source.SourceFile;

/**
 * Compiles a generated model class with the JDK's compiler, in memory, and writes the model jar: the model's
 * classes, its {@code .alan} source as a resource, and (unless thin) the runtime with its dependencies, with a
 * manifest whose {@code Main-Class} is the model. Entries are written in sorted order with a fixed timestamp so the
 * same source gives the same jar.
 */
public final class JarBuilder {
  /** Packages a model jar needs at run time (the runtime and its dependencies), as class-file path prefixes. */
  private static final List<String> RUNTIME_PREFIXES = List.of(
      "org/alan/runtime/", "org/alan/kernels/", "org/alan/stdlib/", "com/google/gson/",
      "org/apache/commons/rng/", "org/apache/commons/numbers/", "org/apache/commons/csv/", "picocli/", "org/knowm/xchart/");
  private static final long FIXED_TIME = 1_700_000_000_000L;

  private JarBuilder() {}

  public static byte[] build(String className, String javaSource, SourceFile alanSource, boolean bundleRuntime) {
    Map<String, byte[]> entries = new TreeMap<>();
    compile(className, javaSource).forEach((name, bytes) -> entries.put(name.replace('.', '/') + ".class", bytes));
    String simple = className.substring(className.lastIndexOf('.') + 1);
    entries.put("META-INF/alan/" + simple + ".alan", alanSource.text().getBytes(StandardCharsets.UTF_8));
    if (bundleRuntime) {
      addRuntime(entries);
    }
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(Attributes.Name.MAIN_CLASS, className);
    main.put(new Attributes.Name("Created-By"), "alanc");
    main.put(Attributes.Name.IMPLEMENTATION_TITLE, simple);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes)) {
      JarEntry manifestEntry = new JarEntry(JarFile.MANIFEST_NAME);
      manifestEntry.setTime(FIXED_TIME);
      jar.putNextEntry(manifestEntry);
      manifest.write(jar);
      jar.closeEntry();
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        JarEntry entry = new JarEntry(e.getKey());
        entry.setTime(FIXED_TIME);
        jar.putNextEntry(entry);
        jar.write(e.getValue());
        jar.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Compiles one class and returns its class files by binary name. javac running out of memory is rethrown as
   * {@link OutOfMemoryError}, which alanc reports as such: javac itself prints a trace and a plea to report a javac
   * bug, or fails to load its services with the error as a cause.
   */
  static Map<String, byte[]> compile(String className, String source) {
    try {
      return compileWith(className, source, new StringWriter());
    } catch (RuntimeException | Error e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof OutOfMemoryError) {
          throw new OutOfMemoryError("javac ran out of memory");
        }
      }
      throw e;
    }
  }

  /** {@link #compile(String, String)} with javac's own messages (its crash reports) written to {@code javacOut}. */
  private static Map<String, byte[]> compileWith(String className, String source, StringWriter javacOut) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler: alanc needs a JDK (javac), not just a JRE");
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
    Map<String, ByteArrayOutputStream> outputs = new TreeMap<>();
    JavaFileManager manager = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind,
          FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
          @Override
          public OutputStream openOutputStream() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            outputs.put(name, out);
            return out;
          }
        };
      }
    };
    JavaFileObject unit = new SimpleJavaFileObject(
        URI.create("string:///" + className.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    // --add-modules: the vector kernel classes use jdk.incubator.vector; they only load when the JVM has it
    List<String> options = List.of("--release", "17", "--add-modules", "jdk.incubator.vector", "-classpath",
        classPath(), "-proc:none", "-Xlint:none", "-nowarn", "-g:source,lines");
    boolean ok = javac.getTask(javacOut, manager, diagnostics, options, null, List.of(unit)).call();
    if (!ok && javacOut.toString().contains(OutOfMemoryError.class.getName())) {
      throw new OutOfMemoryError("javac ran out of memory");
    }
    if (!ok) {
      List<String> limits = diagnostics.getDiagnostics().stream()
          .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
          .map(d -> d.getMessage(Locale.ROOT))
          .toList();
      if (!limits.isEmpty() && limits.stream().allMatch(m -> m.matches("(?s).*(too large|too many|too long).*"))) {
        throw new ClassTooLargeException(limits.get(0));
      }
      StringBuilder message = new StringBuilder("generated Java for " + className + " does not compile:");
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          message.append("\n  line ").append(d.getLineNumber()).append(": ").append(d.getMessage(Locale.ROOT));
        }
      }
      throw new InternalCompilerError(message.toString());
    }
    Map<String, byte[]> classes = new TreeMap<>();
    outputs.forEach((name, out) -> classes.put(name, out.toByteArray()));
    return classes;
  }

  /** The classpath alanc runs with: it holds the runtime the generated code is compiled against. */
  private static String classPath() {
    return System.getProperty("java.class.path");
  }

  private static void addRuntime(Map<String, byte[]> entries) {
    for (String element : classPath().split(File.pathSeparator)) {
      if (element.isEmpty()) {
        continue;
      }
      Path path = Path.of(element);
      try {
        if (Files.isDirectory(path)) {
          try (Stream<Path> files = Files.walk(path)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
              String name = path.relativize(file).toString().replace(File.separatorChar, '/');
              if (isRuntime(name)) {
                entries.putIfAbsent(name, Files.readAllBytes(file));
              }
            }
          }
        } else if (Files.isRegularFile(path) && element.endsWith(".jar")) {
          try (JarFile jar = new JarFile(path.toFile())) {
            Enumeration<JarEntry> all = jar.entries();
            while (all.hasMoreElements()) {
              JarEntry e = all.nextElement();
              if (!e.isDirectory() && isRuntime(e.getName())) {
                try (InputStream in = jar.getInputStream(e)) {
                  entries.putIfAbsent(e.getName(), in.readAllBytes());
                }
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading runtime classes from " + element, e);
      }
    }
    List<String> missing = new ArrayList<>();
    for (String prefix : RUNTIME_PREFIXES) {
      if (entries.keySet().stream().noneMatch(n -> n.startsWith(prefix))) {
        missing.add(prefix);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("alanc cannot find the runtime classes " + missing + " on its classpath");
    }
  }

  /** The one runtime resource that is not a class: the version a model jar reports. */
  private static final String VERSION_RESOURCE = "org/alan/runtime/api/version.properties";

  private static boolean isRuntime(String name) {
    if (!(name.endsWith(".class") || name.equals(VERSION_RESOURCE)) || name.endsWith("module-info.class")
        || name.startsWith("META-INF/")) {
      return false;
    }
    return RUNTIME_PREFIXES.stream().anyMatch(name::startsWith);
  }
}
