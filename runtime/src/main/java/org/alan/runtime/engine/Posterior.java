package org.alan.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.model.DerivedSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.ShearSpec;
import org.alan.runtime.model.VariableSpec;

/**
 * The result of one run: the log marginal likelihood estimate, and for every latent variable its posterior
 * means, standard deviations and effective sample sizes (per plate element and event coordinate), computed
 * exactly from the particles' posterior marginals; for every derived quantity (a let that reads latents) the same
 * summaries over the run's joint draws.
 *
 * <p>Flat arrays are in plate order then event order: the entry of element {@code e} (flat over the variable's
 * plate nest) and coordinate {@code c} is at {@code e * E + c}. ESS is per plate element.
 */
public final class Posterior {
  private final ModelSpec spec;
  private final ModelState state;
  private final double logMarginalLikelihood;
  private final double[][] marginals;
  private final Moments moments;
  private final Draws draws;
  /** The engine's caveats; the diagnostics' warnings are added when first asked for. */
  private final List<String> runWarnings;
  private List<String> warnings;
  /** Per group, per element: Pareto k-hat of its marginal weights; computed when first asked for. */
  private double[][] khat;
  /** Per group, per element: the smallest ESS of the group and the groups of the plates around it. */
  private double[][] reliableEss;

  record Moments(double[][] mean, double[][] sd, double[][] ess) {}

  Posterior(ModelSpec spec, ModelState state, double logMarginalLikelihood, double[][] marginals, Moments moments,
      Draws draws, List<String> warnings) {
    this.runWarnings = List.copyOf(warnings);
    this.spec = spec;
    this.state = state;
    this.logMarginalLikelihood = logMarginalLikelihood;
    this.marginals = marginals;
    this.moments = moments;
    this.draws = draws;
  }

  static Moments moments(ModelState state, double[][] marginals) {
    ModelSpec spec = state.spec;
    int k = state.K;
    int n = spec.variables().length;
    double[][] mean = new double[n][];
    double[][] sd = new double[n][];
    double[][] ess = new double[n][];
    for (int v = 0; v < n; v++) {
      VariableSpec var = spec.variables()[v];
      if (!var.isLatent()) {
        continue;
      }
      double[] w = marginals[var.group()];
      double[] z = modelParticles(state, v);
      int count = state.plateCount[var.plate()];
      int size = var.size();
      mean[v] = new double[count * size];
      sd[v] = new double[count * size];
      ess[v] = new double[count];
      for (int e = 0; e < count; e++) {
        double sumSq = 0;
        for (int kk = 0; kk < k; kk++) {
          double wk = w[e * k + kk];
          sumSq += wk * wk;
        }
        ess[v][e] = 1.0 / sumSq;
        for (int c = 0; c < size; c++) {
          int base = (e * size + c) * k;
          // huge particles (beyond 1e100) in units of the largest, so that squares do not overflow to infinity
          double scale = 0;
          for (int kk = 0; kk < k; kk++) {
            scale = Math.max(scale, Math.abs(z[base + kk]));
          }
          double unit = scale > 1e100 ? scale : 1;
          double m = 0;
          for (int kk = 0; kk < k; kk++) {
            m += w[e * k + kk] * (z[base + kk] / unit);
          }
          double var2 = 0;
          for (int kk = 0; kk < k; kk++) {
            double d = z[base + kk] / unit - m;
            var2 += w[e * k + kk] * d * d;
          }
          mean[v][e * size + c] = m * unit;
          sd[v][e * size + c] = Math.sqrt(var2) * unit;
        }
      }
    }
    return new Moments(mean, sd, ess);
  }

  /**
   * The values the model reads at a latent's particles: the particles themselves, or for a latent the automatic
   * guide decorrelates within its group its model values there. Any other decorrelated latent has no value per
   * particle of its own (see {@link ShearSpec#perParticle}): its particles are returned, and its summaries come from
   * the joint draws, as a derived quantity of its name.
   */
  static double[] modelParticles(ModelState state, int v) {
    ShearSpec shear = state.spec.shearOf(v);
    return shear != null && shear.perParticle(state.spec) ? Shear.modelValues(shear, state) : state.samples[v];
  }

  /**
   * The smallest effective sample size below which the estimates rest on a few particles (the guide does not cover
   * the posterior), as a share of K, and at least this many.
   */
  static final double LOW_ESS_SHARE = 0.01;
  static final double LOW_ESS = 10;

