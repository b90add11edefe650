package org.alan.runtime.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.alan.kernels.LogSumExp;
import org.alan.kernels.LseOps;
import org.alan.runtime.engine.Layouts.InputLayout;
import org.alan.runtime.engine.Layouts.StepLayout;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;
import org.alan.runtime.model.GroupSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.plan.FinalOutput;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.TensorRef;
import org.alan.runtime.sampling.Rng;

/**
 * Runs the massively parallel importance-sampling estimator for one model and data set.
 *
 * <ol>
 *   <li>Guide sampling: K particles per latent group, parents' particles resampled per child (spec 2.2).</li>
 *   <li>Forward pass: for every plate bottom-up and every element in parallel, the planned steps stream the
 *       factors through an online log-sum-exp; the per-element step outputs are kept (they are small: no K
 *       dimension of the element's own groups). The top level's outputs sum to log P-hat (spec 2.4).</li>
 *   <li>Backward pass: top-down, each step's softmax times its output adjoint is recomputed from the factors
 *       and pushed to its inputs (spec 3.2). A latent group's factor receives the posterior marginal of the
 *       group's particle at each plate element; moments and ESS follow.</li>
 *   <li>Draws: exact ancestral sampling of particle indices in reverse elimination order (spec 3.4).</li>
 * </ol>
 */
public final class Engine implements Backend {
  private static final long PURPOSE_PARENTS = 1;
  private static final long PURPOSE_GUIDE = 2;
  private static final long PURPOSE_DRAWS = 3;

  /** A run streaming at least this many entries forward uses the Vector API kernels (their JIT warm-up pays). */
  private static final long VECTOR_RUN_ENTRIES = 100_000_000L;

  /** Once this JVM has streamed this many entries in all, the vector kernels are worth warming for every run. */
  private static final long VECTOR_WARM_ENTRIES = 1_000_000_000L;

  /** Entries streamed by all runs of this JVM so far. */
  private static final java.util.concurrent.atomic.AtomicLong STREAMED = new java.util.concurrent.atomic.AtomicLong();

  /** Entries a worker may stage per tile for the two-pass log-sum-exp (16 MB); beyond, the online form is used. */
  private static final long STAGE_LIMIT = 1 << 21;

  /** {@code -Dalan.timing=true} prints the time of each phase of every run to stderr. */
  /** How far from 1 a marginal's total may be, from rounding alone, before renormalising it is worth a warning. */
  private static final double MARGINAL_TOLERANCE = 1e-6;
  private static final boolean TIMING = Boolean.getBoolean("alan.timing");

  private final CompiledModel model;
  private final ModelSpec spec;
  private final Parallel parallel;
  private final Arena arena = new Arena();

  /** An engine on the process-wide pool of {@code threads} workers; engines are cheap and reusable. */
  public Engine(CompiledModel model, int threads) {
    this.model = model;
    this.spec = model.spec();
    this.parallel = Parallel.shared(threads);
  }

  @Override
  public String name() {
    return "cpu";
  }

