package org.alan.runtime.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.alan.kernels.LogSumExp;
import org.alan.kernels.LseOps;
import org.alan.runtime.engine.Layouts.StepLayout;
import org.alan.runtime.model.ModelSpec;
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
  }


  double forward() {
    int[] order = spec.plan().bottomUp();
    long total = run.totalElements(order);
    AtomicLong done = new AtomicLong();
    for (int p : order) {
      final int plate = p;
      int count = state.plateCount[p];
      if (count < parallel.threads()) {
        for (int e = 0; e < count; e++) {
          forwardElementInTiles(plate, e);
        }
        progress.report("forward", done.addAndGet(count), total);
      } else {
        parallel.forRange(count, (worker, from, to) -> {
          Workspace ws = workspaces[worker];
          for (int e = from; e < to; e++) {
            forwardElement(plate, e, ws);
          }
          progress.report("forward", done.addAndGet(to - from), total);
        });
      }
      sumIntoParent(p);
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

  private void forwardElement(int p, int e, Workspace ws) {
    PlatePlan plan = plans[p];
    run.prepare(plan, e, ws);
    for (int s = 0; s < plan.steps().length; s++) {
      forwardTiles(p, e, s, 0, run.tiles(p, s), ws);
    }
    finals(p, e, ws);
  }

  /**
   * The same for a plate with fewer elements than workers: the tiles of each step are shared out instead (each
   * tile's log-sum-exp is independent, so the result does not depend on who computes it).
   */
  private void forwardElementInTiles(int p, int e) {
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
    finals(p, e, workspaces[0]);
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

  private void finals(int p, int e, Workspace ws) {
    PlatePlan plan = plans[p];
    for (int i = 0; i < plan.finals().length; i++) {
      int size = layouts.finalSize[p][i];
      double[] out = finalOut[p][i];
      int off = e * size;
      Arrays.fill(out, off, off + size, 0.0);
      for (TensorRef ref : plan.finals()[i].inputs()) {
        addWhole(p, e, ref, size, out, off, ws);
      }
    }
  }

  /** Adds a whole tensor of the element (no summed dimensions) to {@code out}. */
  private void addWhole(int p, int e, TensorRef ref, int size, double[] out, int off, Workspace ws) {
    double[] src;
    int srcOff;
    switch (ref.source()) {
      case FACTOR -> {
        src = ws.block(ref.index(), size);
        run.fillWhole(ws.kernel(ref.index()), ref.index(), src);
        srcOff = 0;
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

  /** Sums each final output of plate {@code p} over the plate's elements into the parent's child slot. */
  private void sumIntoParent(int p) {
    int parent = spec.plates()[p].parent();
    if (parent < 0) {
      return;
    }
    int size = state.plateSize[p];
    int parents = state.plateCount[parent];
    for (int i = 0; i < plans[p].finals().length; i++) {
      int slot = Layouts.slotOf(plans[parent], p, i);
      int n = layouts.finalSize[p][i];
      double[] src = finalOut[p][i];
      double[] dst = childSum[parent][slot];
      parallel.forRange(parents, (worker, from, to) -> {
        for (int pe = from; pe < to; pe++) {
          int base = pe * n;
          Arrays.fill(dst, base, base + n, 0.0);
          for (int j = 0; j < size; j++) {
            int e = pe * size + j;
            for (int t = 0; t < n; t++) {
              dst[base + t] += src[e * n + t];
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
              return "the log density of '" + name + "'" + Contraction.where(spec, Contraction.factorVariable(spec, f)) + " is "
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
            String factor = "'" + spec.factors()[f].name() + "'" + Contraction.where(spec, Contraction.factorVariable(spec, f));
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
