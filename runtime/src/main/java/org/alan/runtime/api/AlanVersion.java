package org.alan.runtime.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of alan this runtime (and the compiler built with it) belongs to, from the build. */
public final class AlanVersion {
  /** For example "0.1.0-SNAPSHOT"; "unknown" when the classes were not built by Maven. */
  public static final String VALUE = read();

  private AlanVersion() {}

  private static String read() {
    try (InputStream in = AlanVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
