package org.alan.runtime.engine;

import java.util.Arrays;
import org.alan.kernels.LogSumExp;
import org.alan.kernels.LseOps;
import org.alan.runtime.engine.Layouts.InputLayout;
import org.alan.runtime.engine.Layouts.StepLayout;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.TensorRef;

/**
 * One run's storage, shared by its passes ({@link ForwardPass}, {@link BackwardPass}, {@link DrawPass}): per plate
 * the steps' outputs, the final outputs and the child slots with their adjoints, the step inputs kept when they fit
 * the memory budget, the groups' marginals, the factors' entry weights for a gradient, and one workspace per
 * worker; and what every pass reads the factors and steps with (tiles, gathering a step's inputs).
 */
final class Contraction {
  final CompiledModel model;
  final ModelSpec spec;
  final Parallel parallel;
  private final Arena arena;

  final ModelState state;
  final Progress progress;
  final Layouts layouts;
  final PlatePlan[] plans;
  final double[][][] stepOut;
  /** Per plate and final output: the partial sums of each chunk of elements (null where not needed). */
  final double[][][] finalOut;
  final double[][][] childSum;
  final double[][][] childAdj;
  /**
   * Per plate and step, when it fits the memory budget: the summed inputs of every (element, summed assignment,
   * output entry), kept by the forward pass so that the backward pass and the draws need not recompute factors.
   */
  final double[][][] kept;
  final double[][] marginals;
  /**
   * With a gradient asked for: the entry weights of each factor it reads, {@code [factor][element * entries +
   * entry]}, the derivative of the log marginal likelihood estimate with respect to each log factor entry (null
   * otherwise, and null for the factors it does not read).
   */
  final double[][] factorWeights;
  /**
   * Per factor: the parent plate whose child adjoints are its weights (a plate that only hands up its factors:
   * element e's weights start at {@code ancestorElement(e) * entries} of them, shared by the parent's elements),
   * or -1 where {@link #factorWeights} has one row per element.
   */
  final int[] weightsFromParent;
  /** The forward pass's result. */
  double logMl;
  /** Things the user should know about this run's numbers (shown by the CLI, kept by the posterior). */
  final java.util.List<String> warnings = new java.util.ArrayList<>();
  final Workspace[] workspaces;
  final LseOps lse;

  Contraction(CompiledModel model, Parallel parallel, Arena arena, ModelState state, Layouts layouts,
      Progress progress, Gradient.Kind gradient) {
    this.model = model;
    this.spec = model.spec();
    this.parallel = parallel;
    this.arena = arena;
    this.state = state;
    this.lse = LogSumExp.ops(state.vector);
    this.progress = progress;
    this.layouts = layouts;
    this.plans = spec.plan().plates();
    int plates = plans.length;
    stepOut = new double[plates][][];
    finalOut = new double[plates][][];
    childSum = new double[plates][][];
    childAdj = new double[plates][][];
    for (int p = 0; p < plates; p++) {
      int count = state.plateCount[p];
      stepOut[p] = new double[plans[p].steps().length][];
      for (int s = 0; s < stepOut[p].length; s++) {
        stepOut[p][s] = arena.take(Math.multiplyExact(count, layouts.steps[p][s].restSize), false);
      }
      // a plate's outputs are summed over its elements as they are made (ForwardPass.CHUNK at a time), so only
      // each parent element's chunks of partial sums are kept, and none where one chunk covers a parent element
      finalOut[p] = new double[plans[p].finals().length][];
      if (ForwardPass.keepsChunks(spec, state.nest, p)) {
        int chunks = ForwardPass.chunks(spec, state.nest, p);
        for (int i = 0; i < finalOut[p].length; i++) {
          finalOut[p][i] = arena.take(Math.multiplyExact(chunks, layouts.finalSize[p][i]), false);
        }
      }
      childSum[p] = new double[plans[p].children().length][];
      childAdj[p] = new double[plans[p].children().length][];
      for (int c = 0; c < childSum[p].length; c++) {
        childSum[p][c] = arena.take(Math.multiplyExact(count, layouts.childSize[p][c]), false);
        childAdj[p][c] = arena.take(childSum[p][c].length, true);
      }
    }
    kept = new double[plates][][];
    long budget = keepBudget();
    for (int p : spec.plan().bottomUp()) {
      kept[p] = new double[plans[p].steps().length][];
      for (int s = 0; s < kept[p].length; s++) {
        long entries = (long) state.plateCount[p] * layouts.steps[p][s].sumSize * layouts.steps[p][s].restSize;
        if (entries * Double.BYTES <= budget && entries <= Integer.MAX_VALUE - 8) {
          kept[p][s] = arena.take((int) entries, false);
          budget -= entries * Double.BYTES;
        }
      }
    }
    marginals = new double[spec.groups().length][];
    for (int g = 0; g < marginals.length; g++) {
      marginals[g] = new double[state.plateCount[spec.groups()[g].plate()] * state.K];
    }
    factorWeights = gradient != null ? new double[spec.factors().length][] : null;
    weightsFromParent = new int[spec.factors().length];
    Arrays.fill(weightsFromParent, -1);
    if (gradient != null) {
      for (int f = 0; f < factorWeights.length; f++) {
        if (!GradientPass.reads(spec, gradient, f)) {
          continue;
        }
        int plate = spec.factors()[f].plate();
        int parent = spec.plates()[plate].parent();
        if (parent >= 0 && plans[plate].handsUpFactorsOnly()) {
          // every element's entry weights are its parent element's adjoint of the plate's output
          factorWeights[f] = childAdj[parent][Layouts.slotOf(plans[parent], plate, finalOf(plans[plate], f))];
          weightsFromParent[f] = parent;
        } else {
          factorWeights[f] = arena.take(Math.multiplyExact(state.plateCount[plate], layouts.factorSize[f]), true);
        }
      }
    }
    workspaces = new Workspace[parallel.threads()];
    for (int i = 0; i < workspaces.length; i++) {
      workspaces[i] = new Workspace(model, state);
    }
  }

