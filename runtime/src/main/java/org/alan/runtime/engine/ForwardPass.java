package org.alan.runtime.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.alan.kernels.LogSumExp;
import org.alan.kernels.LseOps;
import org.alan.runtime.engine.Layouts.StepLayout;
import org.alan.runtime.model.FactorKernel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.PlateNest;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.TensorRef;

/**
 * The forward pass: for every plate bottom-up and every element in parallel, the planned steps stream the factors
 * through a log-sum-exp in tiles; the per-element step outputs are kept (they are small: no K dimension of the
 * element's own groups), and the top level's outputs sum to the log marginal likelihood estimate (spec 2.4). A
 * non-finite result is explained by name: the factor and element where it arises.
 */
final class ForwardPass {
  /** Entries a worker may stage per tile for the two-pass log-sum-exp (16 MB); beyond, the online form is used. */
  private static final long STAGE_LIMIT = 1 << 21;

  private final Contraction run;
  private final ModelState state;
  private final Progress progress;
  private final Layouts layouts;
  private final PlatePlan[] plans;
  private final double[][][] stepOut;
  private final double[][][] finalOut;
  private final double[][][] childSum;
  private final double[][][] kept;
  private final Workspace[] workspaces;
  private final LseOps lse;
  private final ModelSpec spec;
  private final Parallel parallel;
  private final boolean[] factorsOnly;

  ForwardPass(Contraction run) {
    this.run = run;
    this.state = run.state;
    this.progress = run.progress;
    this.layouts = run.layouts;
    this.plans = run.plans;
    this.stepOut = run.stepOut;
    this.finalOut = run.finalOut;
    this.childSum = run.childSum;
    this.kept = run.kept;
    this.workspaces = run.workspaces;
    this.lse = run.lse;
    this.spec = run.spec;
    this.parallel = run.parallel;
    this.factorsOnly = new boolean[plans.length];
    for (int p = 0; p < plans.length; p++) {
      factorsOnly[p] = plans[p].handsUpFactorsOnly();
    }
  }


  /**
   * Elements of one parent element whose outputs one task sums, in order: the partial sums are then added in
   * chunk order, so the result does not depend on the number of workers, and no output is kept per element.
   */
  static final int CHUNK = 32;

  /**
   * The same for a plate that only hands up its factors: its kernels sum runs of elements at once, some from
   * sufficient statistics with a fixed cost per run, so runs are long; but short enough that a plate of a few
   * thousand rows still spreads over the workers.
   */
  static final int FACTOR_CHUNK = 512;

  /** Elements per chunk of plate p. */
  private static int chunkLength(ModelSpec spec, int p) {
    return spec.plan().plates()[p].handsUpFactorsOnly() ? FACTOR_CHUNK : CHUNK;
  }

  /** The chunks of plate {@code p}: each parent element's elements, {@link #chunkLength} at a time. */
  static int chunks(ModelSpec spec, PlateNest nest, int p) {
    int parent = spec.plates()[p].parent();
    if (parent < 0) {
      return nest.count(p);
    }
    int length = chunkLength(spec, p);
    if (!nest.grouped(p)) {
      return Math.multiplyExact(nest.count(parent), chunksPerParent(nest.sizeAt(p, 0), length));
    }
    int chunks = 0;
    for (int pe = 0; pe < nest.count(parent); pe++) {
      chunks = Math.addExact(chunks, chunksPerParent(nest.sizeAt(p, pe), length));
    }
    return chunks;
  }

  /** Whether plate {@code p} keeps partial sums per chunk (else it sums straight into its parent's slots). */
  static boolean keepsChunks(ModelSpec spec, PlateNest nest, int p) {
    int parent = spec.plates()[p].parent();
    return parent < 0 || chunks(spec, nest, p) > nest.count(parent);
  }

  /** Chunks of one parent element with this many elements: at least one, so that an empty one is cleared. */
  private static int chunksPerParent(int size, int length) {
    return Math.max(1, (size + length - 1) / length);
  }