  /**
   * The run's warnings, then one when some group's posterior marginal rests on a few particles, and one when some
   * group's weights have so heavy a tail (Pareto k-hat above {@link ParetoTail#UNRELIABLE}) that its estimates are
   * unreliable whatever the ESS.
   */
  public List<String> warnings() {
    if (warnings == null) {
      List<String> out = new ArrayList<>(runWarnings);
      lowEssWarning(out);
      heavyTailWarning(out);
      warnings = List.copyOf(out);
    }
    return warnings;
  }

  private void lowEssWarning(List<String> out) {
    double min = Double.POSITIVE_INFINITY;
    String where = "";
    for (org.alan.runtime.model.GroupSpec g : spec.groups()) {
      double[] ess = moments.ess()[g.members()[0]];
      for (int e = 0; e < ess.length; e++) {
        if (ess[e] < min) {
          min = ess[e];
          where = "'" + g.name() + "'" + elementLabel(spec, state, g.plate(), e);
        }
      }
    }
    if (state.K >= 2 * LOW_ESS && min < Math.max(LOW_ESS, LOW_ESS_SHARE * state.K)) {
      out.add(String.format(java.util.Locale.ROOT, "the posterior of %s rests on %.1f effective particles of K = %d:"
          + " its estimates are unreliable, because the guide does not cover the posterior there (fit it longer or"
          + " with more particles, --fit-iters / --fit-K, or give a better guide)", where, min, state.K));
    }
  }

  private void heavyTailWarning(List<String> out) {
    double[][] k = khatByGroup();
    double worst = Double.NEGATIVE_INFINITY;
    int group = -1;
    int element = -1;
    for (int g = 0; g < k.length; g++) {
      for (int e = 0; e < k[g].length; e++) {
        if (k[g][e] > worst) {
          worst = k[g][e];
          group = g;
          element = e;
        }
      }
    }
    if (worst > ParetoTail.UNRELIABLE) {
      org.alan.runtime.model.GroupSpec g = spec.groups()[group];
      String what = String.format(java.util.Locale.ROOT, "the importance weights of '%s'%s have a heavy tail (Pareto"
          + " k-hat %s > %.1f, ESS %.1f)", g.name(), elementLabel(spec, state, g.plate(), element),
          Double.isInfinite(worst) ? "inf" : String.format(java.util.Locale.ROOT, "%.2f", worst),
          ParetoTail.UNRELIABLE, moments.ess()[g.members()[0]][element]);
      out.add(what + (worst > 1
          ? ": its estimates are unreliable whatever the ESS says, because a few particles carry most of the weight"
              + " and the guide rarely draws where the posterior is (fit the guide, or longer with --fit-iters,"
              + " raise K, or give a better guide)"
          : ": its Monte Carlo error may be larger than the ESS suggests, because the guide's tails are lighter than"
              + " the posterior's (raise K and compare, or give a wider guide)"));
    }
  }

  /** Pareto k-hat of each group's posterior marginal weights at each element of its plate (engine order). */
  private double[][] khatByGroup() {
    if (khat == null) {
      double[][] out = new double[spec.groups().length][];
      for (int g = 0; g < out.length; g++) {
        int count = state.plateCount[spec.groups()[g].plate()];
        out[g] = new double[count];
        for (int e = 0; e < count; e++) {
          out[g][e] = ParetoTail.khat(marginals[g], e * state.K, state.K);
        }
      }
      khat = out;
    }
    return khat;
  }

  /**
   * Each group's ESS at each element, lowered to the smallest ESS of the groups in the plates around it at the
   * elements holding it: a plate latent's estimates rest on the few particles of the globals it is drawn with,
   * however even its own weights are given them.
   */
  private double[][] reliableEssByGroup() {
    if (reliableEss == null) {
      org.alan.runtime.model.GroupSpec[] groups = spec.groups();
      double[][] out = new double[groups.length][];
      for (int g = 0; g < groups.length; g++) {
        int plate = groups[g].plate();
        int[] around = spec.plateChain(plate);
        out[g] = moments.ess()[groups[g].members()[0]].clone();
        for (int h = 0; h < groups.length; h++) {
          int outer = groups[h].plate();
          if (outer == plate || java.util.Arrays.stream(around).noneMatch(p -> p == outer)) {
            continue;
          }
          double[] ess = moments.ess()[groups[h].members()[0]];
          for (int e = 0; e < out[g].length; e++) {
            out[g][e] = Math.min(out[g][e], ess[state.ancestorElement(plate, e, outer)]);
          }
        }
      }
      reliableEss = out;
    }
    return reliableEss;
  }

