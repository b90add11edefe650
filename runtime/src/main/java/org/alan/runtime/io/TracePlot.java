package org.alan.runtime.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of the bound against iteration (XChart), for {@code fit --plot} and the benchmarks. */
public final class TracePlot {
  private TracePlot() {}

  /** One line: a name for the legend, and the bound at each iteration (from 1). */
  public record Line(String name, double[] bounds) {}

  /**
   * Writes a PNG of each line's bound against its iteration. The vertical axis starts a little below the lowest
   * bound after the first tenth of the iterations, so that the early climb does not flatten the rest.
   */
  public static void writePng(Path file, String title, List<Line> lines) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("iteration")
        .yAxisTitle("bound (log marginal likelihood estimate)").build();
    chart.getStyler().setLegendVisible(lines.size() > 1);
    chart.getStyler().setMarkerSize(0);
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (Line line : lines) {
      double[] x = new double[line.bounds().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
      }
      XYSeries series = chart.addSeries(line.name(), x, line.bounds());
      series.setMarker(SeriesMarkers.NONE);
      for (int i = line.bounds().length / 10; i < line.bounds().length; i++) {
        if (Double.isFinite(line.bounds()[i])) {
          low = Math.min(low, line.bounds()[i]);
          high = Math.max(high, line.bounds()[i]);
        }
      }
    }
    if (low < high) {
      double margin = 0.05 * (high - low);
      chart.getStyler().setYAxisMin(low - margin);
      chart.getStyler().setYAxisMax(high + margin);
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(chart, file.toString().replaceAll("(?i)\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The same from named traces. */
  public static void writePng(Path file, String title, Map<String, double[]> lines) throws IOException {
    writePng(file, title, lines.entrySet().stream().map(e -> new Line(e.getKey(), e.getValue())).toList());
  }
}
