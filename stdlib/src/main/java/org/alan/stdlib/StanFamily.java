package org.alan.stdlib;

import java.util.Arrays;
import java.util.Optional;

/**
 * Stan's names for the distributions, as its density functions use them ({@code normal_lpdf(y | mu, sigma)},
 * {@code bernoulli_logit_lpmf(y | alpha)}): each is one of alan's distributions in one parameterisation, its
 * arguments in the same order. Stan's {@code poisson_log} reads a log rate, and its {@code multinomial} takes the
 * total count from the counts.
 */
public enum StanFamily {
  NORMAL("normal", Distribution.NORMAL, 0),
  LOGNORMAL("lognormal", Distribution.LOG_NORMAL, 0),
  STUDENT_T("student_t", Distribution.STUDENT_T, 0),
  CAUCHY("cauchy", Distribution.CAUCHY, 0),
  EXPONENTIAL("exponential", Distribution.EXPONENTIAL, 0),
  GAMMA("gamma", Distribution.GAMMA, 0),
  INV_GAMMA("inv_gamma", Distribution.INVERSE_GAMMA, 0),
  BETA("beta", Distribution.BETA, 0),
  UNIFORM("uniform", Distribution.UNIFORM, 0),
  WEIBULL("weibull", Distribution.WEIBULL, 0),
  DOUBLE_EXPONENTIAL("double_exponential", Distribution.LAPLACE, 0),
  LOGISTIC("logistic", Distribution.LOGISTIC, 0),
  BERNOULLI("bernoulli", Distribution.BERNOULLI, 0),
  BERNOULLI_LOGIT("bernoulli_logit", Distribution.BERNOULLI, 1),
  BINOMIAL("binomial", Distribution.BINOMIAL, 0),
  BINOMIAL_LOGIT("binomial_logit", Distribution.BINOMIAL, 1),
  POISSON("poisson", Distribution.POISSON, 0),
  POISSON_LOG("poisson_log", Distribution.POISSON, 0),
  NEG_BINOMIAL_2("neg_binomial_2", Distribution.NEGATIVE_BINOMIAL, 0),
  NEG_BINOMIAL_2_LOG("neg_binomial_2_log", Distribution.NEGATIVE_BINOMIAL, 1),
  BETA_BINOMIAL("beta_binomial", Distribution.BETA_BINOMIAL, 0),
  DIRICHLET("dirichlet", Distribution.DIRICHLET, 0),
  MULTINOMIAL("multinomial", Distribution.MULTINOMIAL, 0),
  MULTI_NORMAL("multi_normal", Distribution.MULTIVARIATE_NORMAL, 0),
  MULTI_NORMAL_CHOLESKY("multi_normal_cholesky", Distribution.MULTIVARIATE_NORMAL, 1);

  private final String stanName;
  private final Distribution distribution;
  private final int parameterisation;

  StanFamily(String stanName, Distribution distribution, int parameterisation) {
    this.stanName = stanName;
    this.distribution = distribution;
    this.parameterisation = parameterisation;
  }

  public String stanName() {
    return stanName;
  }

  public Distribution distribution() {
    return distribution;
  }

  public int parameterisation() {
    return parameterisation;
  }

  /** The number of arguments after the variate, as Stan writes them. */
  public int arity() {
    return this == MULTINOMIAL ? 1 : distribution.parameterisations().get(parameterisation).size();
  }

  /** What a density function computes: the log density, or the log of the CDF or of its complement. */
  public enum Function { LOG_DENSITY, LOG_CDF, LOG_CCDF }

  /** A density function call {@code <family>_lpdf} (or lpmf, lupdf, lupmf, lcdf, lccdf), if the name is one. */
  public record Call(StanFamily family, Function function) {}

  public static Optional<Call> byFunctionName(String name) {
    int cut = name.lastIndexOf('_');
    if (cut <= 0) {
      return Optional.empty();
    }
    Function f = switch (name.substring(cut + 1)) {
      case "lpdf", "lpmf", "lupdf", "lupmf" -> Function.LOG_DENSITY;
      case "lcdf" -> Function.LOG_CDF;
      case "lccdf" -> Function.LOG_CCDF;
      default -> null;
    };
    if (f == null) {
      return Optional.empty();
    }
    String family = name.substring(0, cut);
    return Arrays.stream(values()).filter(s -> s.stanName.equals(family)).findFirst().map(s -> new Call(s, f));
  }
}
