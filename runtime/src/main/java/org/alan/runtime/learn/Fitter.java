package org.alan.runtime.learn;

import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.engine.Backend;
import org.alan.runtime.engine.Gradient;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.QemSpec;
import org.alan.runtime.sampling.Rng;
import org.alan.stdlib.GuideParameter;

/**
 * Fits a guide's {@code qem} parameters: QEM iterations at the posterior, each one run of the estimator (its
 * bound recorded) followed by a moment-matching step, until the bound stops rising or the iterations run out.
 *
 * <p>The automatic guide is first brought to the posterior by <b>tempering</b>: it starts at the prior's moments
 * ({@link PriorStart}) and targets {@code p(z) p(y | z)^t} for an increasing sequence of temperatures t from 0
 * to 1, each chosen (by bisection on log t, with the same random numbers) as the largest at which every group's
 * posterior marginal keeps an effective sample size of at least K/2, and each followed by a full moment-matching
 * step. A posterior 10^4 times narrower than its prior is reached in a few dozen stages where QEM started from the
 * prior would see one particle carry all the weight (and moments from one particle are a point). This is the
 * adaptive annealing of sequential Monte Carlo samplers, with the moment-matched guide as the proposal.
 */
public final class Fitter {
  private static final long PURPOSE_FIT = 7;
  private static final long PURPOSE_TEMPER = 8;
  /** Prior draws that start the automatic guide. */
  private static final int PRIOR_DRAWS = 400;
  /**
   * Bisection steps on log temperature per tempering stage: 6 places the step within a factor of about 1.5 of the
   * largest that keeps the ESS (the lower end is taken, so the target still holds); 10 cost 11 runs a stage for the
   * same number of stages on the models measured.
   */
  private static final int BISECTIONS = 6;
  /** After the first stage, a step is first tried at this many times the previous one. */
  private static final double WARM_BRACKET = 4;
  /** Bisections below a warm bracket that fails: the step is then found to within a quarter of the last. */
  private static final int WARM_BISECTIONS = 4;
  private static final int MAX_STAGES = 200;
  /** The least ESS, as a share of K, a tempering stage keeps, however poorly the guide family fits. */
  private static final double MIN_STAGE_ESS_SHARE = 0.1;
  /** The stopping rule compares the mean bound of the last {@code WINDOW} iterations with the window before. */
  static final int WINDOW = 10;
  private static final double SMALLEST_TEMPERATURE = 1e-12;

  private final CompiledModel model;
  private final ModelSpec spec;
  private final Backend backend;
  private final BoundData data;

  public Fitter(CompiledModel model, Backend backend, BoundData data) {
    this.model = model;
    this.spec = model.spec();
    this.backend = backend;
    this.data = data;
  }

  /** Receives a fit's progress. */
  public interface Listener {
    Listener NONE = new Listener() { };

    /** A tempering stage has moved the target to this temperature. */
    default void tempered(int stage, double temperature) { }

    /** Iteration {@code iteration} (from 1) of at most {@code of} gave this bound. */
    default void iterated(int iteration, int of, double bound) { }
  }

  /**
   * Fits from {@code start} ({@code [param][element * size + coordinate]}; null for the parameters' initial
   * values, or for the automatic guide the prior, reached by tempering).
   */
  public FitResult fit(double[][] start, FitOptions options, Listener listener) {
    if (options.method() != FitMethod.QEM) {
      return fitByGradient(start, options, listener);
    }
    long t0 = System.nanoTime();
    double[][] params = start != null ? copy(start) : startingParams(options.seed());
    Qem qem = new Qem(spec, spec.plateCounts(data.plateSize()), params);
    int stages = 0;
    int modeSteps = 0;
    if (start == null && fitsAutomaticGuide(spec)) {
      modeSteps = LaplaceStart.applies(model)
          ? LaplaceStart.apply(model, backend, data, params, options.seed(), options.threads()) : -1;
      if (modeSteps > 0) {
        qem = new Qem(spec, spec.plateCounts(data.plateSize()), params);
      } else {
        modeSteps = 0;
        stages = temper(qem, params, options, listener);
      }
    }
    List<FitResult.Iteration> trace = new ArrayList<>();
    boolean converged = false;
    // the decorrelation is fitted from the start of the QEM iterations: tempering's stages move the target too
    // fast for a running regression
    ShearFit shears = ShearFit.applies(spec) ? new ShearFit(spec, spec.plateCounts(data.plateSize())) : null;
    for (int i = 1; i <= options.iterations() && Qem.applies(spec); i++) {
      long seed = Rng.stream(options.seed(), PURPOSE_FIT, i).nextLong();
      Posterior run = shears == null ? run(params, 1, options, seed)
          : backend.run(data, params, 1, sampleOptions(options, seed).withDraws(shears.draws()), Progress.NONE);
      trace.add(new FitResult.Iteration(i, (System.nanoTime() - t0) / 1e9, run.logMarginalLikelihood()));
      listener.iterated(i, options.iterations(), run.logMarginalLikelihood());
      qem.step(run, options.lr());
      if (shears != null) {
        shears.step(run, options.lr(), params, qem);
      }
      qem.writeParams(params);
      if (options.stopEarly() && stalled(trace)) {
        converged = true;
        break;
      }
    }
    return new FitResult(spec, data.plateSize(), params, trace, converged, stages, modeSteps);
  }

