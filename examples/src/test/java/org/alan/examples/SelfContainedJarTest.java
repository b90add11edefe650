package org.alan.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.alan.compiler.driver.Alanc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, for real: alanc writes a jar that runs with plain {@code java -jar}, in a JVM of its own
 * that has nothing of alan on its classpath but the jar itself.
 */
class SelfContainedJarTest {
  @Test
  void eightSchoolsJarRunsOnItsOwn(@TempDir Path dir) throws Exception {
    int status = Alanc.run(new String[] {"eight_schools/eight_schools.alan", "-d", dir.toString()}, System.out,
        System.err);
    assertEquals(0, status);
    Path jar = dir.resolve("EightSchools.jar");
    assertTrue(Files.size(jar) < 3_000_000, "model jars stay small: " + Files.size(jar) + " bytes");
    for (List<String> flags : List.of(List.<String>of(), List.of("--add-modules", "jdk.incubator.vector"))) {
      List<String> command = new java.util.ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(flags);
      command.addAll(List.of("-jar", jar.toString(), "sample", "--data", "eight_schools/data.json", "-K", "500",
          "--seed", "1", "--quiet"));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "finished");
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, process.exitValue(), output);
      assertTrue(output.contains("EightSchools: log marginal likelihood"), output);
      assertTrue(output.contains("theta[7]"), output);
    }
  }
}
