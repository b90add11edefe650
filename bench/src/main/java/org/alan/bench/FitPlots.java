package org.alan.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.io.TracePlot;

/**
 * Plots written by {@code bench/run-fit.sh}: for each model and K, the bound against iteration of each method
 * (the mean over the seeds' traces, {@code <model>_<method>_K<k>_seed<s>.csv}); and where both a model and its
 * {@code _reparam} variant were run, one plot of the two side by side ({@code <model>_vs_reparam_K<k>.png}: spec
 * section 6.7 expects QEM's trajectories to coincide and VI's to degrade).
 *
 * <p>Usage: {@code FitPlots TRACE_DIR OUT_DIR MODEL[,MODEL...] METHOD[,METHOD...] K[,K...]}
 */
public final class FitPlots {
  private FitPlots() {}

  public static void main(String[] args) throws IOException {
    Path traces = Path.of(args[0]);
    Path out = Path.of(args[1]);
    for (String model : args[2].split(",")) {
      for (String k : args[4].split(",")) {
        List<TracePlot.Line> lines = new ArrayList<>();
        for (String method : args[3].split(",")) {
          double[] mean = meanTrace(traces, model + "_" + method + "_K" + k + "_seed");
          if (mean != null) {
            lines.add(new TracePlot.Line(method, mean));
          }
        }
        write(out.resolve(model + "_K" + k + ".png"), model + ", K = " + k + ": bound per iteration (mean over seeds)",
            lines);
        List<TracePlot.Line> pair = new ArrayList<>();
        for (String method : args[3].split(",")) {
          double[] plain = meanTrace(traces, model + "_" + method + "_K" + k + "_seed");
          double[] reparam = meanTrace(traces, model + "_reparam_" + method + "_K" + k + "_seed");
          if (plain != null && reparam != null) {
            pair.add(new TracePlot.Line(method, plain));
            pair.add(new TracePlot.Line(method + " (reparam)", reparam));
          }
        }
        write(out.resolve(model + "_vs_reparam_K" + k + ".png"),
            model + " and " + model + "_reparam, K = " + k + ": bound per iteration (mean over seeds)", pair);
      }
    }
  }

  private static void write(Path file, String title, List<TracePlot.Line> lines) throws IOException {
    if (!lines.isEmpty()) {
      TracePlot.writePng(file, title, lines);
      System.out.println("wrote " + file);
    }
  }

  /** The mean bound per iteration over the traces whose names start with {@code prefix}, or null if none. */
  static double[] meanTrace(Path dir, String prefix) throws IOException {
    List<double[]> runs = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted()::iterator) {
        List<String> lines = Files.readAllLines(f);
        double[] b = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
          b[i - 1] = Double.parseDouble(lines.get(i).split(",")[2]);
        }
        runs.add(b);
      }
    }
    if (runs.isEmpty()) {
      return null;
    }
    int n = runs.stream().mapToInt(r -> r.length).min().orElseThrow();
    double[] mean = new double[n];
    for (double[] r : runs) {
      for (int i = 0; i < n; i++) {
        mean[i] += r[i] / runs.size();
      }
    }
    return mean;
  }
}
