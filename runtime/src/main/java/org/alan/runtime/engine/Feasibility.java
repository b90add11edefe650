package org.alan.runtime.engine;

import java.util.Locale;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.PlateNest;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.plan.ChildSlot;
import org.alan.runtime.plan.FinalOutput;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.Step;

/**
 * Checks, before anything is allocated, that a run fits: every array within Java's 2^31 limit and the memory it
 * needs within the heap. A run that does not fit is refused with the figures, instead of failing half-way.
 */
public final class Feasibility {
  private Feasibility() {}

  /** The share of the heap an estimate may fill: the rest is for what it leaves out (small buffers, the collector). */
  private static final double HEAP_SHARE = 0.9;

  static void verify(CompiledModel model, PlateNest nest, int k, int draws, int threads) {
    ModelSpec spec = model.spec();
    int[] count = nest.counts();
    double bytes = 0;
    String tooLarge = "K = " + k + " is too large";
    for (VariableSpec v : spec.variables()) {
      if (v.isLatent()) {
        bytes += array("the particles of '" + v.name() + "'", (double) count[v.plate()] * v.size() * k,
            tooLarge, "a smaller K");
        if (draws > 0) {
          bytes += array("the draws of '" + v.name() + "'", (double) draws * count[v.plate()] * v.size(),
              draws + " draws are too many", "fewer draws");
        }
      }
    }
    double widest = 0;
    for (PlatePlan p : spec.plan().plates()) {
      double elements = count[p.plate()];
      for (Step s : p.steps()) {
        double entries = Math.pow(k, s.sum().length + s.rest().length);
        if (entries > Integer.MAX_VALUE) {
          throw new ResourceLimitException(String.format(Locale.ROOT, "K = %d is too large for this model: a step of %s"
              + " sums over K^%d = %.3g particle combinations per element; use a smaller K, or group latents in the"
              + " guide so that fewer K dimensions meet (see '<Model>.jar explain')", k,
              plateName(spec, p.plate()), s.sum().length + s.rest().length, entries));
        }
        if (entries * s.sum().length > Integer.MAX_VALUE) {
          throw new ResourceLimitException(String.format(Locale.ROOT, "K = %d is too large for this model: a step of %s"
              + " sums over %d K dimensions at once; use a smaller K", k, plateName(spec, p.plate()),
              s.sum().length));
        }
        widest = Math.max(widest, entries);
        bytes += array("a step output of " + plateName(spec, p.plate()), elements * Math.pow(k, s.rest().length),
            tooLarge, "a smaller K");
      }
      if (ForwardPass.keepsChunks(spec, nest, p.plate())) {
        double chunks = ForwardPass.chunks(spec, nest, p.plate());
        for (FinalOutput f : p.finals()) {
          bytes += array("an output of " + plateName(spec, p.plate()), chunks * Math.pow(k, f.dims().length),
              tooLarge, "a smaller K");
        }
      }
      for (ChildSlot c : p.children()) {
        bytes += 2 * array("a child result of " + plateName(spec, p.plate()), elements * Math.pow(k, c.dims().length),
            tooLarge, "a smaller K");
      }
    }
    // per worker: a factor block and a tile, for draws a whole step per element, and each factor's kernel with the
    // subexpressions it materialises (eight schools' theta factor over the K^2 particle pairs of theta and (mu, tau))
    double kernels = 0;
    for (int f = 0; f < spec.factors().length; f++) {
      kernels += model.kernelWorkspace(f, k);
    }
    double perWorker = 8.0 * (Math.min(widest, 1 << 21) * (draws > 0 ? 2 : 1) + kernels);
    double workers = threads * perWorker;
    long heap = Runtime.getRuntime().maxMemory();
    double usable = HEAP_SHARE * heap;
    if (bytes + workers <= usable) {
      return;
    }
    int fitting = (int) Math.min(threads, Math.floor((usable - bytes) / perWorker));
    if (threads > 1 && workers > bytes && fitting >= 1) {
      // the workspaces, not the particles, are what does not fit, and fewer workers would: blame the thread count
      throw new ResourceLimitException(String.format(Locale.ROOT, "%d worker threads need about %s of workspace"
          + " (%s each) besides the %s for particles and intermediate results at K = %d, more than the %s this JVM"
          + " may use; use fewer --threads (at most %d fit, and this machine has %d processors), or %s", threads,
          size(workers), size(perWorker), size(bytes), k, size(heap), fitting,
          Runtime.getRuntime().availableProcessors(), moreMemory(bytes + workers)));
    }
    throw new ResourceLimitException(String.format(Locale.ROOT, "K = %d needs about %s for particles,"
        + " intermediate results and the workers' workspace, more than the %s this JVM may use; %s", k,
        size(bytes + workers), size(heap),
        advice(draws, bytes + workers)));
  }

