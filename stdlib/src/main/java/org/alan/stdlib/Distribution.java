package org.alan.stdlib;

import static org.alan.stdlib.Parameter.matrix;
import static org.alan.stdlib.Parameter.scalar;
import static org.alan.stdlib.Parameter.vector;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The distributions of {@code .alan}. Each has one or more parameterisations (Bernoulli takes
 * {@code probs} or {@code logits}); positional arguments bind to the first. Parameters broadcast
 * elementwise against the variable's event shape, and the log density of a vector-valued variable is the
 * sum over its coordinates, except for the intrinsically multivariate Dirichlet and Categorical.
 */
public enum Distribution {
  NORMAL("Normal", SupportKind.REAL, true, List.of("x", "x^2"),
      List.of(scalar("loc", SupportKind.REAL), scalar("scale", SupportKind.POSITIVE))),
  HALF_NORMAL("HalfNormal", SupportKind.NONNEGATIVE, true, List.of("x^2"),
      List.of(scalar("scale", SupportKind.POSITIVE))),
  LOG_NORMAL("LogNormal", SupportKind.POSITIVE, true, List.of("log x", "(log x)^2"),
      List.of(scalar("loc", SupportKind.REAL), scalar("scale", SupportKind.POSITIVE))),
  STUDENT_T("StudentT", SupportKind.REAL, true, List.of(),
      List.of(scalar("df", SupportKind.POSITIVE), scalar("loc", SupportKind.REAL),
          scalar("scale", SupportKind.POSITIVE))),
  CAUCHY("Cauchy", SupportKind.REAL, true, List.of(),
      List.of(scalar("loc", SupportKind.REAL), scalar("scale", SupportKind.POSITIVE))),
  HALF_CAUCHY("HalfCauchy", SupportKind.NONNEGATIVE, true, List.of(),
      List.of(scalar("scale", SupportKind.POSITIVE))),
  EXPONENTIAL("Exponential", SupportKind.NONNEGATIVE, true, List.of("x"),
      List.of(scalar("rate", SupportKind.POSITIVE))),
  GAMMA("Gamma", SupportKind.POSITIVE, true, List.of("log x", "x"),
      List.of(scalar("concentration", SupportKind.POSITIVE), scalar("rate", SupportKind.POSITIVE))),
  BETA("Beta", SupportKind.UNIT_INTERVAL, true, List.of("log x", "log(1-x)"),
      List.of(scalar("concentration1", SupportKind.POSITIVE),
          scalar("concentration0", SupportKind.POSITIVE))),
  /**
   * A Beta on the interval [low, high]: (x - low) / (high - low) is Beta(concentration1, concentration0). The
   * automatic guide's proposal for a latent on a fixed interval (a Uniform(0, 100) scale, a truncation T[a, b]);
   * QEM fits the concentrations, the bounds are the support's.
   */
  SCALED_BETA("ScaledBeta", SupportKind.INTERVAL, false, List.of("log u", "log(1-u)"),
      List.of(scalar("concentration1", SupportKind.POSITIVE), scalar("concentration0", SupportKind.POSITIVE),
          scalar("low", SupportKind.REAL), scalar("high", SupportKind.REAL))),
  UNIFORM("Uniform", SupportKind.INTERVAL, true, List.of(),
      List.of(scalar("low", SupportKind.REAL), scalar("high", SupportKind.REAL))),
  BERNOULLI("Bernoulli", SupportKind.BINARY, false, List.of("x"),
      List.of(scalar("probs", SupportKind.UNIT_INTERVAL)),
      List.of(scalar("logits", SupportKind.REAL))),
  BINOMIAL("Binomial", SupportKind.BOUNDED_INTEGER, false, List.of("x"),
      List.of(scalar("total_count", SupportKind.NONNEGATIVE_INTEGER), scalar("probs", SupportKind.UNIT_INTERVAL)),
      List.of(scalar("total_count", SupportKind.NONNEGATIVE_INTEGER), scalar("logits", SupportKind.REAL))),
  POISSON("Poisson", SupportKind.NONNEGATIVE_INTEGER, false, List.of("x"),
      List.of(scalar("rate", SupportKind.POSITIVE))),
  CATEGORICAL("Categorical", SupportKind.CATEGORY, false, List.of("onehot(x)"),
      List.of(vector("probs", SupportKind.NONNEGATIVE)),
      List.of(vector("logits", SupportKind.REAL))),
  DIRICHLET("Dirichlet", SupportKind.SIMPLEX, true, List.of("log x"),
      List.of(vector("concentration", SupportKind.POSITIVE))),
  /** Stan's inv_gamma(alpha, beta): 1 / x is Gamma(concentration, rate = scale). */
  INVERSE_GAMMA("InverseGamma", SupportKind.POSITIVE, false, List.of(),
      List.of(scalar("concentration", SupportKind.POSITIVE), scalar("scale", SupportKind.POSITIVE))),
  /** Stan's weibull(alpha, sigma): shape (concentration) first, then scale. */
  WEIBULL("Weibull", SupportKind.NONNEGATIVE, false, List.of(),
      List.of(scalar("concentration", SupportKind.POSITIVE), scalar("scale", SupportKind.POSITIVE))),
  /** Stan's double_exponential(mu, sigma). */
  LAPLACE("Laplace", SupportKind.REAL, false, List.of(),
      List.of(scalar("loc", SupportKind.REAL), scalar("scale", SupportKind.POSITIVE))),
  LOGISTIC("Logistic", SupportKind.REAL, false, List.of(),
      List.of(scalar("loc", SupportKind.REAL), scalar("scale", SupportKind.POSITIVE))),
  /** logit(x) is Normal(loc, scale). */
  LOGIT_NORMAL("LogitNormal", SupportKind.UNIT_INTERVAL, false, List.of(),
      List.of(scalar("loc", SupportKind.REAL), scalar("scale", SupportKind.POSITIVE))),
  /**
   * Stan's neg_binomial_2(mu, phi): mean {@code mean}, variance {@code mean + mean^2 / dispersion}; or
   * neg_binomial_2_log with {@code log_mean}.
   */
  NEGATIVE_BINOMIAL("NegativeBinomial", SupportKind.NONNEGATIVE_INTEGER, false, List.of(),
      List.of(scalar("mean", SupportKind.POSITIVE), scalar("dispersion", SupportKind.POSITIVE)),
      List.of(scalar("log_mean", SupportKind.REAL), scalar("dispersion", SupportKind.POSITIVE))),
  /** Binomial with a Beta(concentration1, concentration0) success probability. */
  BETA_BINOMIAL("BetaBinomial", SupportKind.BOUNDED_INTEGER, false, List.of(),
      List.of(scalar("total_count", SupportKind.NONNEGATIVE_INTEGER), scalar("concentration1", SupportKind.POSITIVE),
          scalar("concentration0", SupportKind.POSITIVE))),
  /** The number of failures before the first success, as PyTorch's. */
  GEOMETRIC("Geometric", SupportKind.NONNEGATIVE_INTEGER, false, List.of(),
      List.of(scalar("probs", SupportKind.UNIT_INTERVAL))),
  /**
   * Counts of {@code total_count} draws over the categories of {@code probs} (normalised, as Categorical's) or
   * {@code logits}: a vector value, as PyTorch's (Stan's multinomial with the total written out).
   */
  MULTINOMIAL("Multinomial", SupportKind.COUNT_VECTOR, false, List.of(),
      List.of(scalar("total_count", SupportKind.NONNEGATIVE_INTEGER), vector("probs", SupportKind.NONNEGATIVE)),
      List.of(scalar("total_count", SupportKind.NONNEGATIVE_INTEGER), vector("logits", SupportKind.REAL))),
  /**
   * A vector with location {@code loc} and covariance {@code covariance_matrix}, or lower-triangular Cholesky factor
   * {@code scale_tril} (PyTorch's names; Stan's multi_normal and multi_normal_cholesky). The matrix is data (an
   * input or constant): the compiler adds the Cholesky factor, its inverse and its log determinant as inputs the
   * model computes, and binds them in a third parameterisation of four arguments, which no call can write.
   */
  MULTIVARIATE_NORMAL("MultivariateNormal", SupportKind.REAL, false, List.of(),
      List.of(scalar("loc", SupportKind.REAL), matrix("covariance_matrix", SupportKind.REAL)),
      List.of(scalar("loc", SupportKind.REAL), matrix("scale_tril", SupportKind.REAL)),
      List.of(scalar("loc", SupportKind.REAL), matrix("scale_tril", SupportKind.REAL),
          matrix("inverse_scale_tril", SupportKind.REAL), scalar("log_det_scale_tril", SupportKind.REAL))),
  /**
   * The improper uniform prior on the real line (Stan's default for a parameter with no prior statement): log
   * density 0. Only a latent's prior, and only one the guide proposes otherwise; see {@link #isImproper}.
   */
  FLAT("Flat", SupportKind.REAL, true, List.of(), List.of()),
  /** The improper uniform prior on the positive reals (Stan's {@code real<lower=0>} with no prior): log density 0. */
  HALF_FLAT("HalfFlat", SupportKind.POSITIVE, true, List.of(), List.of());