  /** The largest Pareto k-hat of any group's weights at any element (NaN where none could be fitted). */
  public double maxKhat() {
    double max = Double.NaN;
    for (double[] k : khatByGroup()) {
      for (double v : k) {
        max = Double.isNaN(max) || v > max ? v : max;
      }
    }
    return max;
  }

  /**
   * Pareto k-hat of the variable's group marginal weights, one per plate element (NaN for K below 25 or a flat
   * tail). For a derived quantity: the largest of the groups' it reads, at the elements its element lies in.
   */
  public double[] khatArray(String variable) {
    double[][] k = khatByGroup();
    if (isDerived(variable)) {
      return overGroups(spec.derived()[spec.derivedIndex(variable)], k, true);
    }
    int v = latent(variable);
    return inDataOrder(v, k[spec.variables()[v].group()], 1);
  }

  public double khat(String variable) {
    return scalar(variable, khatArray(variable));
  }

  public ModelSpec spec() {
    return spec;
  }

  public int K() {
    return state.K;
  }

  /**
   * The estimate of log p(data): the log of the average importance weight over all particle combinations. With an
   * improper prior ({@link ModelSpec#improperLatents}) it estimates the integral of the likelihood against the flat
   * measure, which fitting still ascends but which is no marginal likelihood (the summary calls it undefined).
   */
  public double logMarginalLikelihood() {
    return logMarginalLikelihood;
  }

  /** The posterior mean of a scalar latent at the top level. */
  public double mean(String variable) {
    return scalar(variable, means(variable));
  }

  public double sd(String variable) {
    return scalar(variable, sds(variable));
  }

  public double ess(String variable) {
    return scalar(variable, essArray(variable));
  }

  /**
   * Posterior means of every element and coordinate of a latent or derived quantity, plate order then event order.
   * A latent's are exact over its particles' posterior marginals; a derived quantity's (see {@link #derivedNames})
   * are averages over the joint draws.
   */
  public double[] means(String variable) {
    if (isDerived(variable)) {
      return drawMoments(variable)[0].clone();
    }
    int v = latent(variable);
    return inDataOrder(v, moments.mean()[v], spec.variables()[v].size());
  }

  public double[] sds(String variable) {
    if (isDerived(variable)) {
      return drawMoments(variable)[1].clone();
    }
    int v = latent(variable);
    return inDataOrder(v, moments.sd()[v], spec.variables()[v].size());
  }

  /**
   * A copy of values held per element of a variable's plate, in the order a person gave the data (rows of a plate
   * grouped by an index input are regrouped inside the engine).
   */
  private double[] inDataOrder(int v, double[] values, int perElement) {
    return state.nest.userCopy(spec.variables()[v].plate(), values, perElement);
  }

  /** The probabilities of the quantiles the summaries report, as {@code stansummary} does. */
  public static final double[] SUMMARY_QUANTILES = {0.05, 0.5, 0.95};

  /**
   * Posterior quantiles of every element and coordinate of a latent (plate order then event order): the inverse
   * of the weighted empirical distribution function of the particles, weighted by their exact posterior
   * marginals (the smallest particle whose cumulative weight reaches {@code probability}).
   */
  public double[] quantiles(String variable, double probability) {
    return quantiles(variable, new double[] {probability})[0];
  }

  /** Several quantiles at once ({@code [probability][entry]}), sorting each entry's particles once. */
  public double[][] quantiles(String variable, double[] probabilities) {
    for (double probability : probabilities) {
      if (!(probability >= 0 && probability <= 1)) {
        throw new IllegalArgumentException("a quantile's probability must be in [0, 1], got " + probability);
      }
    }
    if (isDerived(variable)) {
      return drawQuantiles(variable, probabilities);
    }
    int v = latent(variable);
    VariableSpec var = spec.variables()[v];
    int k = state.K;
    double[] w = marginals[var.group()];
    double[] z = modelParticles(state, v);
    int size = var.size();
    int count = state.plateCount[var.plate()];
    double[][] out = new double[probabilities.length][count * size];
    Integer[] order = new Integer[k];
    for (int e = 0; e < count; e++) {
      for (int c = 0; c < size; c++) {
        int base = (e * size + c) * k;
        for (int i = 0; i < k; i++) {
          order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(z[base + a], z[base + b]));
        for (int q = 0; q < probabilities.length; q++) {
          double cumulative = 0;
          double value = z[base + order[k - 1]];
          for (int i = 0; i < k; i++) {
            cumulative += w[e * k + order[i]];
            if (cumulative >= probabilities[q] * (1 - 1e-12)) {
              value = z[base + order[i]];
              break;
            }
          }
          out[q][e * size + c] = value;
        }
      }
    }
    for (int q = 0; q < out.length; q++) {
      out[q] = state.nest.userOrder(var.plate(), out[q], size);
    }
    return out;
  }

