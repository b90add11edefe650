package org.alan.runtime.api;

import java.util.List;
import org.alan.runtime.engine.Backend;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.io.DataBinder;
import org.alan.runtime.io.DataSet;
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
    return new Model(compiled, DataBinder.bind(compiled.spec(), data));
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

  /** K particles per latent group, permutation parent sampling, all processors. */
  public Posterior sample(int k, long seed) {
    return sample(SampleOptions.of(k, seed));
  }

  public Posterior sample(SampleOptions options) {
    return sample(options, Progress.NONE);
  }

  public Posterior sample(SampleOptions options, Progress progress) {
    return engine(options.effectiveThreads()).run(data, options, progress);
  }

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