  /**
   * VI or RWS: each iteration is one run with the gradient of its bound, then one Adam step (for RWS, against the
   * guide parameters' gradient with the particles fixed, which is minus the wake-phase direction; the model's
   * parameters ascend the bound under both methods, spec section 4.2).
   */
  private FitResult fitByGradient(double[][] start, FitOptions options, Listener listener) {
    String problem = gradientProblem(model, options.method());
    if (problem != null) {
      throw new IllegalArgumentException("cannot fit model " + spec.name() + " by " + options.method().cliName()
          + ": " + problem);
    }
    long t0 = System.nanoTime();
    double[][] params = start != null ? copy(start) : startingParams(options.seed());
    Adam adam = new Adam(spec, params, options.lr());
    boolean vi = options.method() == FitMethod.VI;
    Gradient.Kind kind = vi ? Gradient.Kind.PATHWISE : Gradient.Kind.FIXED_PARTICLES;
    List<FitResult.Iteration> trace = new ArrayList<>();
    boolean converged = false;
    for (int i = 1; i <= options.iterations(); i++) {
      Gradient g = backend.gradient(data, params, sampleOptions(options,
          Rng.stream(options.seed(), PURPOSE_FIT, i).nextLong()), kind, Progress.NONE);
      double bound = g.posterior().logMarginalLikelihood();
      trace.add(new FitResult.Iteration(i, (System.nanoTime() - t0) / 1e9, bound));
      listener.iterated(i, options.iterations(), bound);
      double[][] ascent = g.params();
      for (int p = 0; p < ascent.length; p++) {
        if (spec.params()[p].kind() == GuideParameter.SHEAR || spec.params()[p].kind() == GuideParameter.SURROGATE) {
          // the decorrelation is fitted by regression alongside QEM only, gradient fits keep it at zero; the
          // engine sets the stand-in weights of improper priors from the temperature
          java.util.Arrays.fill(ascent[p], 0);
        }
      }
      if (!vi) {
        for (int p = 0; p < ascent.length; p++) {
          if (spec.params()[p].kind() != GuideParameter.MODEL) {
            double[] a = ascent[p];
            for (int j = 0; j < a.length; j++) {
              a[j] = -a[j];
            }
          }
        }
      }
      adam.step(params, ascent);
      if (options.stopEarly() && stalled(trace)) {
        converged = true;
        break;
      }
    }
    return new FitResult(spec, data.plateSize(), params, trace, converged, 0, 0);
  }

  /** The names of the model's own parameters ({@code param} statements), which QEM leaves as they are. */
  public static List<String> modelParameters(ModelSpec spec) {
    return java.util.Arrays.stream(spec.params()).filter(p -> p.kind() == GuideParameter.MODEL)
        .map(org.alan.runtime.model.ParamSpec::name).toList();
  }

  /** Why {@code method} cannot fit this model's guide, or null when it can. */
  public static String gradientProblem(CompiledModel model, FitMethod method) {
    ModelSpec spec = model.spec();
    if (method == FitMethod.QEM) {
      return Qem.applies(spec) ? null : "its guide has no qem(...) parameters (write them in the guide, leave the"
          + " guide out for the automatic one, or fit learn(...) parameters with --method vi or rws)";
    }
    if (spec.params().length == 0) {
      return "its guide has no parameters to fit";
    }
    String problem = model.gradientProblem();
    if (problem == null && method == FitMethod.VI) {
      problem = model.reparameterisationProblem();
    }
    return problem;
  }

  /**
   * Whether the guide has automatic proposals to fit (no guide block, or latents the guide block leaves out): they
   * start at the prior and are tempered to the posterior.
   */
  public static boolean fitsAutomaticGuide(ModelSpec spec) {
    return java.util.Arrays.stream(spec.qem()).anyMatch(QemSpec::automatic);
  }

  /**
   * The parameters a guide starts from: their initial values, or for automatic proposals the moments of the
   * prior (so that an unfitted automatic proposal proposes roughly what the prior would).
   */
  public double[][] startingParams(long seed) {
    double[][] params = ModelState.initialParams(spec, spec.plateCounts(data.plateSize()));
    if (fitsAutomaticGuide(spec)) {
      Qem qem = new Qem(spec, spec.plateCounts(data.plateSize()), params);
      PriorStart.apply(model, data, PRIOR_DRAWS, seed, qem);
      qem.writeParams(params);
    }
    return params;
  }

