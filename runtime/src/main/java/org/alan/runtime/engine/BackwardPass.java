package org.alan.runtime.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.alan.kernels.LseOps;
import org.alan.runtime.engine.Layouts.InputLayout;
import org.alan.runtime.engine.Layouts.StepLayout;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.plan.FinalOutput;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.TensorRef;

/**
 * The backward pass: top-down, each step's softmax times its output adjoint is recomputed from the factors (or read
 * from the kept step inputs) and pushed to its inputs (spec 3.2). A latent group's factor receives the posterior
 * marginal of the group's particles at each plate element; with a gradient asked for, every factor its entries'
 * weights (the derivative of the log marginal likelihood estimate with respect to each entry).
 */
final class BackwardPass {
  /** How far from 1 a marginal's total may be, from rounding alone, before renormalising it is worth a warning. */
  private static final double MARGINAL_TOLERANCE = 1e-6;

  private final Contraction run;
  private final ModelState state;
  private final Progress progress;
  private final Layouts layouts;
  private final PlatePlan[] plans;
  private final double[][][] stepOut;
  private final double[][][] childAdj;
  private final double[][][] kept;
  private final double[][] marginals;
  private final double[][] factorWeights;
  private final java.util.List<String> warnings;
  private final Workspace[] workspaces;
  private final LseOps lse;
  private final ModelSpec spec;
  private final Parallel parallel;

  BackwardPass(Contraction run) {
    this.run = run;
    this.state = run.state;
    this.progress = run.progress;
    this.layouts = run.layouts;
    this.plans = run.plans;
    this.stepOut = run.stepOut;
    this.childAdj = run.childAdj;
    this.kept = run.kept;
    this.marginals = run.marginals;
    this.factorWeights = run.factorWeights;
    this.warnings = run.warnings;
    this.workspaces = run.workspaces;
    this.lse = run.lse;
    this.spec = run.spec;
    this.parallel = run.parallel;
  }


  void backward() {
    int[] bottomUp = spec.plan().bottomUp();
    long total = run.totalElements(bottomUp);
    AtomicLong done = new AtomicLong();
    for (int i = bottomUp.length - 1; i >= 0; i--) {
      final int plate = bottomUp[i];
      int count = state.plateCount[plate];
      if (nothingToCredit(plate)) {
        progress.report("backward", done.addAndGet(count), total);
        continue;
      }
      if (count < parallel.threads()) {
        for (int e = 0; e < count; e++) {
          backwardElementInTiles(plate, e);
        }
        progress.report("backward", done.addAndGet(count), total);
        continue;
      }
      parallel.forRange(count, (worker, from, to) -> {
        Workspace ws = workspaces[worker];
        Sink sink = new Sink(plate);
        for (int e = from; e < to; e++) {
          sink.bindTo(e);
          backwardElement(plate, e, ws, sink);
        }
        progress.report("backward", done.addAndGet(to - from), total);
      });
    }
    normaliseMarginals(run.logMl);
  }

