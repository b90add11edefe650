package org.alan.runtime.io;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.model.ParamSpec;
import org.alan.stdlib.GuideParameter;

/** Writes a posterior summary as a readable table or as JSON. */
public final class SummaryWriter {
  private SummaryWriter() {}

  /** Rows shown per variable in the table before the rest is elided. */
  public static final int TABLE_ROWS_PER_VARIABLE = 12;

  /** The JSON names of {@link Posterior#SUMMARY_QUANTILES}. */
  private static final String[] QUANTILE_NAMES = {"q5", "q50", "q95"};

  /**
   * The log marginal likelihood as the summary prints it ({@code -31.0495}), or {@code undefined (...)} for a model
   * with an improper prior, whose evidence is not a number (the estimator's value is still the fit's bound).
   */
  public static String logMarginalLikelihood(Posterior p) {
    return p.spec().improperLatents().isEmpty() ? String.format(Locale.ROOT, "%.4f", p.logMarginalLikelihood())
        : "undefined (" + improperNote(p) + ")";
  }

  private static String improperNote(Posterior p) {
    java.util.List<String> names = p.spec().improperLatents();
    return "improper prior on " + String.join(", ", names);
  }

  public static String table(Posterior p, String header) {
    StringBuilder out = new StringBuilder();
    out.append(header).append('\n');
    out.append(String.format(Locale.ROOT, "%-24s %12s %12s %12s %12s %12s %10s %6s%n", "variable", "mean", "sd", "5%",
        "50%", "95%", "ess", "khat"));
    for (String name : summarised(p)) {
      double[] mean = p.means(name);
      double[] sd = p.sds(name);
      double[][] q = p.quantiles(name, Posterior.SUMMARY_QUANTILES);
      double[] ess = p.essArray(name);
      double[] khat = p.khatArray(name);
      int[] shape = p.shape(name);
      int perElement = mean.length / ess.length;
      int shown = Math.min(mean.length, TABLE_ROWS_PER_VARIABLE);
      for (int i = 0; i < shown; i++) {
        out.append(String.format(Locale.ROOT, "%-24s %12s %12s %12s %12s %12s %10.1f %6s%n", label(name, shape, i),
            cell(mean[i]), cell(sd[i]), cell(q[0][i]), cell(q[1][i]), cell(q[2][i]), ess[i / perElement],
            khatCell(khat[i / perElement])));
      }
      if (mean.length > shown) {
        out.append(String.format(Locale.ROOT, "%-24s (%d more entries; use --json for all)%n", "  ...",
            mean.length - shown));
      }
    }
    boolean first = true;
    for (int i = 0; i < p.spec().params().length; i++) {
      ParamSpec param = p.spec().params()[i];
      if (param.kind() != GuideParameter.MODEL) {
        continue;
      }
      if (first) {
        out.append(String.format(Locale.ROOT, "%n%-24s %12s%n", "model parameter", "value"));
        first = false;
      }
      double[] value = p.state().nest.userOrder(param.plate(), p.state().params[i], param.size());
      int[] dims = p.spec().dims(param.plate(), param.shape(), p.state().plateSize);
      int shown = Math.min(value.length, TABLE_ROWS_PER_VARIABLE);
      for (int j = 0; j < shown; j++) {
        out.append(String.format(Locale.ROOT, "%-24s %12s%n", label(param.name(), dims, j), cell(value[j])));
      }
      if (value.length > shown) {
        out.append(String.format(Locale.ROOT, "%-24s (%d more entries; use --json for all)%n", "  ...",
            value.length - shown));
      }
    }
    return out.toString();
  }

  /** The latents, then the derived quantities (lets that read latents), as Stan lists parameters then the rest. */
  private static java.util.List<String> summarised(Posterior p) {
    java.util.List<String> names = new java.util.ArrayList<>(p.latentNames());
    names.addAll(p.derivedNames());
    return names;
  }

  /** Pareto k-hat to two decimals, {@code inf}, or {@code -} where none could be fitted (K below 25, a flat tail). */
  private static String khatCell(double k) {
    return Double.isNaN(k) ? "-" : Double.isInfinite(k) ? "inf" : String.format(Locale.ROOT, "%.2f", k);
  }

