package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.alan.compiler.driver.Alanc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model jar is a library: an app compiled against {@code EightSchools.jar} builds its data through the generated
 * typed builder and samples, exactly as the README shows.
 */
class TypedApiTest {
  static final String APP = """
      import alan.models.EightSchools;
      import org.alan.runtime.api.Model;
      import org.alan.runtime.engine.Posterior;

      public class App {
        public static String run() {
          Model model = EightSchools.data()
              .sigma(new double[] {15, 10, 16, 11, 9, 11, 10, 18})
              .y(new double[] {28, 8, -3, 7, -1, 1, 18, 12})
              .model();
          Posterior posterior = model.sample(500, 1);
          return posterior.logMarginalLikelihood() + " " + posterior.mean("mu") + " " + posterior.means("theta").length;
        }
      }
      """;

  @Test
  void appCompiledAgainstTheModelJarSamples(@TempDir Path dir) throws Exception {
    assertEquals(0, Alanc.run(new String[] {"../examples/eight_schools/eight_schools.alan", "-d", dir.toString()},
        System.out, System.err));
    Path jar = dir.resolve("EightSchools.jar");
    Path source = dir.resolve("App.java");
    Files.writeString(source, APP);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "--release", "17", "-classpath", jar.toString(), "-d", dir.toString(),
        source.toString());
    assertEquals(0, status, "the app compiles against the model jar alone");
    // the jar carries the runtime, so it and the app's classes are the whole classpath
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL(), jar.toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      String result = (String) loader.loadClass("App").getMethod("run").invoke(null);
      List<String> parts = List.of(result.split(" "));
      assertTrue(Double.isFinite(Double.parseDouble(parts.get(0))), result);
      assertTrue(Math.abs(Double.parseDouble(parts.get(1))) < 20, result);
      assertEquals("8", parts.get(2));
    }
  }
}