  /**
   * Refuses a simulation whose values, with the JSON text they are written as, do not fit in the heap: about
   * {@link #SIMULATED_BYTES} per value.
   */
  static void verifySimulation(ModelSpec spec, int[] count) {
    double values = 0;
    for (VariableSpec v : spec.variables()) {
      double n = (double) count[v.plate()] * v.size();
      array("the simulated values of '" + v.name() + "'", n, "these plate sizes are too large", "smaller --size"
          + " values");
      values += n;
    }
    long heap = Runtime.getRuntime().maxMemory();
    double bytes = values * SIMULATED_BYTES;
    if (bytes > HEAP_SHARE * heap) {
      throw new ResourceLimitException(String.format(Locale.ROOT, "simulating %.3g values needs about %s with their"
          + " JSON text, more than the %s this JVM may use; use smaller --size values, or %s", values, size(bytes),
          size(heap), moreMemory(bytes)));
    }
  }

  /**
   * A simulated value's memory: the double and about 20 characters of JSON, with the text buffer's growth and the
   * collector's slack (4e7 values peaked at 4.3 GB).
   */
  private static final double SIMULATED_BYTES = 8 + 4 * 25;

  /**
   * The error for a run that passed the estimate but still ran out of memory (the estimate leaves out small buffers
   * and fitting's own arrays).
   */
  static ResourceLimitException outOfMemory(int k, int draws) {
    long heap = Runtime.getRuntime().maxMemory();
    return new ResourceLimitException(String.format(Locale.ROOT, "K = %d ran out of memory (this JVM may use %s); %s",
        k, size(heap), advice(draws, 2.0 * heap)));
  }

  private static String advice(int draws, double needed) {
    return "use a smaller K" + (draws > 0 ? " or fewer draws" : "") + ", or " + moreMemory(needed);
  }

  /**
   * How to give Java the memory: bin/alan-run reads ALAN_JAVA_OPTS, a plain {@code java -jar} takes -Xmx. The size
   * suggested is one whose {@link #HEAP_SHARE} holds what is needed.
   */
  public static String moreMemory(double neededBytes) {
    long gib = (long) Math.ceil(neededBytes / HEAP_SHARE / (1L << 30));
    return String.format(Locale.ROOT, "give Java more memory (ALAN_JAVA_OPTS=-Xmx%dg with bin/alan-run, java"
        + " -Xmx%dg -jar ... otherwise)", gib, gib);
  }

  /** A memory size for people: three significant digits in GB, MB or kB. */
  public static String size(double bytes) {
    return bytes >= 1e9 ? String.format(Locale.ROOT, "%.3g GB", bytes / 1e9)
        : bytes >= 1e6 ? String.format(Locale.ROOT, "%.3g MB", bytes / 1e6)
        : String.format(Locale.ROOT, "%.3g kB", bytes / 1e3);
  }

  /** The bytes of one array of {@code entries} doubles, refusing arrays Java cannot hold. */
  private static double array(String what, double entries, String culprit, String remedy) {
    if (entries > Integer.MAX_VALUE - 8) {
      throw new ResourceLimitException(String.format(Locale.ROOT, "%s for this data: %s would hold %.3g values, more"
          + " than a Java array can; use %s", culprit, what, entries, remedy));
    }
    return entries * Double.BYTES;
  }

  private static String plateName(ModelSpec spec, int plate) {
    return plate == 0 ? "the top level" : "plate '" + spec.plates()[plate].name() + "'";
  }
}