  /**
   * Entries one forward pass streams with {@code k} particles per group on data of these plate sizes (the
   * backward pass costs about as much again); {@code Long.MAX_VALUE} when that does not even fit the layouts.
   */
  public static long forwardEntries(ModelSpec spec, int k, int[] plateSize) {
    try {
      return new Layouts(spec, k).forwardEntries(spec.plateCounts(plateSize));
    } catch (ArithmeticException | NegativeArraySizeException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Samples the guide, runs the forward and backward passes and, if asked, draws from the posterior. */
  @Override
  public Posterior run(BoundData data, double[][] params, double temperature, SampleOptions options,
      Progress progress) {
    if (data.spec() != spec) {
      throw new IllegalArgumentException("data was bound to model " + data.spec().name() + ", not " + spec.name());
    }
    Feasibility.verify(spec, data.plateSize(), options.k(), options.draws(), parallel.threads());
    try {
      return runFitting(data, params, temperature, options, null, progress).posterior();
    } catch (OutOfMemoryError e) {
      // every array of the run is unreachable once we are here, so the JVM can go on (the CLI exits; an app may retry)
      throw Feasibility.outOfMemory(options.k(), options.draws());
    }
  }

  @Override
  public Gradient gradient(BoundData data, double[][] params, SampleOptions options, Gradient.Kind kind,
      Progress progress) {
    if (data.spec() != spec) {
      throw new IllegalArgumentException("data was bound to model " + data.spec().name() + ", not " + spec.name());
    }
    Feasibility.verify(spec, data.plateSize(), options.k(), options.draws(), parallel.threads());
    try {
      return runFitting(data, params, 1, options, kind, progress);
    } catch (OutOfMemoryError e) {
      throw Feasibility.outOfMemory(options.k(), options.draws());
    }
  }

  /** A run, with the gradient of its bound with respect to the parameters when {@code gradient} is not null. */
  private Gradient runFitting(BoundData data, double[][] params, double temperature, SampleOptions options,
      Gradient.Kind gradient, Progress progress) {
    int k = options.k();
    long t0 = System.nanoTime();
    if (params == null) {
      params = ModelState.initialParams(spec, spec.plateCounts(data.plateSize()));
    }
    Layouts layouts = new Layouts(spec, k);
    ModelState state = new ModelState(spec, k, data.plateSize(), data.values(), params,
        useVector(layouts.forwardEntries(spec.plateCounts(data.plateSize()))));
    state.temperature = temperature;
    sampleGuide(state, options, progress);
    long t1 = System.nanoTime();
    Run run = new Run(state, layouts, progress, gradient != null);
    double logMl = run.forward();
    long t2 = System.nanoTime();
    run.backward();
    long t3 = System.nanoTime();
    Posterior.Moments moments = Posterior.moments(state, run.marginals);
    Draws draws = options.draws() > 0 ? run.draw(options.draws(), options.seed()) : null;
    long t4 = System.nanoTime();
    double[][] paramGradient = gradient == null ? null
        : new GradientPass(model, state, layouts, parallel).paramGradient(run.factorWeights, gradient);
    run.release();
    if (TIMING) {
      System.err.printf(java.util.Locale.ROOT, "alan timing (ms): sample %.1f, forward %.1f, backward %.1f, moments"
          + " and draws %.1f, gradient %.1f%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6,
          (System.nanoTime() - t4) / 1e6);
    }
    return new Gradient(new Posterior(spec, state, logMl, run.marginals, moments, draws, run.warnings),
        paramGradient);
  }

  /**
   * Whether a run uses the Vector API kernels: {@code -Dalan.vector=true} or {@code false} decides; otherwise they
   * are used when the JVM has them and either this run is large or the JVM has done enough work for them to be
   * compiled already. In a fresh JVM they start out slower than the scalar kernels (the JIT first runs the Vector
   * API's generic fallback), which a short run never recovers.
   */
  private static boolean useVector(long entries) {
    if (!org.alan.kernels.LogSumExp.vectorAvailable()) {
      return false;
    }
    String forced = System.getProperty("alan.vector");
    if (forced != null) {
      return Boolean.parseBoolean(forced);
    }
    long before = STREAMED.getAndAdd(entries);
    return entries >= VECTOR_RUN_ENTRIES || before >= VECTOR_WARM_ENTRIES;
  }

  private void sampleGuide(ModelState state, SampleOptions options, Progress progress) {
    int k = state.K;
    long seed = options.seed();
    GroupSpec[] groups = spec.groups();
    for (int g = 0; g < groups.length; g++) {
      for (int h : groups[g].guideParents()) {
        int n = state.plateCount[groups[h].plate()];
        int[] index = new int[n * k];
        for (int e = 0; e < n; e++) {
          Rng rng = Rng.stream(seed, PURPOSE_PARENTS, g, h, e);
          if (options.sampler() == ParentSampler.PERMUTATION) {
            rng.permutation(index, e * k, k);
          } else {
            for (int i = 0; i < k; i++) {
              index[e * k + i] = rng.nextInt(k);
            }
          }
        }
        state.parentIndex[g][h] = index;
      }
      final int group = g;
      int n = state.plateCount[groups[g].plate()];
      parallel.forRange(n, (worker, from, to) -> {
        for (int e = from; e < to; e++) {
          model.sampleGroup(group, state, e, Rng.stream(seed, PURPOSE_GUIDE, group, e));
        }
      });
      for (int v : groups[g].members()) {
        verifyFiniteSamples(state, v);
      }
      progress.report("sampling", g + 1, groups.length);
    }
  }

  private void verifyFiniteSamples(ModelState state, int v) {
    double[] z = state.samples[v];
    VariableSpec var = spec.variables()[v];
    for (int i = 0; i < z.length; i++) {
      if (!Double.isFinite(z[i])) {
        int element = i / (var.size() * state.K);
        throw new InferenceException("the guide drew " + InferenceException.describe(z[i]) + " for '" + var.name()
            + "'" + where(var) + Posterior.elementLabel(spec, state, var.plate(), element) + ": "
            + InferenceException.whyNotFinite(z[i], "its proposal"));
      }
    }
  }

  /** " (model.alan:12)": where a variable is declared. */
  private String where(VariableSpec v) {
    return " (" + spec.sourceName() + ":" + v.line() + ")";
  }

  /** The variable a factor belongs to: the observed variable, or the first member of the latent group. */
  private VariableSpec factorVariable(int f) {
    int group = spec.factors()[f].group();
    if (group >= 0) {
      return spec.variables()[spec.groups()[group].members()[0]];
    }
    return spec.variable(spec.factors()[f].name());
  }

  /**
   * An observed variable's factor raised to a power (its log multiplied): the likelihood of a tempered target
   * {@code p(z) p(y | z)^temperature}, which fitting the automatic guide anneals from the prior to the posterior.
   */
  private record TemperedKernel(FactorKernel kernel, double temperature) implements FactorKernel {
    @Override
    public void prepare(int element) {
      kernel.prepare(element);
    }

    @Override
    public void fill(int lead, int from, int to, double[] out, int off) {
      kernel.fill(lead, from, to, out, off);
      for (int i = off; i < off + to - from; i++) {
        // an impossible observation stays impossible at any temperature (not -inf * 0 = NaN)
        out[i] = out[i] == Double.NEGATIVE_INFINITY ? out[i] : out[i] * temperature;
      }
    }
  }

  /** Scratch space of one worker thread. */
  private final class Workspace {
    final ModelState state;
    final FactorKernel[] kernels;
    final int[] preparedFor;
    int element = -1;
    /** For each factor, the (lead, tile start) its buffer holds, so a repeated request is not recomputed. */
    final long[] cached;
    final double[][] blocks;
    double[] x = new double[0];
    double[] max = new double[0];
    double[] sum = new double[0];
    double[] w = new double[0];

    Workspace(ModelState state) {
      this.state = state;
      int factors = spec.factors().length;
      kernels = new FactorKernel[factors];
      preparedFor = new int[factors];
      cached = new long[factors];
      blocks = new double[factors][];
    }

    /** The worker's kernel of factor f, prepared for the element being processed. */
    FactorKernel kernel(int f) {
      if (kernels[f] == null) {
        FactorKernel kernel = model.newKernel(f, state);
        kernels[f] = state.temperature != 1 && spec.factors()[f].group() < 0
            ? new TemperedKernel(kernel, state.temperature) : kernel;
        preparedFor[f] = -1;
      }
      if (preparedFor[f] != element) {
        kernels[f].prepare(element);
        preparedFor[f] = element;
      }
      return kernels[f];
    }

    /**
     * Switches to an element of a plate: kernels are prepared for it when first used. Each factor belongs to one
     * plate, so the element number alone identifies what its kernel must be prepared for.
     */
    void moveTo(int e) {
      element = e;
      resetCache();
    }

    double[] block(int f, int size) {
      if (blocks[f] == null || blocks[f].length < size) {
        blocks[f] = new double[size];
      }
      return blocks[f];
    }

    void ensure(int n) {
      if (x.length < n) {
        x = new double[n];
        max = new double[n];
        sum = new double[n];
        w = new double[n];
      }
    }

    void resetCache() {
      Arrays.fill(cached, -1L);
    }

    private double[] stage = new double[0];

    /** A buffer for one tile's inputs under every summed assignment. */
    double[] stage(int size) {
      if (stage.length < size) {
        stage = new double[size];
      }
      return stage;
    }
  }

  /** One run's passes and storage. */
  private final class Run {
    final ModelState state;
    final Progress progress;
    final Layouts layouts;
    final PlatePlan[] plans;
    final double[][][] stepOut;
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
     * With a gradient asked for: each factor's entry weights, {@code [factor][element * entries + entry]}, the
     * derivative of the log marginal likelihood estimate with respect to each log factor entry (null otherwise).
     */
    final double[][] factorWeights;
    /** The forward pass's result. */
    double logMl;
    /** Things the user should know about this run's numbers (shown by the CLI, kept by the posterior). */
    final java.util.List<String> warnings = new java.util.ArrayList<>();
    final Workspace[] workspaces;
    final LseOps lse;

    Run(ModelState state, Layouts layouts, Progress progress, boolean weighFactors) {
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
        finalOut[p] = new double[plans[p].finals().length][];
        for (int i = 0; i < finalOut[p].length; i++) {
          finalOut[p][i] = arena.take(Math.multiplyExact(count, layouts.finalSize[p][i]), false);
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
      factorWeights = weighFactors ? new double[spec.factors().length][] : null;
      if (weighFactors) {
        for (int f = 0; f < factorWeights.length; f++) {
          factorWeights[f] = new double[Math.multiplyExact(state.plateCount[spec.factors()[f].plate()],
              layouts.factorSize[f])];
        }
      }
      workspaces = new Workspace[parallel.threads()];
      for (int i = 0; i < workspaces.length; i++) {
        workspaces[i] = new Workspace(state);
      }
    }

    /** Hands the run's scratch arrays back for the next run (results hold copies, never these). */
    void release() {
      arena.giveAll(stepOut);
      arena.giveAll(finalOut);
      arena.giveAll(childSum);
      arena.giveAll(childAdj);
      arena.giveAll(kept);
    }

    // ---------------------------------------------------------------- forward

    double forward() {
      int[] order = spec.plan().bottomUp();
      long total = totalElements(order);
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
      this.logMl = logMl;
      return logMl;
    }

    /**
     * How much memory may hold the forward pass's step inputs: {@code -Dalan.keepBytes}, else a quarter of the
     * heap. Keeping them halves the backward pass; beyond the budget it recomputes them instead.
     */
    private long keepBudget() {
      String configured = System.getProperty("alan.keepBytes");
      return configured != null ? Long.parseLong(configured) : Runtime.getRuntime().maxMemory() / 4;
    }

    private long totalElements(int[] order) {
      long total = 0;
      for (int p : order) {
        total += state.plateCount[p];
      }
      return total;
    }

    private void forwardElement(int p, int e, Workspace ws) {
      PlatePlan plan = plans[p];
      prepare(plan, e, ws);
      for (int s = 0; s < plan.steps().length; s++) {
        forwardTiles(p, e, s, 0, tiles(p, s), ws);
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
        parallel.forStatic(tiles(p, s), (worker, from, to) -> {
          Workspace ws = workspaces[worker];
          prepare(plan, e, ws);
          forwardTiles(p, e, step, from, to, ws);
        });
      }
      prepare(plan, e, workspaces[0]);
      finals(p, e, workspaces[0]);
    }

    private void prepare(PlatePlan plan, int e, Workspace ws) {
      ws.moveTo(e);
    }

    private int tiles(int p, int s) {
      int rest = layouts.steps[p][s].restSize;
      int tile = Math.min(layouts.tile, rest);
      return (rest + tile - 1) / tile;
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
            gather(p, e, layout, sigma, t0, n, ws.x, 0, ws);
            lse.update(ws.max, ws.sum, 0, ws.x, 0, n);
          }
        } else {
          // the tile's inputs for every summed assignment are written once (kept for the backward pass, or staged
          // in the worker's buffer), then two cheap passes: the maximum, then the sum of exponentials
          double[] x = keep != null ? keep : ws.stage((int) staged);
          int base = keep != null ? e * layout.sumSize * rest + t0 : 0;
          int stride = keep != null ? rest : n;
          for (int sigma = 0; sigma < layout.sumSize; sigma++) {
            gather(p, e, layout, sigma, t0, n, x, base + sigma * stride, ws);
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
          fillWhole(ws.kernel(ref.index()), ref.index(), src);
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

    /** Writes every entry of a factor, block after block. */
    void fillWhole(FactorKernel kernel, int f, double[] out) {
      int block = layouts.factorBlock[f];
      int leads = layouts.factorSize[f] / block;
      for (int lead = 0; lead < leads; lead++) {
        fillRange(kernel, lead, 0, block, out, lead * block);
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
    private void gather(int p, int e, StepLayout layout, int sigma, int t0, int n, double[] x, int xOff,
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
            fillWhole(ws.kernel(f), f, buf);
            for (double v : buf) {
              if (nan ? Double.isNaN(v) : v == Double.POSITIVE_INFINITY) {
                String name = spec.factors()[f].name();
                return "the log density of '" + name + "'" + where(factorVariable(f)) + " is "
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
            fillWhole(ws.kernel(f), f, buf);
            if (java.util.Arrays.stream(buf).allMatch(v -> v == Double.NEGATIVE_INFINITY)) {
              String factor = "'" + spec.factors()[f].name() + "'" + where(factorVariable(f));
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

    // ---------------------------------------------------------------- backward

    void backward() {
      int[] bottomUp = spec.plan().bottomUp();
      long total = totalElements(bottomUp);
      AtomicLong done = new AtomicLong();
      for (int i = bottomUp.length - 1; i >= 0; i--) {
        final int plate = bottomUp[i];
        int count = state.plateCount[plate];
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
      normaliseMarginals(logMl);
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
      }

      /** The factors of this sink's plate whose weights are collected. */
      java.util.stream.IntStream weighedFactors() {
        return factorWeights == null ? java.util.stream.IntStream.empty()
            : java.util.stream.IntStream.range(0, factor.length).filter(f -> spec.factors()[f].plate() == plate);
      }

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
        weighedFactors().forEach(f -> {
          factor[f] = factorWeights[f];
          factorOff[f] = e * layouts.factorSize[f];
        });
      }

      /** A private sink of a worker, with zeroed copies sized for one element. */
      static Sink privateCopy(Run run, int plate) {
        Sink s = run.new Sink(plate);
        for (int c = 0; c < s.child.length; c++) {
          s.child[c] = new double[run.layouts.childSize[plate][c]];
        }
        for (int g : run.plans[plate].ownGroups()) {
          s.marginal[g] = new double[run.state.K];
        }
        s.weighedFactors().forEach(f -> s.factor[f] = new double[run.layouts.factorSize[f]]);
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
        weighedFactors().forEach(f -> addAndClear(other.factor[f], 0, factor[f], factorOff[f], other.factor[f].length));
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
      prepare(plan, e, ws);
      finalAdjoints(p, e, sink);
      for (int s = plan.steps().length - 1; s >= 0; s--) {
        if (lse.max(sink.steps[s], 0, layouts.steps[p][s].restSize) > 0) {
          backwardTiles(p, e, s, 0, tiles(p, s), ws, sink.steps[s], sink);
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
        parallel.forStatic(tiles(p, s), (worker, from, to) -> {
          Workspace ws = workspaces[worker];
          prepare(plan, e, ws);
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
            gather(p, e, layout, sigma, t0, n, x, 0, ws);
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

    // ---------------------------------------------------------------- draws

    Draws draw(int n, long seed) {
      int[][] index = new int[spec.groups().length][];
      for (int g = 0; g < index.length; g++) {
        index[g] = new int[n * state.plateCount[spec.groups()[g].plate()]];
      }
      int[] bottomUp = spec.plan().bottomUp();
      long total = totalElements(bottomUp);
      AtomicLong done = new AtomicLong();
      for (int i = bottomUp.length - 1; i >= 0; i--) {
        final int plate = bottomUp[i];
        if (plans[plate].ownGroups().length == 0) {
          continue;
        }
        parallel.forRange(state.plateCount[plate], (worker, from, to) -> {
          Workspace ws = workspaces[worker];
          for (int e = from; e < to; e++) {
            drawElement(plate, e, n, seed, index, ws);
          }
          progress.report("draws", done.addAndGet(to - from), total);
        });
      }
      return Draws.gather(spec, state, n, index);
    }

    private void drawElement(int p, int e, int n, long seed, int[][] index, Workspace ws) {
      PlatePlan plan = plans[p];
      int k = state.K;
      ws.moveTo(e);
      StepLayout[] steps = layouts.steps[p];
      double[][] joint = new double[steps.length][];
      for (int s = 0; s < steps.length; s++) {
        StepLayout layout = steps[s];
        int size = layout.sumSize * layout.restSize;
        joint[s] = new double[size];
        if (kept[p][s] != null) {
          System.arraycopy(kept[p][s], e * size, joint[s], 0, size);
          continue;
        }
        ws.resetCache();
        for (int sigma = 0; sigma < layout.sumSize; sigma++) {
          gather(p, e, layout, sigma, 0, layout.restSize, joint[s], sigma * layout.restSize, ws);
        }
      }
      int groups = spec.groups().length;
      int[] current = new int[groups];
      double[] weights = new double[0];
      Rng rng = Rng.stream(seed, PURPOSE_DRAWS, p, e);
      for (int d = 0; d < n; d++) {
        for (int g = 0; g < groups; g++) {
          int gp = spec.groups()[g].plate();
          if (gp != p && isAncestor(gp, p)) {
            current[g] = index[g][d * state.plateCount[gp] + state.ancestorElement(p, e, gp)];
          }
        }
        for (int s = steps.length - 1; s >= 0; s--) {
          StepLayout layout = steps[s];
          int restFlat = 0;
          for (int g : layout.rest) {
            restFlat = restFlat * k + current[g];
          }
          if (weights.length < layout.sumSize) {
            weights = new double[layout.sumSize];
          }
          double max = Double.NEGATIVE_INFINITY;
          for (int sigma = 0; sigma < layout.sumSize; sigma++) {
            double v = joint[s][sigma * layout.restSize + restFlat];
            weights[sigma] = v;
            max = Math.max(max, v);
          }
          double totalWeight = 0;
          for (int sigma = 0; sigma < layout.sumSize; sigma++) {
            weights[sigma] = Math.exp(weights[sigma] - max);
            totalWeight += weights[sigma];
          }
          double u = rng.nextDouble() * totalWeight;
          int chosen = layout.sumSize - 1;
          double acc = 0;
          for (int sigma = 0; sigma < layout.sumSize; sigma++) {
            acc += weights[sigma];
            if (u < acc) {
              chosen = sigma;
              break;
            }
          }
          for (int i = 0; i < layout.sum.length; i++) {
            current[layout.sum[i]] = layout.digits[chosen * layout.sum.length + i];
          }
        }
        for (int g : plan.ownGroups()) {
          index[g][d * state.plateCount[p] + e] = current[g];
        }
      }
    }

    private boolean isAncestor(int ancestor, int plate) {
      for (int q = plate; q >= 0; q = spec.plates()[q].parent()) {
        if (q == ancestor) {
          return true;
        }
      }
      return false;
    }
  }
}