  /** The effective sample size of group g's posterior marginal at each element of its plate (engine order). */
  public double[] groupEss(int g) {
    return moments.ess()[spec.groups()[g].members()[0]].clone();
  }

  /** The smallest effective sample size of any group's posterior marginal at any plate element. */
  public double minEss() {
    double min = Double.POSITIVE_INFINITY;
    for (org.alan.runtime.model.GroupSpec g : spec.groups()) {
      for (double ess : moments.ess()[g.members()[0]]) {
        min = Math.min(min, ess);
      }
    }
    return min;
  }

  /**
   * Effective sample size of the variable's group marginal, one per plate element. For a derived quantity: the
   * smallest of the groups' it reads, at the elements its element lies in (its draws are no more diverse than
   * those particles).
   */
  public double[] essArray(String variable) {
    if (isDerived(variable)) {
      return derivedEss(spec.derived()[spec.derivedIndex(variable)]);
    }
    int v = latent(variable);
    return inDataOrder(v, reliableEssByGroup()[spec.variables()[v].group()], 1);
  }

  /** The extents of a latent's (or derived quantity's) result arrays: its plates' sizes, then its event shape. */
  public int[] shape(String variable) {
    if (isDerived(variable)) {
      DerivedSpec d = spec.derived()[spec.derivedIndex(variable)];
      return spec.dims(d.plate(), d.shape(), state.plateSize);
    }
    VariableSpec v = spec.variables()[latent(variable)];
    return shapeOf(v, true);
  }

  /** The extents of the ESS array: the plates' sizes. */
  public int[] plateShape(String variable) {
    if (isDerived(variable)) {
      return spec.dims(spec.derived()[spec.derivedIndex(variable)].plate(), new int[0], state.plateSize);
    }
    return shapeOf(spec.variables()[latent(variable)], false);
  }

  private int[] shapeOf(VariableSpec v, boolean withEvent) {
    int[] dims = spec.dims(v, state.plateSize);
    return withEvent ? dims : java.util.Arrays.copyOf(dims, dims.length - v.shape().length);
  }

  /**
   * Posterior marginal probabilities of group g's particles in the engine's element order, the order of
   * {@link ModelState#samples} (for methods built on a run, such as QEM): {@code [element * K + k]}.
   */
  public double[] groupMarginal(int g) {
    return marginals[g].clone();
  }

  /** Posterior marginal probabilities of a group's particles: {@code [element * K + k]}, elements in data order. */
  public double[] marginal(String group) {
    for (int g = 0; g < spec.groups().length; g++) {
      if (spec.groups()[g].name().equals(group)) {
        return state.nest.userCopy(spec.groups()[g].plate(), marginals[g], state.K);
      }
    }
    throw new IllegalArgumentException("model " + spec.name() + " has no latent group '" + group + "'");
  }

  /**
   * The values the model reads at a latent's particles: {@code [(element * E + coordinate) * K + k]} (see
   * {@link #modelParticles}: for a latent sheared across groups, the particles of its decorrelated coordinate).
   */
  public double[] particles(String variable) {
    int v = latent(variable);
    return inDataOrder(v, modelParticles(state, v), spec.variables()[v].size() * state.K);
  }

  /**
   * The run's particles, data and guide parameters, for methods built on top of a run (QEM, diagnostics, tests
   * that re-evaluate factors).
   */
  public ModelState state() {
    return state;
  }

  /** Joint posterior draws, when they were asked for; otherwise null. */
  public Draws draws() {
    return draws;
  }

  /** Latent variables in declaration order. */
  public List<String> latentNames() {
    List<String> out = new ArrayList<>();
    for (VariableSpec v : spec.variables()) {
      if (v.isLatent()) {
        out.add(v.name());
      }
    }
    return out;
  }

  /**
   * The derived quantities (the model's lets that read latents, in declaration order) whose summaries this run can
   * give: all of them when it made joint draws, none otherwise.
   */
  public List<String> derivedNames() {
    List<String> out = new ArrayList<>();
    if (draws != null && draws.count() > 0) {
      for (DerivedSpec d : spec.derived()) {
        if (spec.variableIndex(d.name()) < 0) { // not a latent reported from the draws (see modelParticles)
          out.add(d.name());
        }
      }
    }
    return out;
  }