  /**
   * An improper prior has no sampler and no normaliser, so the automatic guide cannot start from it: its tempering
   * targets {@code s(z)^(1 - t) p(y | z)^t} instead, with a proper stand-in {@code s}, wide so that the data, not
   * it, place the posterior: Normal(0, {@value #SURROGATE_SCALE}) for {@link #FLAT}, LogNormal(0,
   * {@value #SURROGATE_LOG_SCALE}) for {@link #HALF_FLAT}. At t = 1 (every run but tempering's) it is gone.
   */
  public static final double SURROGATE_SCALE = 1000;
  /** The log-scale standard deviation of {@link #HALF_FLAT}'s stand-in during tempering. */
  public static final double SURROGATE_LOG_SCALE = 3;

  private final String alanName;
  private final SupportKind support;
  private final boolean reparameterisable;
  private final List<String> sufficientStatistics;
  private final List<List<Parameter>> parameterisations;

  @SafeVarargs
  Distribution(String alanName, SupportKind support, boolean reparameterisable,
      List<String> sufficientStatistics, List<Parameter>... parameterisations) {
    this.alanName = alanName;
    this.support = support;
    this.reparameterisable = reparameterisable;
    this.sufficientStatistics = sufficientStatistics;
    this.parameterisations = List.of(parameterisations);
  }

