package org.alan.runtime.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.alan.runtime.engine.Draws;

/**
 * Writes draws as a Stan-style CSV: {@code #} comment lines with run metadata, a header of column names with
 * 1-based element indices joined by dots ({@code theta.3}, {@code z.12.5}), then one row per draw.
 */
public final class DrawsWriter {
  private DrawsWriter() {}

  public static void write(Draws draws, Map<String, String> metadata, Writer target) throws IOException {
    BufferedWriter out = new BufferedWriter(target);
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      out.write("# " + e.getKey() + " = " + e.getValue().replace('\n', ' ') + "\n");
    }
    List<String> names = draws.names();
    StringBuilder header = new StringBuilder();
    for (String name : names) {
      int[] shape = draws.shape(name);
      int entries = draws.entries(name);
      for (int i = 0; i < entries; i++) {
        if (header.length() > 0) {
          header.append(',');
        }
        header.append(column(name, shape, i));
      }
    }
    out.write(header.append('\n').toString());
    double[][] values = new double[names.size()][];
    for (int v = 0; v < names.size(); v++) {
      values[v] = draws.values(names.get(v));
    }
    StringBuilder row = new StringBuilder();
    for (int d = 0; d < draws.count(); d++) {
      row.setLength(0);
      for (int v = 0; v < names.size(); v++) {
        int entries = draws.entries(names.get(v));
        for (int i = 0; i < entries; i++) {
          if (row.length() > 0) {
            row.append(',');
          }
          row.append(format(values[v][d * entries + i]));
        }
      }
      out.write(row.append('\n').toString());
    }
    out.flush();
  }

  static String column(String name, int[] shape, int flat) {
    StringBuilder b = new StringBuilder(name);
    for (int i : Indices.unflatten(flat, shape)) {
      b.append('.').append(i + 1);
    }
    return b.toString();
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.9g", v);
  }
}
