package org.alan.runtime.engine;

import java.util.concurrent.atomic.AtomicLong;
import org.alan.kernels.LogSumExp;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;

/**
 * Runs the massively parallel importance-sampling estimator for one model and data set: one class per pass, over
 * one run's storage ({@link Contraction}).
 *
 * <ol>
 *   <li>{@link GuideSampler}: K particles per latent group, parents' particles resampled per child (spec 2.2).</li>
 *   <li>{@link ForwardPass}: for every plate bottom-up and every element in parallel, the planned steps stream the
 *       factors through an online log-sum-exp; the per-element step outputs are kept (they are small: no K
 *       dimension of the element's own groups). The top level's outputs sum to log P-hat (spec 2.4).</li>
 *   <li>{@link BackwardPass}: top-down, each step's softmax times its output adjoint is recomputed from the factors
 *       and pushed to its inputs (spec 3.2). A latent group's factor receives the posterior marginal of the
 *       group's particle at each plate element; moments and ESS follow.</li>
 *   <li>{@link GradientPass}, for VI and RWS: the gradient of the bound with respect to the parameters.</li>
 *   <li>{@link DrawPass}: exact ancestral sampling of particle indices in reverse elimination order (spec 3.4).</li>
 * </ol>
 */
public final class Engine implements Backend {
  /** A run streaming at least this many entries forward uses the Vector API kernels (their JIT warm-up pays). */
  private static final long VECTOR_RUN_ENTRIES = 100_000_000L;

  /** Once this JVM has streamed this many entries in all, the vector kernels are worth warming for every run. */
  private static final long VECTOR_WARM_ENTRIES = 1_000_000_000L;

  /** Entries streamed by all runs of this JVM so far. */
  private static final AtomicLong STREAMED = new AtomicLong();

  /** {@code -Dalan.timing=true} prints the time of each phase of every run to stderr. */
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
    Feasibility.verify(model, data.nest(), options.k(), options.draws(), parallel.threads());
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
    Feasibility.verify(model, data.nest(), options.k(), options.draws(), parallel.threads());
    try {
      return runFitting(data, params, 1, options, kind, progress);
    } catch (OutOfMemoryError e) {
      throw Feasibility.outOfMemory(options.k(), options.draws());
    }
  }

  /**
   * The parameters with every improper prior's stand-in weighted 1 - temperature (whatever the caller holds there):
   * tempering targets {@code s(z)^(1-t) p(y | z)^t}, and every run at the posterior the improper prior itself.
   */
  private double[][] withSurrogateWeights(double[][] params, double temperature) {
    double[][] out = params;
    for (int p = 0; p < spec.params().length; p++) {
      if (spec.params()[p].kind() == org.alan.stdlib.GuideParameter.SURROGATE
          && (params[p].length != 1 || params[p][0] != 1 - temperature)) {
        out = out == params ? params.clone() : out;
        out[p] = new double[] {1 - temperature};
      }
    }
    return out;
  }

  /** A run, with the gradient of its bound with respect to the parameters when {@code gradient} is not null. */
  private Gradient runFitting(BoundData data, double[][] params, double temperature, SampleOptions options,
      Gradient.Kind gradient, Progress progress) {
    int k = options.k();
    long t0 = System.nanoTime();
    if (params == null) {
      params = ModelState.initialParams(spec, spec.plateCounts(data.plateSize()));
    }
    params = withSurrogateWeights(params, temperature);
    Layouts layouts = new Layouts(spec, k);
    ModelState state = new ModelState(spec, k, data.nest(), data.values(), params,
        useVector(layouts.forwardEntries(spec.plateCounts(data.plateSize()))));
    state.temperature = temperature;
    new GuideSampler(model, parallel).sample(state, options, progress);
    long t1 = System.nanoTime();
    Contraction run = new Contraction(model, parallel, arena, state, layouts, progress, gradient);
    double logMl = new ForwardPass(run).forward();
    long t2 = System.nanoTime();
    new BackwardPass(run).backward();
    long t3 = System.nanoTime();
    Posterior.Moments moments = Posterior.moments(state, run.marginals);
    Draws draws = options.draws() > 0 ? new DrawPass(run).draw(options.draws(), options.seed(),
        options.replicate()) : null;
    long t4 = System.nanoTime();
    double[][] paramGradient = gradient == null ? null
        : new GradientPass(model, state, layouts, parallel, arena).paramGradient(run.factorWeights,
            run.weightsFromParent, gradient);
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
    if (!LogSumExp.vectorAvailable()) {
      return false;
    }
    String forced = System.getProperty("alan.vector");
    if (forced != null) {
      return Boolean.parseBoolean(forced);
    }
    long before = STREAMED.getAndAdd(entries);
    return entries >= VECTOR_RUN_ENTRIES || before >= VECTOR_WARM_ENTRIES;
  }
}
