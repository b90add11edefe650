package org.alan.runtime.api;

import java.util.List;
import org.alan.runtime.engine.Backend;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.io.DataBinder;
import org.alan.runtime.io.DataSet;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.learn.FitResult;
import org.alan.runtime.learn.Fitter;
import org.alan.runtime.learn.Qem;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;

/**
 * A compiled model bound to checked data, ready to sample:
 *
 * <pre>{@code
 * Model model = EightSchools.data().sigma(sigma).y(y).model();
 * Posterior posterior = model.sample(1000, 1);
 * double lml = posterior.logMarginalLikelihood();
 * double mu = posterior.mean("mu");
 * }</pre>
 *
 * Binding validates the data (shapes, plate sizes, NaN, supports) and throws
 * {@link org.alan.runtime.io.DataException} with a readable message before any computation.
 */
public final class Model {
  private final CompiledModel compiled;
  private final BoundData data;

  private Model(CompiledModel compiled, BoundData data) {
    this.compiled = compiled;
    this.data = data;
  }

  public static Model of(CompiledModel compiled, DataSet data) {
    return new Model(compiled, DataBinder.bind(compiled, data));
  }

  public ModelSpec spec() {
    return compiled.spec();
  }

  /** Things noticed while binding that did not stop it (names in the data that the model does not use). */
  public List<String> warnings() {
    return data.warnings();
  }

  /** Elements per plate, as read from the data (index 0 is the top level). */
  public int[] plateSizes() {
    return data.plateSize().clone();
  }

  /** Which elements of each plate lie in which parent element, as bound from the data. */
  public org.alan.runtime.model.PlateNest nest() {
    return data.nest();
  }

  /** K particles per latent group, permutation parent sampling, all processors. */
  public Posterior sample(int k, long seed) {
    return sample(SampleOptions.of(k, seed));
  }

  public Posterior sample(SampleOptions options) {
    return sample(options, Progress.NONE);
  }

  /**
   * A run from the guide as it starts: its parameters' initial values, or for the automatic guide the prior's
   * moments (see {@link #fit} and {@link #sampleFitted} to fit it first).
   */
  public Posterior sample(SampleOptions options, Progress progress) {
    options = withDerivedDraws(options);
    Backend backend = engine(options.effectiveThreads());
    double[][] params = Fitter.fitsAutomaticGuide(spec())
        ? new Fitter(compiled, backend, data).startingParams(options.seed()) : null;
    return backend.run(data, params, 1, options, progress);
  }

  /** A run with fitted guide parameters ({@link FitResult#params()}, or parameters read from a file). */
  public Posterior sample(SampleOptions options, double[][] params, Progress progress) {
    if (params == null) {
      return sample(options, progress);
    }
    return engine(options.effectiveThreads()).run(data, params, 1, withDerivedDraws(options), progress);
  }

  /**
   * The fewest joint draws a run of a model with derived quantities (among them latents the automatic guide
   * decorrelates across groups, reported as derived quantities of their names) makes, whose summaries are averages
   * over them (Stan's default number of draws): asked for fewer, it makes this many, or K when that is more, so
   * that the draws add no more Monte Carlo error than the K particles' weights already have.
   */
  public static final int DERIVED_DRAWS = 1000;

  /** Options that make enough draws for the summaries of the model's derived quantities. */
  private SampleOptions withDerivedDraws(SampleOptions options) {
    int least = Math.max(DERIVED_DRAWS, options.k());
    return spec().derived().length > 0 && options.draws() < least ? options.withDraws(least) : options;
  }

  /**
   * Fits the guide's {@code qem} parameters (QEM; the automatic guide from the prior, by tempering) and returns
   * them with the bound at every iteration.
   */
  public FitResult fit(FitOptions options) {
    return fit(options, null, Fitter.Listener.NONE);
  }

  /** A fit from {@code start} (null: the initial values, or the prior for the automatic guide). */
  public FitResult fit(FitOptions options, double[][] start, Fitter.Listener listener) {
    int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
    return new Fitter(compiled, engine(threads), data).fit(start, options, listener);
  }

  /**
   * What {@code sample} does by default: when the guide has {@code qem} parameters (the automatic guide, or a
   * guide block that asks for them), fit them first and sample from the fitted guide; otherwise sample from the
   * guide as written. The fit uses {@code fitOptions}.
   */
  public Fitted sampleFitted(SampleOptions options, FitOptions fitOptions, Progress progress) {
    return sampleFitted(options, fitOptions, Fitter.Listener.NONE, progress);
  }

  /** The same, telling {@code listener} how the fit goes. */
  public Fitted sampleFitted(SampleOptions options, FitOptions fitOptions, Fitter.Listener listener,
      Progress progress) {
    FitResult fit = Qem.applies(spec()) ? fit(fitOptions, null, listener) : null;
    Posterior posterior = fit == null ? sample(options, progress) : sample(options, fit.paramsCopy(), progress);
    return new Fitted(fit, posterior);
  }

  /**
   * The predictive log-likelihood {@code log p(test | data)} of held-out data: new elements of the plate
   * {@code plate} (null: the innermost plate with observed values), predicted from {@code posterior}'s joint draws
   * (a run on this model's data with {@link SampleOptions#withDraws}).
   */
  public org.alan.runtime.engine.Predictive.Result predict(org.alan.runtime.io.DataSet test, String plate,
      Posterior posterior, long seed) {
    return org.alan.runtime.engine.Predictive.logLikelihood(compiled, data, test, plate, posterior, seed);
  }

  /** A posterior and the fit of the guide it was sampled from (null when the guide was not fitted). */
  public record Fitted(FitResult fit, Posterior posterior) {}

  private Backend engine;

  /** The backend is kept between runs, so that they reuse its scratch memory. */
  private synchronized Backend engine(int threads) {
    if (engine == null || engineThreads != threads) {
      engine = Backend.create(compiled, threads);
      engineThreads = threads;
    }
    return engine;
  }

  private int engineThreads;
}