  /**
   * Whether a plate's elements have no adjoints to pass on: a plate that only hands up its factors, none of whose
   * entry weights are collected per element (a gradient reads them from the parent's child adjoints).
   */
  private boolean nothingToCredit(int plate) {
    if (!plans[plate].handsUpFactorsOnly()) {
      return false;
    }
    for (int f : plans[plate].factors()) {
      if (factorWeights != null && factorWeights[f] != null && run.weightsFromParent[f] < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where the adjoints of one element go: its steps' output adjoints, its child slots' adjoints and its groups'
   * marginals, each an array and an offset (the shared arrays, or a worker's private copy).
   */
  private final class Sink {
    final int plate;
    final double[][] steps;
    final double[][] child;
    final int[] childOff;
    final double[][] marginal;
    final int[] marginalOff;
    /** The factors' entry weights (when a gradient is asked for), indexed by factor. */
    final double[][] factor;
    final int[] factorOff;

    Sink(int plate) {
      this.plate = plate;
      PlatePlan plan = plans[plate];
      steps = new double[plan.steps().length][];
      for (int s = 0; s < steps.length; s++) {
        steps[s] = new double[layouts.steps[plate][s].restSize];
      }
      child = new double[plan.children().length][];
      childOff = new int[child.length];
      marginal = new double[spec.groups().length][];
      marginalOff = new int[marginal.length];
      factor = new double[spec.factors().length][];
      factorOff = new int[factor.length];
      weighed = factorWeights == null ? new int[0]
          : java.util.stream.IntStream.range(0, factor.length)
              .filter(f -> spec.factors()[f].plate() == plate && factorWeights[f] != null
                  && run.weightsFromParent[f] < 0).toArray();
    }

    /** The factors of this sink's plate whose weights are collected. */
    final int[] weighed;

    /** Writes go to the run's arrays at element e; step adjoints start at zero. */
    void bindTo(int e) {
      for (double[] a : steps) {
        Arrays.fill(a, 0.0);
      }
      for (int c = 0; c < child.length; c++) {
        child[c] = childAdj[plate][c];
        childOff[c] = e * layouts.childSize[plate][c];
      }
      for (int g : plans[plate].ownGroups()) {
        marginal[g] = marginals[g];
        marginalOff[g] = e * state.K;
      }
      for (int f : weighed) {
        factor[f] = factorWeights[f];
        factorOff[f] = e * layouts.factorSize[f];
      }
    }

    /** A private sink of a worker, with zeroed copies sized for one element. */
    static Sink privateCopy(BackwardPass pass, int plate) {
      Sink s = pass.new Sink(plate);
      for (int c = 0; c < s.child.length; c++) {
        s.child[c] = new double[pass.layouts.childSize[plate][c]];
      }
      for (int g : pass.plans[plate].ownGroups()) {
        s.marginal[g] = new double[pass.state.K];
      }
      for (int f : s.weighed) {
        s.factor[f] = new double[pass.layouts.factorSize[f]];
      }
      return s;
    }

    /** Adds a private sink's contributions into this one, and clears the private one. */
    void absorb(Sink other) {
      for (int s = 0; s < steps.length; s++) {
        addAndClear(other.steps[s], 0, steps[s], 0, steps[s].length);
      }
      for (int c = 0; c < child.length; c++) {
        addAndClear(other.child[c], 0, child[c], childOff[c], other.child[c].length);
      }
      for (int g : plans[plate].ownGroups()) {
        addAndClear(other.marginal[g], 0, marginal[g], marginalOff[g], state.K);
      }
      for (int f : weighed) {
        addAndClear(other.factor[f], 0, factor[f], factorOff[f], other.factor[f].length);
      }
    }

    private void addAndClear(double[] src, int srcOff, double[] dst, int dstOff, int n) {
      for (int j = 0; j < n; j++) {
        dst[dstOff + j] += src[srcOff + j];
        src[srcOff + j] = 0;
      }
    }
  }

  private void backwardElement(int p, int e, Workspace ws, Sink sink) {
    PlatePlan plan = plans[p];
    run.prepare(plan, e, ws);
    finalAdjoints(p, e, sink);
    for (int s = plan.steps().length - 1; s >= 0; s--) {
      if (lse.max(sink.steps[s], 0, layouts.steps[p][s].restSize) > 0) {
        backwardTiles(p, e, s, 0, run.tiles(p, s), ws, sink.steps[s], sink);
      }
    }
  }

  /**
   * The backward pass of one element with its steps' tiles shared out: each worker collects its contributions in
   * a private sink, added in worker order after every step, so the result does not depend on timing.
   */
  private void backwardElementInTiles(int p, int e) {
    PlatePlan plan = plans[p];
    Sink sink = new Sink(p);
    sink.bindTo(e);
    finalAdjoints(p, e, sink);
    Sink[] privates = new Sink[parallel.threads()];
    for (int w = 0; w < privates.length; w++) {
      privates[w] = Sink.privateCopy(this, p);
    }
    for (int s = plan.steps().length - 1; s >= 0; s--) {
      double[] outAdj = sink.steps[s];
      if (lse.max(outAdj, 0, layouts.steps[p][s].restSize) <= 0) {
        continue;
      }
      final int step = s;
      parallel.forStatic(run.tiles(p, s), (worker, from, to) -> {
        Workspace ws = workspaces[worker];
        run.prepare(plan, e, ws);
        backwardTiles(p, e, step, from, to, ws, outAdj, privates[worker]);
      });
      for (Sink pr : privates) {
        sink.absorb(pr);
      }
    }
  }

  /** Credits each final output's adjoint (from the parent's child slot, or 1 at the top) to its inputs. */
  private void finalAdjoints(int p, int e, Sink sink) {
    PlatePlan plan = plans[p];
    int parent = spec.plates()[p].parent();
    for (int i = 0; i < plan.finals().length; i++) {
      FinalOutput fo = plan.finals()[i];
      int size = layouts.finalSize[p][i];
      double[] fadj;
      int foff;
      if (parent < 0) {
        fadj = new double[] {1.0};
        foff = 0;
      } else {
        int slot = Layouts.slotOf(plans[parent], p, i);
        fadj = childAdj[parent][slot];
        foff = state.ancestorElement(p, e, parent) * size;
      }
      for (TensorRef ref : fo.inputs()) {
        double[] dst;
        int doff;
        switch (ref.source()) {
          case STEP -> {
            dst = sink.steps[ref.index()];
            doff = 0;
          }
          case CHILD -> {
            dst = sink.child[ref.index()];
            doff = sink.childOff[ref.index()];
          }
          default -> {
            // a factor added whole (it has no summed dimension): its entries' weights are the output's
            if (sink.factor[ref.index()] != null) {
              double[] w = sink.factor[ref.index()];
              int woff = sink.factorOff[ref.index()];
              if (layouts.factorSize[ref.index()] != size) {
                throw new IllegalStateException("internal error: factor " + ref.index() + " has "
                    + layouts.factorSize[ref.index()] + " entries, its final output " + size);
              }
              for (int j = 0; j < size; j++) {
                w[woff + j] += fadj[foff + j];
              }
            }
            continue;
          }
        }
        for (int j = 0; j < size; j++) {
          dst[doff + j] += fadj[foff + j];
        }
      }
    }
  }

  /** Step s of element e backwards, for tiles {@code [fromTile, toTile)}, given its output's adjoint. */
  private void backwardTiles(int p, int e, int s, int fromTile, int toTile, Workspace ws, double[] outAdj,
      Sink sink) {
    StepLayout layout = layouts.steps[p][s];
    int rest = layout.restSize;
    int tile = Math.min(layouts.tile, rest);
    ws.ensure(tile);
    double[] out = stepOut[p][s];
    double[] keep = kept[p][s];
    for (int t = fromTile; t < toTile; t++) {
      int t0 = t * tile;
      int n = Math.min(tile, rest - t0);
      for (int sigma = 0; sigma < layout.sumSize; sigma++) {
        double[] x = ws.x;
        int xOff = 0;
        if (keep == null) {
          run.gather(p, e, layout, sigma, t0, n, x, 0, ws);
        } else {
          x = keep;
          xOff = (e * layout.sumSize + sigma) * rest + t0;
        }
        lse.softmaxAdjoint(x, xOff, out, e * rest + t0, outAdj, t0, ws.w, 0, n);
        for (InputLayout in : layout.inputs) {
          scatter(layout, sigma, t0, n, in, ws.w, sink);
        }
      }
    }
  }

  /** Pushes a step's entry adjoints {@code w[0, n)} (output entries from t0) at sigma to one of its inputs. */
  private void scatter(StepLayout layout, int sigma, int t0, int n, InputLayout in, double[] w, Sink sink) {
    int index = in.ref.index();
    switch (in.ref.source()) {
      case FACTOR -> {
        if (sink.factor[index] != null) {
          addMapped(sink.factor[index], sink.factorOff[index] + in.lead[sigma] * in.block, in, w, t0, n);
        }
        int group = spec.factors()[index].group();
        if (group < 0) {
          return;
        }
        double[] m = sink.marginal[group];
        int base = sink.marginalOff[group];
        if (in.groupDigit >= 0) {
          m[base + layout.digits[sigma * layout.sum.length + in.groupDigit]] += lse.sum(w, 0, n);
        } else {
          int[] g = in.groupInRest;
          for (int j = 0; j < n; j++) {
            m[base + g[t0 + j]] += w[j];
          }
        }
      }
      case STEP -> addMapped(sink.steps[index], in.lead[sigma] * in.block, in, w, t0, n);
      case CHILD -> addMapped(sink.child[index], sink.childOff[index] + in.lead[sigma] * in.block, in, w, t0, n);
      default -> throw new IllegalStateException(in.ref.toString());
    }
  }

  private void addMapped(double[] dst, int off, InputLayout in, double[] w, int t0, int n) {
    switch (in.map) {
      case SAME -> {
        for (int j = 0; j < n; j++) {
          dst[off + t0 + j] += w[j];
        }
      }
      case SCALAR -> dst[off] += lse.sum(w, 0, n);
      case REPEAT -> {
        for (int j = 0; j < n; ) {
          int t = t0 + j;
          int end = Math.min(n, j + in.repeat - t % in.repeat);
          dst[off + t / in.repeat] += lse.sum(w, j, end - j);
          j = end;
        }
      }
      case TILE -> {
        for (int j = 0; j < n; ) {
          int b = (t0 + j) % in.block;
          int end = Math.min(n, j + in.block - b);
          int to = off + b - j;
          for (int i = j; i < end; i++) {
            dst[to + i] += w[i];
          }
          j = end;
        }
      }
      case OFFSETS -> {
        int[] o = in.offsets;
        for (int j = 0; j < n; j++) {
          dst[off + o[t0 + j]] += w[j];
        }
      }
      default -> throw new IllegalStateException(in.map.toString());
    }
  }

  /**
   * Makes each element's posterior marginal sum to one. It does up to rounding; log densities of huge magnitude
   * (say -1e11, from data far out in a tail) lose digits in the differences the backward pass takes, and the
   * marginals then sum to 1 only within 1e-5 or so: they are renormalised, with a warning when visibly off.
   */
  private void normaliseMarginals(double logMl) {
    int k = state.K;
    double worst = 0;
    for (int g = 0; g < marginals.length; g++) {
      double[] m = marginals[g];
      for (int e = 0; e < m.length / k; e++) {
        double total = lse.sum(m, e * k, k);
        if (!(total > 0 && total < Double.POSITIVE_INFINITY)) {
          throw new InferenceException("internal error: the posterior marginal of group '"
              + spec.groups()[g].name() + "' sums to " + total + " at element " + e
              + "; this is a bug in alan, please report it");
        }
        if (total != 1.0) {
          worst = Math.max(worst, Math.abs(total - 1.0));
          double scale = 1.0 / total;
          for (int i = e * k; i < (e + 1) * k; i++) {
            m[i] *= scale;
          }
        }
      }
    }
    if (worst > MARGINAL_TOLERANCE) {
      warnings.add(String.format(java.util.Locale.ROOT, "posterior weights summed to 1 +- %.1e and were"
          + " renormalised: some log densities are so large in magnitude (the log marginal likelihood is %.3g)"
          + " that double precision loses the differences between particles; rescaling the data or the model's"
          + " units avoids this", worst, logMl));
    }
  }
}