  /**
   * The effective sample size a tempering stage keeps: the smallest over groups of the median over a group's plate
   * elements. A group with one element (the global latents, whose collapse tempering is there to prevent) counts
   * with its own ESS; one of many elements is not held to its worst element, which at a small K and hundreds of
   * elements is always near 1 and would make every stage tiny (QEM fixes a local proposal element by element).
   */
  static double temperingEss(Posterior run) {
    double min = Double.POSITIVE_INFINITY;
    for (int g = 0; g < run.spec().groups().length; g++) {
      double[] ess = run.groupEss(g);
      java.util.Arrays.sort(ess);
      min = Math.min(min, ess[ess.length / 2]);
    }
    return min;
  }

  /**
   * Raises the temperature from 0 to 1, moment-matching the guide at each stage; returns the stages used. A stage's
   * step on log temperature is the largest that keeps the target ESS, found by bisection; after the first, the
   * search starts from {@link #WARM_BRACKET} times the previous step (taken outright when it keeps the target, else
   * bisected below it {@link #WARM_BISECTIONS} times), which finds as long a step in fewer runs.
   */
  private int temper(Qem qem, double[][] params, FitOptions options, Listener listener) {
    double temperature = 0;
    double lastStep = 0;
    int stage = 0;
    while (temperature < 1 && stage < MAX_STAGES) {
      long seed = Rng.stream(options.seed(), PURPOSE_TEMPER, stage).nextLong();
      double target = options.k() / 2.0;
      if (temperature > 0) {
        // a guide family that cannot match the tempered target (mean-field on correlated coefficients) stays below
        // K/2 even where it is fitted: then ask each step to keep half the ESS it has at the current temperature
        double here = temperingEss(run(params, temperature, options, seed));
        target = Math.max(MIN_STAGE_ESS_SHARE * options.k(), Math.min(target, here / 2));
      }
      double lo = Math.log(Math.max(temperature, SMALLEST_TEMPERATURE));
      double hi = 0;
      int bisections = BISECTIONS;
      Posterior chosen = null;
      double next = 1;
      if (lastStep > 0) {
        bisections = WARM_BISECTIONS;
        hi = Math.min(0, lo + WARM_BRACKET * lastStep);
      }
      Posterior top = run(params, Math.exp(hi), options, seed);
      if (temperingEss(top) >= target) {
        chosen = top;
        next = Math.exp(hi);
      } else {
        // the largest temperature (on a log scale) whose weights keep the target ESS
        for (int b = 0; b < bisections; b++) {
          double mid = 0.5 * (lo + hi);
          Posterior r = run(params, Math.exp(mid), options, seed);
          if (temperingEss(r) >= target) {
            lo = mid;
            chosen = r;
          } else {
            hi = mid;
          }
        }
        next = Math.exp(lo);
        if (chosen == null) {
          // not even the smallest step keeps the target: take a small one all the same, and match its moments
          next = Math.min(1, Math.max(next, temperature) * 1.1 + SMALLEST_TEMPERATURE);
          chosen = run(params, next, options, seed);
        }
      }
      qem.step(chosen, 1.0, true);
      qem.writeParams(params);
      lastStep = Math.log(next) - Math.log(Math.max(temperature, SMALLEST_TEMPERATURE));
      temperature = next;
      stage++;
      listener.tempered(stage, temperature);
    }
    return stage;
  }

  /**
   * Whether the bound has stopped rising: the mean of the last window exceeds that of the window before by less
   * than {@link #tolerance} even at the top of its two-standard-error interval. A noisy bound (few particles, or a
   * guide still far from the posterior) therefore never stops a fit early: only a gain known to be small does.
   */
  static boolean stalled(List<FitResult.Iteration> trace) {
    int n = trace.size();
    if (n < 2 * WINDOW) {
      return false;
    }
    double[] before = new double[WINDOW];
    double[] last = new double[WINDOW];
    for (int i = 0; i < WINDOW; i++) {
      before[i] = trace.get(n - 2 * WINDOW + i).bound();
      last[i] = trace.get(n - WINDOW + i).bound();
    }
    double gain = mean(last) - mean(before);
    double se = Math.sqrt(variance(before) / WINDOW + variance(last) / WINDOW);
    return gain + 2 * se <= tolerance(mean(last));
  }

  /** The gain per window below which a fit has converged: half a nat, or 1e-3 of a large bound. */
  static double tolerance(double bound) {
    return Math.max(0.5, 1e-3 * Math.abs(bound));
  }

  private Posterior run(double[][] params, double temperature, FitOptions options, long seed) {
    return backend.run(data, params, temperature, sampleOptions(options, seed), Progress.NONE);
  }

  private static SampleOptions sampleOptions(FitOptions options, long seed) {
    return SampleOptions.of(options.k(), seed).withSampler(options.sampler()).withThreads(options.threads());
  }

  private static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  private static double variance(double[] x) {
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return s / (x.length - 1);
  }

  static double[][] copy(double[][] params) {
    double[][] out = new double[params.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = params[i].clone();
    }
    return out;
  }
}