  /** Hands the run's scratch arrays back for the next run (results hold copies, never these). */
  void release() {
    arena.giveAll(stepOut);
    arena.giveAll(finalOut);
    arena.giveAll(childSum);
    arena.giveAll(childAdj);
    arena.giveAll(kept);
    if (factorWeights != null) {
      for (int f = 0; f < factorWeights.length; f++) {
        if (factorWeights[f] != null && weightsFromParent[f] < 0) {
          arena.give(factorWeights[f]);
        }
      }
    }
  }

  /**
   * How much memory may hold the forward pass's step inputs: {@code -Dalan.keepBytes}, else a quarter of the
   * heap. Keeping them halves the backward pass; beyond the budget it recomputes them instead.
   */
  private long keepBudget() {
    String configured = System.getProperty("alan.keepBytes");
    return configured != null ? Long.parseLong(configured) : Runtime.getRuntime().maxMemory() / 4;
  }

  /** Which final output of a plate that only hands up its factors has factor f among its inputs. */
  private static int finalOf(PlatePlan plan, int f) {
    for (int i = 0; i < plan.finals().length; i++) {
      for (TensorRef ref : plan.finals()[i].inputs()) {
        if (ref.source() == TensorRef.Source.FACTOR && ref.index() == f) {
          return i;
        }
      }
    }
    throw new IllegalStateException("internal error: factor " + f + " is in no final output of its plate");
  }

  long totalElements(int[] order) {
    long total = 0;
    for (int p : order) {
      total += state.plateCount[p];
    }
    return total;
  }

  void prepare(PlatePlan plan, int e, Workspace ws) {
    ws.moveTo(e);
  }

  int tiles(int p, int s) {
    int rest = layouts.steps[p][s].restSize;
    int tile = Math.min(layouts.tile, rest);
    return (rest + tile - 1) / tile;
  }

  /** Writes every entry of a factor, block after block. */
  void fillWhole(FactorKernel kernel, int f, double[] out) {
    int block = layouts.factorBlock[f];
    int leads = layouts.factorSize[f] / block;
    for (int lead = 0; lead < leads; lead++) {
      fillRange(kernel, lead, 0, block, out, lead * block);
    }
  }

  /** Adds a whole factor of the current element to {@code out[off, off + size)}. */
  void addWhole(FactorKernel kernel, int f, double[] out, int off) {
    int block = layouts.factorBlock[f];
    int leads = layouts.factorSize[f] / block;
    for (int lead = 0; lead < leads; lead++) {
      for (int t0 = 0; t0 < block; t0 += layouts.tile) {
        int t1 = Math.min(block, t0 + layouts.tile);
        kernel.add(lead, t0, t1, out, off + lead * block + t0);
      }
    }
  }

  /** Adds a whole factor summed over elements {@code [first, last)} of its plate to {@code out[off, off + size)}. */
  void addWholeElements(FactorKernel kernel, int f, int first, int last, double[] out, int off) {
    int block = layouts.factorBlock[f];
    int leads = layouts.factorSize[f] / block;
    for (int lead = 0; lead < leads; lead++) {
      for (int t0 = 0; t0 < block; t0 += layouts.tile) {
        int t1 = Math.min(block, t0 + layouts.tile);
        kernel.addElements(first, last, lead, t0, t1, out, off + lead * block + t0);
      }
    }
  }