  private boolean isDerived(String name) {
    if (spec.derivedIndex(name) < 0) {
      return false; // a derived name is a let's, or a latent's reported from the draws (see modelParticles)
    }
    if (draws == null || draws.count() == 0) {
      throw new IllegalArgumentException("'" + name + "' is a derived quantity, summarised from joint draws: sample"
          + " with draws (SampleOptions.withDraws)");
    }
    return true;
  }

  private final java.util.Map<String, double[][]> drawMoments = new java.util.concurrent.ConcurrentHashMap<>();

  /** Mean and standard deviation of each entry over the draws (the sd with n - 1, as Stan's). */
  private double[][] drawMoments(String name) {
    return drawMoments.computeIfAbsent(name, n -> {
      double[] x = draws.values(n);
      int entries = draws.entries(n);
      int count = draws.count();
      double[] mean = new double[entries];
      double[] sd = new double[entries];
      for (int i = 0; i < entries; i++) {
        double m = 0;
        for (int d = 0; d < count; d++) {
          m += x[d * entries + i];
        }
        m /= count;
        double ss = 0;
        for (int d = 0; d < count; d++) {
          double dev = x[d * entries + i] - m;
          ss += dev * dev;
        }
        mean[i] = m;
        sd[i] = count > 1 ? Math.sqrt(ss / (count - 1)) : 0;
      }
      return new double[][] {mean, sd};
    });
  }

  /** Quantiles over the draws, by the rule the latents' use with equal weights (the smallest value reaching p). */
  private double[][] drawQuantiles(String name, double[] probabilities) {
    double[] x = draws.values(name);
    int entries = draws.entries(name);
    int count = draws.count();
    double[][] out = new double[probabilities.length][entries];
    double[] column = new double[count];
    for (int i = 0; i < entries; i++) {
      for (int d = 0; d < count; d++) {
        column[d] = x[d * entries + i];
      }
      java.util.Arrays.sort(column);
      for (int q = 0; q < probabilities.length; q++) {
        int at = (int) Math.ceil(probabilities[q] * count * (1 - 1e-12)) - 1;
        out[q][i] = column[Math.max(0, Math.min(count - 1, at))];
      }
    }
    return out;
  }

  private double[] derivedEss(DerivedSpec d) {
    return overGroups(d, reliableEssByGroup(), false);
  }

  /**
   * The smallest (or with {@code largest} the largest) per-group value {@code byGroup} of the groups a derived
   * quantity reads, at the elements its element lies in; in the data's order.
   */
  private double[] overGroups(DerivedSpec d, double[][] byGroup, boolean largest) {
    int count = state.plateCount[d.plate()];
    double[] out = new double[count];
    java.util.Arrays.fill(out, largest ? Double.NaN : Double.POSITIVE_INFINITY);
    for (int g : d.groups()) {
      int gp = spec.groups()[g].plate();
      for (int e = 0; e < count; e++) {
        double v = byGroup[g][state.ancestorElement(d.plate(), e, gp)];
        out[e] = largest ? (Double.isNaN(out[e]) || v > out[e] ? v : out[e]) : Math.min(out[e], v);
      }
    }
    return state.nest.userCopy(d.plate(), out, 1);
  }

  public int plateSize(int plate) {
    return state.plateSize[plate];
  }

  private int latent(String variable) {
    int v = spec.variableIndex(variable);
    if (v < 0 || !spec.variables()[v].isLatent()) {
      throw new IllegalArgumentException("model " + spec.name() + " has no latent variable '" + variable
          + "'; latents are " + latentNames());
    }
    return v;
  }

  private double scalar(String variable, double[] values) {
    if (values.length != 1) {
      throw new IllegalArgumentException("'" + variable + "' has " + values.length
          + " values (it is in a plate or vector-valued); use the array accessors");
    }
    return values[0];
  }

  /**
   * " at schools[3]" style location of a plate element (1-based, as Stan and the summary name elements, in the data's
   * order), empty for the top level.
   */
  static String elementLabel(ModelSpec spec, ModelState state, int plate, int element) {
    if (plate == 0) {
      return "";
    }
    int[] chain = spec.userChain(plate);
    int[] dims = new int[chain.length - 1];
    for (int i = 1; i < chain.length; i++) {
      dims[i - 1] = state.plateSize[chain[i]];
    }
    int[] idx = org.alan.runtime.io.Indices.unflatten(state.nest.userRow(plate, element), dims);
    StringBuilder b = new StringBuilder(" at ");
    for (int i = 1; i < chain.length; i++) {
      if (i > 1) {
        b.append(", ");
      }
      b.append(spec.plates()[chain[i]].name()).append('[').append(idx[i - 1] + 1).append(']');
    }
    return b.toString();
  }
}
