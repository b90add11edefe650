package org.alan.runtime.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.io.DataBinder;
import org.alan.runtime.io.DataException;
import org.alan.runtime.io.DataSet;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;
import org.alan.runtime.model.FactorSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.PlateNest;
import org.alan.runtime.model.VariableKind;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.sampling.Rng;

/**
 * The predictive log-likelihood of held-out data (spec section 3.5): the test set holds new elements of one plate
 * (the test films of every user); the plate is extended by them, and
 * {@code log p(y_test | y_train) ~ log (1/N) sum_n p(y_test | z_n, z_new,n)} over N joint posterior draws
 * {@code z_n}, where the latents of the new elements {@code z_new,n} are drawn from the model given {@code z_n}.
 */
public final class Predictive {
  private static final long PURPOSE_PREDICT = 9;

  private Predictive() {}

  /**
   * @param total the predictive log-likelihood of every held-out observed value
   * @param byVariable the same for each observed variable alone
   * @param standardError the Monte Carlo standard error of {@code total}: the delta method over the draws, with
   *     {@code 1/N + 1/ESS} in place of {@code 1/N} (the draws resample K particles per group, so there are no more
   *     distinct values than the particles' effective sample size, the smallest of any group's marginal)
   * @param extended the plate the test set extends
   * @param elements the held-out elements of that plate's whole nest (5 test films for each of 300 users: 1500)
   * @param draws the posterior draws averaged over
   */
  public record Result(double total, Map<String, Double> byVariable, double standardError, String extended,
      int elements, int draws) {}