  /** {@link FactorKernel#fill} in tile-sized pieces: kernels size their scratch space to one tile. */
  void fillRange(FactorKernel kernel, int lead, int from, int to, double[] out, int off) {
    for (int t0 = from; t0 < to; t0 += layouts.tile) {
      int t1 = Math.min(to, t0 + layouts.tile);
      kernel.fill(lead, t0, t1, out, off + t0 - from);
    }
  }

  /**
   * {@code x[0, n) = sum of the step's inputs} at summed assignment sigma, for output entries
   * {@code [t0, t0 + n)}.
   */
  void gather(int p, int e, StepLayout layout, int sigma, int t0, int n, double[] x, int xOff,
      Workspace ws) {
    boolean first = true;
    for (InputLayout in : layout.inputs) {
      int lead = in.lead[sigma];
      double[] src;
      int off;
      int index = in.ref.index();
      switch (in.ref.source()) {
        case FACTOR -> {
          if (in.map == Layouts.MapKind.SAME) {
            if (first) {
              ws.kernel(index).fill(lead, t0, t0 + n, x, xOff);
              first = false;
              continue;
            }
            src = ws.block(index, n);
            long key = (long) lead * layout.restSize + t0;
            if (ws.cached[index] != key) {
              ws.kernel(index).fill(lead, t0, t0 + n, src, 0);
              ws.cached[index] = key;
            }
            off = -t0;
          } else {
            src = ws.block(index, in.block);
            if (ws.cached[index] != lead) {
              fillRange(ws.kernel(index), lead, 0, in.block, src, 0);
              ws.cached[index] = lead;
            }
            off = 0;
          }
        }
        case STEP -> {
          src = stepOut[p][index];
          off = e * layouts.steps[p][index].restSize + lead * in.block;
        }
        case CHILD -> {
          src = childSum[p][index];
          off = e * layouts.childSize[p][index] + lead * in.block;
        }
        default -> throw new IllegalStateException(in.ref.toString());
      }
      switch (in.map) {
        case SAME -> {
          if (first) {
            System.arraycopy(src, off + t0, x, xOff, n);
          } else {
            for (int j = 0; j < n; j++) {
              x[xOff + j] += src[off + t0 + j];
            }
          }
        }
        case SCALAR -> {
          double v = src[off];
          if (first) {
            Arrays.fill(x, xOff, xOff + n, v);
          } else {
            for (int j = 0; j < n; j++) {
              x[xOff + j] += v;
            }
          }
        }
        case REPEAT -> {
          // runs of equal entries: output entry t reads block entry t / repeat
          for (int j = 0; j < n; ) {
            int t = t0 + j;
            int end = Math.min(n, j + in.repeat - t % in.repeat);
            double v = src[off + t / in.repeat];
            if (first) {
              Arrays.fill(x, xOff + j, xOff + end, v);
            } else {
              for (int i = j; i < end; i++) {
                x[xOff + i] += v;
              }
            }
            j = end;
          }
        }
        case TILE -> {
          // contiguous runs of the block: output entry t reads block entry t % block
          for (int j = 0; j < n; ) {
            int b = (t0 + j) % in.block;
            int end = Math.min(n, j + in.block - b);
            int from = off + b - j;
            if (first) {
              System.arraycopy(src, from + j, x, xOff + j, end - j);
            } else {
              for (int i = j; i < end; i++) {
                x[xOff + i] += src[from + i];
              }
            }
            j = end;
          }
        }
        case OFFSETS -> {
          int[] o = in.offsets;
          if (first) {
            for (int j = 0; j < n; j++) {
              x[xOff + j] = src[off + o[t0 + j]];
            }
          } else {
            for (int j = 0; j < n; j++) {
              x[xOff + j] += src[off + o[t0 + j]];
            }
          }
        }
        default -> throw new IllegalStateException(in.map.toString());
      }
      first = false;
    }
  }

  boolean isAncestor(int ancestor, int plate) {
    for (int q = plate; q >= 0; q = spec.plates()[q].parent()) {
      if (q == ancestor) {
        return true;
      }
    }
    return false;
  }

  /** " (model.alan:12)": where a variable is declared. */
  static String where(ModelSpec spec, VariableSpec v) {
    return " (" + spec.sourceName() + ":" + v.line() + ")";
  }

  /**
   * Where a factor is written, for messages: its observed variable's or latent group's line; a {@code target +=}
   * term names its own line and column already.
   */
  static String factorWhere(ModelSpec spec, int f) {
    int group = spec.factors()[f].group();
    if (group >= 0) {
      return where(spec, spec.variables()[spec.groups()[group].members()[0]]);
    }
    int v = spec.variableIndex(spec.factors()[f].name());
    return v >= 0 ? where(spec, spec.variables()[v]) : " (" + spec.sourceName() + ")";
  }
}