  /**
   * Where each chunk of plate p lies: {@code [from, to)} of its elements (flat over the nest), and the first chunk
   * of each parent element (one past the last at the end).
   */
  private record ChunkMap(int[] from, int[] to, int[] firstOfParent) {
    static ChunkMap of(ModelSpec spec, PlateNest nest, int p) {
      int parent = spec.plates()[p].parent();
      int parents = parent < 0 ? 1 : nest.count(parent);
      int chunks = chunks(spec, nest, p);
      int length = chunkLength(spec, p);
      int[] from = new int[chunks];
      int[] to = new int[chunks];
      int[] firstOfParent = new int[parents + 1];
      int c = 0;
      for (int pe = 0; pe < parents; pe++) {
        firstOfParent[pe] = c;
        int first = parent < 0 ? 0 : nest.first(p, pe);
        int size = parent < 0 ? 1 : nest.sizeAt(p, pe);
        int per = parent < 0 ? nest.count(p) : chunksPerParent(size, length);
        for (int j = 0; j < per; j++, c++) {
          // the top level is one element, split into chunks of one for the loop's sake
          from[c] = parent < 0 ? j : first + j * length;
          to[c] = parent < 0 ? j + 1 : Math.min(first + size, from[c] + length);
        }
      }
      firstOfParent[parents] = c;
      return new ChunkMap(from, to, firstOfParent);
    }
  }

  double forward() {
    int[] order = spec.plan().bottomUp();
    long total = run.totalElements(order);
    AtomicLong done = new AtomicLong();
    for (int p : order) {
      final int plate = p;
      int parent = spec.plates()[p].parent();
      ChunkMap map = ChunkMap.of(spec, state.nest, p);
      int chunks = map.from().length;
      double[][] targets = targets(p, chunks);
      if (state.plateCount[p] < parallel.threads()) {
        for (int c = 0; c < chunks; c++) {
          clear(p, targets, c);
          for (int e = map.from()[c]; e < map.to()[c]; e++) {
            forwardElementInTiles(plate, e, targets, c);
          }
        }
        progress.report("forward", done.addAndGet(state.plateCount[p]), total);
      } else {
        parallel.forRange(chunks, (worker, fromChunk, toChunk) -> {
          Workspace ws = workspaces[worker];
          long elements = 0;
          for (int c = fromChunk; c < toChunk; c++) {
            clear(plate, targets, c);
            int from = map.from()[c];
            int to = map.to()[c];
            if (factorsOnly[plate]) {
              if (to > from) {
                addFactorSums(plate, from, to, ws, targets, c);
              }
            } else {
              for (int e = from; e < to; e++) {
                forwardElement(plate, e, ws, targets, c);
              }
            }
            elements += to - from;
          }
          progress.report("forward", done.addAndGet(elements), total);
        });
      }
      if (parent >= 0 && keepsChunks(spec, state.nest, p)) {
        sumChunks(p, map.firstOfParent());
      }
    }
    double logMl = 0;
    for (double[] f : finalOut[0]) {
      logMl += f[0];
    }
    if (Double.isNaN(logMl)) {
      throw new InferenceException(diagnoseNonFinite(true));
    }
    if (logMl == Double.NEGATIVE_INFINITY) {
      throw new InferenceException(diagnoseImpossible());
    }
    if (logMl == Double.POSITIVE_INFINITY) {
      throw new InferenceException(diagnoseNonFinite(false));
    }
    run.logMl = logMl;
    return logMl;
  }

  /**
   * Adds the factors of elements {@code [first, last)} of plate p to the chunk, each summed over the elements at
   * once ({@link FactorKernel#addElements}): p is a plate that {@link PlatePlan#handsUpFactorsOnly}.
   */
  private void addFactorSums(int p, int first, int last, Workspace ws, double[][] targets, int chunk) {
    PlatePlan plan = plans[p];
    ws.moveTo(first);
    for (int i = 0; i < plan.finals().length; i++) {
      int size = layouts.finalSize[p][i];
      for (TensorRef ref : plan.finals()[i].inputs()) {
        run.addWholeElements(ws.kernelForElements(ref.index()), ref.index(), first, last, targets[i], chunk * size);
      }
    }
  }

  private void forwardElement(int p, int e, Workspace ws, double[][] targets, int chunk) {
    PlatePlan plan = plans[p];
    run.prepare(plan, e, ws);
    for (int s = 0; s < plan.steps().length; s++) {
      forwardTiles(p, e, s, 0, run.tiles(p, s), ws);
    }
    addFinals(p, e, ws, targets, chunk);
  }