  /**
   * @param plate the plate the test set extends, or null for the innermost plate that holds observed values
   * @param posterior a run on the training data with joint draws ({@link SampleOptions#withDraws})
   */
  public static Result logLikelihood(CompiledModel model, BoundData train, DataSet test, String plate,
      Posterior posterior, long seed) {
    ModelSpec spec = model.spec();
    Draws draws = posterior.draws();
    if (draws == null || draws.count() == 0) {
      throw new IllegalArgumentException("the predictive log-likelihood needs posterior draws: sample with draws");
    }
    int p = extendedPlate(spec, plate);
    if (spec.hasGroupedPlates() && !spec.plates()[p].grouped()) {
      throw new InferenceException("the predictive log-likelihood of held-out elements of plate '"
          + spec.plates()[p].name() + "' is not available yet for a model with index inputs; hold out rows of the"
          + " plate an index groups instead");
    }
    for (org.alan.runtime.model.TransformSpec t : spec.transforms()) {
      boolean alongIt = t.kind() == org.alan.runtime.model.TransformSpec.Kind.LAG
          || t.kind() == org.alan.runtime.model.TransformSpec.Kind.CUMSUM;
      if (alongIt && t.plate() == p) {
        throw new InferenceException("the predictive log-likelihood of held-out elements of plate '"
            + spec.plates()[p].name() + "' is not available yet for a model that computes '" + t.text() + "' along"
            + " it (the held-out elements would need the training data's last ones); hold out elements of another"
            + " plate");
      }
    }
    BoundData held = DataBinder.bind(model, test);
    for (int q = 1; q < spec.plates().length; q++) {
      if (q != p && held.plateSize()[q] != train.plateSize()[q]) {
        throw new DataException(test.origin() + ": plate '" + spec.plates()[q].name() + "' has "
            + held.plateSize()[q] + " elements, the training data " + train.plateSize()[q] + "; only the extended"
            + " plate '" + spec.plates()[p].name() + "' may differ (choose another with --extend)");
      }
    }
    int[] size = train.plateSize().clone();
    int trainSize = train.plateSize()[p];
    size[p] = trainSize + held.plateSize()[p];
    Extension all = spec.plates()[p].grouped() ? new GroupedRows(spec, p, train, held)
        : new Layout(spec, size, p, trainSize, train.plateSize(), held.plateSize());
    for (int v = 0; v < spec.variables().length; v++) {
      if (spec.isImproper(v) && all.under(spec.variables()[v])) {
        throw new InferenceException("cannot predict new elements of plate '" + spec.plates()[p].name() + "': their"
            + " latent '" + spec.variables()[v].name() + "' has an improper prior, which new elements cannot be drawn"
            + " from (give it a proper prior, or hold out elements of a plate inside it)");
      }
    }
    double[][] values = new double[spec.variables().length][];
    for (int v = 0; v < values.length; v++) {
      VariableSpec var = spec.variables()[v];
      if (!var.isLatent()) {
        values[v] = all.under(var) ? all.merge(var, train.values()[v], held.values()[v]) : train.values()[v];
      }
    }
    // the factors of the held-out elements: their observations, and the target += terms of their plates
    List<Integer> predicted = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int v = 0; v < values.length; v++) {
      if (spec.variables()[v].kind() == VariableKind.DATA && all.under(spec.variables()[v])) {
        predicted.add(factorOf(spec, v));
        names.add(spec.variables()[v].name());
      }
    }
    for (int f = 0; f < spec.factors().length; f++) {
      FactorSpec factor = spec.factors()[f];
      if (spec.isTargetTerm(f) && underPlate(spec, factor.plate(), p)) {
        predicted.add(f);
        names.add(factor.name());
      }
    }
    int n = draws.count();
    double[][] ll = new double[predicted.size()][n];
    ModelState state = new ModelState(spec, 1, all.nest(), values, fittedParams(spec, posterior.state(), all,
        ModelState.initialParams(spec, spec.plateCounts(size))), false);
    for (int d = 0; d < n; d++) {
      for (int v = 0; v < values.length; v++) {
        VariableSpec var = spec.variables()[v];
        if (var.isLatent()) {
          // the particles the draw picks, read through the run's parameters (the automatic guide's decorrelation)
          double[] one = draws.particles(posterior.state(), v, d);
          state.samples[v] = all.under(var) ? all.merge(var, one, null) : one;
        }
      }
      for (int v : spec.priorOrder()) {
        VariableSpec var = spec.variables()[v];
        if (var.isLatent() && all.under(var)) {
          for (int e : all.newElements(var.plate())) {
            model.simulate(v, state, e, Rng.stream(seed, PURPOSE_PREDICT, d, v, e));
          }
        }
      }
      double[] out = new double[1];
      for (int i = 0; i < predicted.size(); i++) {
        int f = predicted.get(i);
        FactorKernel kernel = model.newKernel(f, state);
        double sum = 0;
        for (int e : all.newElements(spec.factors()[f].plate())) {
          kernel.prepare(e);
          kernel.fill(0, 0, 1, out, 0);
          sum += out[0];
        }
        ll[i][d] = sum;
      }
    }
    Map<String, Double> byVariable = new LinkedHashMap<>();
    double[] total = new double[n];
    for (int i = 0; i < predicted.size(); i++) {
      byVariable.put(names.get(i), logMeanExp(ll[i]));
      for (int d = 0; d < n; d++) {
        total[d] += ll[i][d];
      }
    }
    double value = logMeanExp(total);
    if (Double.isNaN(value)) {
      throw new InferenceException("the predictive log-likelihood is NaN: a held-out value's log density is NaN"
          + " under some posterior draw");
    }
    return new Result(value, byVariable, standardError(total, posterior.minEss()), spec.plates()[p].name(),
        all.newElements(p).size(), n);
  }

  /** Whether {@code plate} is {@code ancestor} or lies inside it. */
  private static boolean underPlate(ModelSpec spec, int plate, int ancestor) {
    for (int q = plate; q > 0; q = spec.plates()[q].parent()) {
      if (q == ancestor) {
        return true;
      }
    }
    return false;
  }

  /** The named plate, or the deepest plate that holds an observed variable. */
  private static int extendedPlate(ModelSpec spec, String name) {
    if (name != null) {
      int p = spec.plateIndex(name);
      if (p <= 0) {
        throw new DataException("the model has no plate '" + name + "' to extend");
      }
      return p;
    }
    int best = -1;
    int bestDepth = 0;
    for (VariableSpec v : spec.variables()) {
      int depth = spec.plateChain(v.plate()).length;
      if (v.kind() == VariableKind.DATA && v.plate() > 0 && depth > bestDepth) {
        best = v.plate();
        bestDepth = depth;
      }
    }
    for (FactorSpec f : spec.factors()) {
      int depth = spec.plateChain(f.plate()).length;
      if (f.group() < 0 && f.plate() > 0 && depth > bestDepth) {
        best = f.plate(); // a target += term's plate counts as one of observations
        bestDepth = depth;
      }
    }
    if (best < 0) {
      throw new DataException("model " + spec.name() + " has no observed variable in a plate: there are no"
          + " elements to hold out");
    }
    return best;
  }

  private static int factorOf(ModelSpec spec, int variable) {
    String name = spec.variables()[variable].name();
    for (int f = 0; f < spec.factors().length; f++) {
      FactorSpec factor = spec.factors()[f];
      if (factor.group() < 0 && factor.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalStateException("internal error: no factor for observed variable '" + name + "'");
  }

  private static double logMeanExp(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double s = 0;
    for (double v : x) {
      s += Math.exp(v - max);
    }
    return max + Math.log(s / x.length);
  }

  /** sqrt(relative variance of exp(x) * (1/N + 1/ess)), computed relative to the largest term. */
  private static double standardError(double[] x, double ess) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double s = 0;
    double s2 = 0;
    for (double v : x) {
      double e = Math.exp(v - max);
      s += e;
      s2 += e * e;
    }
    int n = x.length;
    double mean = s / n;
    double var = Math.max(0, s2 / n - mean * mean) * n / Math.max(1, n - 1);
    return Math.sqrt(var / (mean * mean) * (1.0 / n + 1.0 / ess));
  }

  /**
   * The run's parameters on the extended nest: as fitted at the old elements, initial at the new ones (the model's
   * parameters there, and the decorrelation's, which is none: new elements' latents are drawn from the model). A
   * model parameter of the extended plate starts at its initial values throughout.
   */
  private static double[][] fittedParams(ModelSpec spec, ModelState run, Extension all, double[][] initial) {
    double[][] out = new double[spec.params().length][];
    for (int p = 0; p < out.length; p++) {
      org.alan.runtime.model.ParamSpec param = spec.params()[p];
      VariableSpec var = param.variable() >= 0 ? spec.variables()[param.variable()] : null;
      if (var == null ? run.params[p].length == initial[p].length : !all.under(var)) {
        out[p] = run.params[p].clone(); // a model parameter of a plate the test data does not extend, too
      } else if (var == null) {
        out[p] = initial[p]; // a model parameter of the extended plate: the new elements' are not fitted
      } else {
        out[p] = all.merge(var, run.nest.userCopy(var.plate(), run.params[p], var.size()), null);
        for (int e : all.newElements(var.plate())) {
          java.util.Arrays.fill(out[p], e * var.size(), (e + 1) * var.size(), param.init());
        }
      }
    }
    return out;
  }

  /** The training data's nest extended by the test data's elements of one plate. */
  private interface Extension {
    /** Whether a variable's plates include the extended one. */
    boolean under(VariableSpec v);

    /**
     * A variable's values on the extended nest (engine order): the training values at the old elements, the test
     * values (or zeros when {@code test} is null: to be drawn) at the new ones. Latent arrays (K = 1, in the data's
     * order as draws are) have the same layout.
     */
    double[] merge(VariableSpec v, double[] train, double[] test);

    /** The new elements (those of the test data) of plate {@code q}'s nest. */
    List<Integer> newElements(int q);

    PlateNest nest();
  }

  /**
   * Held-out rows of a plate grouped by an index input: the rows of both data sets in order (training rows first),
   * regrouped into one nest by their index.
   */
  private static final class GroupedRows implements Extension {
    private final int plate;
    private final int trainRows;
    private final PlateNest train;
    private final PlateNest test;
    private final PlateNest nest;

    GroupedRows(ModelSpec spec, int plate, BoundData train, BoundData test) {
      this.plate = plate;
      this.train = train.nest();
      this.test = test.nest();
      this.trainRows = train.nest().count(plate);
      int[] size = train.plateSize();
      size[plate] = trainRows + test.nest().count(plate);
      org.alan.runtime.model.PlateSpec ps = spec.plates()[plate];
      int index = ps.indexInput();
      double[] all = rowOrder(spec.variables()[index], train.values()[index], test.values()[index]);
      int[][] target = new int[spec.plates().length][];
      target[plate] = new int[all.length];
      for (int r = 0; r < all.length; r++) {
        target[plate][r] = (int) all[r] - ps.indexBase();
      }
      this.nest = PlateNest.grouped(spec, size, target);
    }

    /** Both sets' values of a variable of the rows, in row order, the training rows first. */
    private double[] rowOrder(VariableSpec v, double[] trainValues, double[] testValues) {
      int width = v.size();
      double[] out = new double[(trainRows + test.count(plate)) * width];
      System.arraycopy(train.userOrder(plate, trainValues, width), 0, out, 0, trainRows * width);
      if (testValues != null) {
        double[] t = test.userOrder(plate, testValues, width);
        System.arraycopy(t, 0, out, trainRows * width, t.length);
      }
      return out;
    }

    @Override
    public boolean under(VariableSpec v) {
      return v.plate() == plate;
    }

    @Override
    public double[] merge(VariableSpec v, double[] trainValues, double[] testValues) {
      if (testValues == null) {
        // a draw: already in row order, the new rows to be drawn
        double[] out = new double[(trainRows + test.count(plate)) * v.size()];
        System.arraycopy(trainValues, 0, out, 0, trainValues.length);
        return nest.engineOrder(plate, out, v.size());
      }
      return nest.engineOrder(plate, rowOrder(v, trainValues, testValues), v.size());
    }

    @Override
    public List<Integer> newElements(int q) {
      List<Integer> out = new ArrayList<>();
      if (q == plate) {
        for (int e = 0; e < nest.count(plate); e++) {
          if (nest.userRow(plate, e) >= trainRows) {
            out.add(e);
          }
        }
      }
      return out;
    }

    @Override
    public PlateNest nest() {
      return nest;
    }
  }

  /** Element indices of the extended nest: which are new, and how train and test arrays merge into it. */
  private static final class Layout implements Extension {
    final ModelSpec spec;
    final int[] size;
    final int plate;
    final int trainSize;
    final int[] trainSizes;
    final int[] testSizes;

    Layout(ModelSpec spec, int[] size, int plate, int trainSize, int[] trainSizes, int[] testSizes) {
      this.spec = spec;
      this.size = size;
      this.plate = plate;
      this.trainSize = trainSize;
      this.trainSizes = trainSizes;
      this.testSizes = testSizes;
    }

    @Override
    public PlateNest nest() {
      return PlateNest.regular(spec, size);
    }

    @Override
    public boolean under(VariableSpec v) {
      for (int q : spec.plateChain(v.plate())) {
        if (q == plate) {
          return true;
        }
      }
      return false;
    }

    /** The extended plate's coordinate of element {@code e} of plate {@code q}'s nest, and its index elsewhere. */
    private int[] split(int q, int e, int[] sizes) {
      int[] chain = spec.plateChain(q);
      int[] coords = new int[chain.length];
      for (int i = chain.length - 1; i >= 1; i--) {
        coords[i] = e % sizes[chain[i]];
        e /= sizes[chain[i]];
      }
      return coords;
    }

    private int join(int q, int[] coords, int[] sizes) {
      int[] chain = spec.plateChain(q);
      int e = 0;
      for (int i = 1; i < chain.length; i++) {
        e = e * sizes[chain[i]] + coords[i];
      }
      return e;
    }

    private int position(int q) {
      int[] chain = spec.plateChain(q);
      for (int i = 0; i < chain.length; i++) {
        if (chain[i] == plate) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public List<Integer> newElements(int q) {
      int at = position(q);
      List<Integer> out = new ArrayList<>();
      if (at < 0) {
        return out;
      }
      int count = spec.plateCounts(size)[q];
      for (int e = 0; e < count; e++) {
        if (split(q, e, size)[at] >= trainSize) {
          out.add(e);
        }
      }
      return out;
    }

    @Override
    public double[] merge(VariableSpec v, double[] train, double[] test) {
      int q = v.plate();
      int at = position(q);
      int width = v.size();
      int count = spec.plateCounts(size)[q];
      double[] out = new double[count * width];
      for (int e = 0; e < count; e++) {
        int[] coords = split(q, e, size);
        boolean fresh = coords[at] >= trainSize;
        if (fresh && test == null) {
          continue;
        }
        if (fresh) {
          coords[at] -= trainSize;
        }
        int source = join(q, coords, fresh ? testSizes : trainSizes);
        System.arraycopy(fresh ? test : train, source * width, out, e * width, width);
      }
      return out;
    }
  }
}