  /** The name used in {@code .alan} source ({@code Normal}, {@code HalfCauchy}). */
  public String alanName() {
    return alanName;
  }

  public SupportKind support() {
    return support;
  }

  /** Whether samples can be written as a differentiable function of the parameters (for VI). */
  public boolean reparameterisable() {
    return reparameterisable;
  }

  /**
   * The sufficient statistics of the exponential family QEM moment-matches (empty where the family
   * has no QEM update).
   */
  public List<String> sufficientStatistics() {
    return sufficientStatistics;
  }

  /** The alternative parameter lists; positional arguments bind to the first. */
  public List<List<Parameter>> parameterisations() {
    return parameterisations;
  }

  /** Number of arguments every call must give. */
  public int arity() {
    return parameterisations.get(0).size();
  }

  /**
   * Rank of the value's intrinsic event shape: 1 for Dirichlet (a simplex vector) and Multinomial (a vector of
   * counts); 0 for the others, whose
   * values are scalars (Categorical's value is one index even though its parameter is a vector).
   */
  public int valueRank() {
    return this == DIRICHLET || this == MULTINOMIAL || this == MULTIVARIATE_NORMAL ? 1 : 0;
  }

  /**
   * Whether the distribution is improper ({@link #FLAT}, {@link #HALF_FLAT}): allowed as a latent's prior only, its
   * log marginal likelihood is undefined.
   */
  public boolean isImproper() {
    return this == FLAT || this == HALF_FLAT;
  }

  /** Whether values are integers. */
  public boolean isDiscrete() {
    return support.isDiscrete();
  }

  /** Describes the accepted signatures, e.g. {@code Bernoulli(probs) or Bernoulli(logits)}. */
  public String describeSignatures() {
    return parameterisations.stream().filter(ps -> ps.size() == arity())
        .map(ps -> alanName + ps.stream().map(Parameter::name).collect(Collectors.joining(", ", "(", ")")))
        .collect(Collectors.joining(" or "));
  }

  /**
   * Whether QEM can fit this family's parameters in the given parameterisation (it moment-matches the
   * conventional parameters, so Bernoulli, Binomial and Categorical must be given by {@code probs}).
   */
  public boolean supportsQem(int parameterisation) {
    return !sufficientStatistics.isEmpty() && (parameterisation == 0 || parameterisations.size() == 1);
  }

  /**
   * Whether QEM fits argument {@code index}: every one but a Binomial's total count and a ScaledBeta's bounds,
   * which are fixed by the support (the guide's must be the prior's).
   */
  public boolean qemFits(int index) {
    return !(this == BINOMIAL && index == 0) && !(this == SCALED_BETA && index >= 2);
  }

  /** The parameters QEM fits, in order, in the first parameterisation. */
  public List<Parameter> qemParameters() {
    List<Parameter> first = parameterisations.get(0);
    return java.util.stream.IntStream.range(0, first.size()).filter(this::qemFits).mapToObj(first::get).toList();
  }

  /** Looks a distribution up by its {@code .alan} name. */
  public static Optional<Distribution> byName(String name) {
    return Arrays.stream(values()).filter(d -> d.alanName.equals(name)).findFirst();
  }
}