  /** A number in a 12-character column: fixed point when it fits, else scientific. */
  private static String cell(double v) {
    double a = Math.abs(v);
    return a != 0 && (a >= 1e7 || a < 1e-3) ? String.format(Locale.ROOT, "%.4e", v)
        : String.format(Locale.ROOT, "%.4f", v);
  }

  /** {@code theta[3]}, {@code z[12,5]}: 1-based, as Stan and the draws' CSV columns ({@code theta.3}) name them. */
  private static String label(String name, int[] shape, int flat) {
    if (shape.length == 0) {
      return name;
    }
    int[] idx = Indices.unflatten(flat, shape);
    StringBuilder b = new StringBuilder(name).append('[');
    for (int i = 0; i < idx.length; i++) {
      b.append(i > 0 ? "," : "").append(idx[i] + 1);
    }
    return b.append(']').toString();
  }

  /**
   * {@code {"log_marginal_likelihood": x, "K": k, "variables": {"mu": {"mean": m, "sd": s, "q5": a, "q50": b, "q95": c,
   * "ess": e, "khat": k}, ...}, "derived": ["theta", ...], "parameters": {"name": value, ...}}}:
   * scalars for top-level scalars, nested arrays (plates, then event axes) otherwise. ESS and Pareto k-hat have the
   * plates' shape; k-hat is null where it cannot be fitted (K below 25, a flat tail) or is infinite (a few particles
   * hold all the weight: the ESS is then near 1, and the warnings say so).
   * The variables are the latents, then the derived quantities (summarised from the joint draws), which
   * {@code derived} lists.
   * The parameters are the model's own ({@code param} statements), as the run used them.
   */
  public static String json(Posterior p) {
    StringWriter text = new StringWriter();
    try (JsonWriter w = new JsonWriter(text)) {
      w.setIndent("  ");
      w.beginObject();
      w.name("model").value(p.spec().name());
      w.name("log_marginal_likelihood");
      if (p.spec().improperLatents().isEmpty()) {
        number(w, p.logMarginalLikelihood());
      } else {
        w.nullValue();
        w.name("log_marginal_likelihood_undefined").value(improperNote(p));
      }
      w.name("K").value(p.K());
      if (!p.warnings().isEmpty()) {
        w.name("warnings").beginArray();
        for (String warning : p.warnings()) {
          w.value(warning);
        }
        w.endArray();
      }
      w.name("variables").beginObject();
      for (String name : summarised(p)) {
        w.name(name).beginObject();
        w.name("mean");
        nested(w, p.means(name), p.shape(name));
        w.name("sd");
        nested(w, p.sds(name), p.shape(name));
        double[][] q = p.quantiles(name, Posterior.SUMMARY_QUANTILES);
        for (int i = 0; i < q.length; i++) {
          w.name(QUANTILE_NAMES[i]);
          nested(w, q[i], p.shape(name));
        }
        w.name("ess");
        nested(w, p.essArray(name), p.plateShape(name));
        w.name("khat");
        nested(w, p.khatArray(name), p.plateShape(name));
        w.endObject();
      }
      w.endObject();
      w.name("derived").beginArray();
      for (String name : p.derivedNames()) {
        w.value(name);
      }
      w.endArray();
      w.name("parameters").beginObject();
      for (int i = 0; i < p.spec().params().length; i++) {
        ParamSpec param = p.spec().params()[i];
        if (param.kind() == GuideParameter.MODEL) {
          w.name(param.name());
          nested(w, p.state().nest.userOrder(param.plate(), p.state().params[i], param.size()),
              p.spec().dims(param.plate(), param.shape(), p.state().plateSize));
        }
      }
      w.endObject();
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text + "\n";
  }

  private static void nested(JsonWriter w, double[] values, int[] shape) throws IOException {
    nested(w, values, shape, 0, new int[] {0});
  }

  private static void nested(JsonWriter w, double[] values, int[] shape, int axis, int[] cursor) throws IOException {
    if (axis == shape.length) {
      number(w, values[cursor[0]++]);
      return;
    }
    w.beginArray();
    for (int i = 0; i < shape[axis]; i++) {
      nested(w, values, shape, axis + 1, cursor);
    }
    w.endArray();
  }

  /** JSON has no NaN or infinities: those are written as null. */
  private static void number(JsonWriter w, double v) throws IOException {
    if (Double.isFinite(v)) {
      w.value(v);
    } else {
      w.nullValue();
    }
  }
}