  /**
   * Where each final output of plate {@code p} is summed: the chunks' partial sums, or the parent's child slots
   * themselves where each parent element is one chunk.
   */
  private double[][] targets(int p, int chunks) {
    int parent = spec.plates()[p].parent();
    if (finalOut[p].length > 0 && finalOut[p][0] != null) {
      return finalOut[p];
    }
    double[][] slots = new double[plans[p].finals().length][];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = childSum[parent][Layouts.slotOf(plans[parent], p, i)];
    }
    return slots;
  }

  private void clear(int p, double[][] targets, int chunk) {
    for (int i = 0; i < targets.length; i++) {
      int n = layouts.finalSize[p][i];
      Arrays.fill(targets[i], chunk * n, (chunk + 1) * n, 0.0);
    }
  }

  /**
   * The same for a plate with fewer elements than workers: the tiles of each step are shared out instead (each
   * tile's log-sum-exp is independent, so the result does not depend on who computes it).
   */
  private void forwardElementInTiles(int p, int e, double[][] targets, int chunk) {
    PlatePlan plan = plans[p];
    for (int s = 0; s < plan.steps().length; s++) {
      final int step = s;
      parallel.forStatic(run.tiles(p, s), (worker, from, to) -> {
        Workspace ws = workspaces[worker];
        run.prepare(plan, e, ws);
        forwardTiles(p, e, step, from, to, ws);
      });
    }
    run.prepare(plan, e, workspaces[0]);
    addFinals(p, e, workspaces[0], targets, chunk);
  }

  /** Step s of element e for tiles {@code [fromTile, toTile)} of its output. */
  private void forwardTiles(int p, int e, int s, int fromTile, int toTile, Workspace ws) {
    StepLayout layout = layouts.steps[p][s];
    int rest = layout.restSize;
    int tile = Math.min(layouts.tile, rest);
    ws.ensure(tile);
    double[] keep = kept[p][s];
    for (int t = fromTile; t < toTile; t++) {
      int t0 = t * tile;
      int n = Math.min(tile, rest - t0);
      LogSumExp.reset(ws.max, ws.sum, 0, n);
      long staged = (long) layout.sumSize * n;
      if (keep == null && staged > STAGE_LIMIT) {
        // too many summed assignments to stage: one online pass, nothing stored
        for (int sigma = 0; sigma < layout.sumSize; sigma++) {
          run.gather(p, e, layout, sigma, t0, n, ws.x, 0, ws);
          lse.update(ws.max, ws.sum, 0, ws.x, 0, n);
        }
      } else {
        // the tile's inputs for every summed assignment are written once (kept for the backward pass, or staged
        // in the worker's buffer), then two cheap passes: the maximum, then the sum of exponentials
        double[] x = keep != null ? keep : ws.stage((int) staged);
        int base = keep != null ? e * layout.sumSize * rest + t0 : 0;
        int stride = keep != null ? rest : n;
        for (int sigma = 0; sigma < layout.sumSize; sigma++) {
          run.gather(p, e, layout, sigma, t0, n, x, base + sigma * stride, ws);
          lse.maxInto(ws.max, 0, x, base + sigma * stride, n);
        }
        for (int sigma = 0; sigma < layout.sumSize; sigma++) {
          lse.sumExpInto(ws.sum, 0, x, base + sigma * stride, ws.max, n);
        }
      }
      lse.finish(ws.max, ws.sum, 0, stepOut[p][s], e * rest + t0, n);
    }
  }

  /** Adds element e's final outputs to chunk {@code chunk} of {@code targets}. */
  private void addFinals(int p, int e, Workspace ws, double[][] targets, int chunk) {
    PlatePlan plan = plans[p];
    for (int i = 0; i < plan.finals().length; i++) {
      int size = layouts.finalSize[p][i];
      for (TensorRef ref : plan.finals()[i].inputs()) {
        addWhole(p, e, ref, size, targets[i], chunk * size, ws);
      }
    }
  }

  /** Adds a whole tensor of the element (no summed dimensions) to {@code out}. */
  private void addWhole(int p, int e, TensorRef ref, int size, double[] out, int off, Workspace ws) {
    double[] src;
    int srcOff;
    switch (ref.source()) {
      case FACTOR -> {
        run.addWhole(ws.kernel(ref.index()), ref.index(), out, off);
        return;
      }
      case STEP -> {
        src = stepOut[p][ref.index()];
        srcOff = e * size;
      }
      case CHILD -> {
        src = childSum[p][ref.index()];
        srcOff = e * size;
      }
      default -> throw new IllegalStateException(ref.toString());
    }
    for (int j = 0; j < size; j++) {
      out[off + j] += src[srcOff + j];
    }
  }

  /** Adds each parent element's chunks of partial sums, in order, into the parent's child slots. */
  private void sumChunks(int p, int[] firstOfParent) {
    int parent = spec.plates()[p].parent();
    for (int i = 0; i < plans[p].finals().length; i++) {
      int n = layouts.finalSize[p][i];
      double[] src = finalOut[p][i];
      double[] dst = childSum[parent][Layouts.slotOf(plans[parent], p, i)];
      parallel.forRange(state.plateCount[parent], (worker, from, to) -> {
        for (int pe = from; pe < to; pe++) {
          int base = pe * n;
          System.arraycopy(src, firstOfParent[pe] * n, dst, base, n);
          for (int c = firstOfParent[pe] + 1; c < firstOfParent[pe + 1]; c++) {
            int chunk = c * n;
            for (int t = 0; t < n; t++) {
              dst[base + t] += src[chunk + t];
            }
          }
        }
      });
    }
  }

  /** Finds the first factor and element whose log density is NaN or +infinity, to say so by name. */
  private String diagnoseNonFinite(boolean nan) {
    Workspace ws = workspaces[0];
    for (int p : spec.plan().bottomUp()) {
      for (int f : plans[p].factors()) {
        int size = layouts.factorSize[f];
        double[] buf = new double[size];
        for (int e = 0; e < state.plateCount[p]; e++) {
          ws.moveTo(e);
          run.fillWhole(ws.kernel(f), f, buf);
          for (double v : buf) {
            if (nan ? Double.isNaN(v) : v == Double.POSITIVE_INFINITY) {
              String name = spec.factors()[f].name();
              return "the log density of '" + name + "'" + Contraction.factorWhere(spec, f) + " is "
                  + (nan ? "NaN" : "+infinity") + Posterior.elementLabel(spec, state, p, e) + (nan
                  ? ": a distribution parameter is out of range there (a negative scale, a log of a negative"
                      + " number?)"
                  : ": the density is unbounded at a particle there (a scale of 0, a Beta or Gamma with"
                      + " concentration below 1 at its boundary?)");
            }
          }
        }
      }
    }
    return "the log marginal likelihood is " + (nan ? "NaN" : "+infinity");
  }

  /** Names a factor and element where every particle combination has zero probability. */
  private String diagnoseImpossible() {
    Workspace ws = workspaces[0];
    String where = "";
    search:
    for (int p : spec.plan().bottomUp()) {
      for (int f : plans[p].factors()) {
        double[] buf = new double[layouts.factorSize[f]];
        for (int e = 0; e < state.plateCount[p]; e++) {
          ws.moveTo(e);
          run.fillWhole(ws.kernel(f), f, buf);
          if (java.util.Arrays.stream(buf).allMatch(v -> v == Double.NEGATIVE_INFINITY)) {
            String factor = "'" + spec.factors()[f].name() + "'" + Contraction.factorWhere(spec, f);
            String element = Posterior.elementLabel(spec, state, p, e);
            if (spec.factors()[f].dims().length == 0) {
              return "the log marginal likelihood is -infinity: " + factor + " has zero probability" + element
                  + " whatever the latent variables (its distribution depends on none of them): the data are"
                  + " impossible under the model with these inputs";
            }
            where = ": every particle gives " + factor + " zero probability" + element;
            break search;
          }
        }
      }
    }
    return "the log marginal likelihood estimate is -infinity, no combination of particles is possible" + where
        + ". The guide must propose values the data allow; more particles (-K) may also help";
  }
}
