package org.alan.compiler.ir;

import static org.alan.compiler.ir.Exprs.add;
import static org.alan.compiler.ir.Exprs.constant;
import static org.alan.compiler.ir.Exprs.log;
import static org.alan.compiler.ir.Exprs.mul;
import static org.alan.compiler.ir.Exprs.neg;
import static org.alan.compiler.ir.Exprs.sub;
import static org.alan.compiler.ir.Exprs.unary;

import org.alan.stdlib.Distribution;

/**
 * Log densities as expressions, so that the code generator can hoist the parts that depend on fewer indices
 * (the {@code log scale} of a Normal is computed once per scale particle, not once per entry of the factor).
 * Each returns the log density of the whole value: elementwise densities are summed over every coordinate of
 * the variable's event shape (the coordinates are independent), Dirichlet is summed over its batch axes.
 * The formulas match PyTorch's {@code log_prob}, which tests check against Apache Commons Statistics.
 */
public final class Densities {
  private Densities() {}

  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
  private static final double LOG_TWO = Math.log(2);
  private static final double LOG_PI = Math.log(Math.PI);

  /**
   * The log density of {@code value} (of shape {@code valueShape}) under {@code dist}, summed to a scalar.
   */
  public static Ex logDensity(DistIr dist, Ex value, Shape valueShape) {
    if (dist.truncated()) {
      return Exprs.sumOver(truncated(dist, value), valueShape);
    }
    return switch (dist.family()) {
      case FLAT, HALF_FLAT -> constant(0); // the guide's support is the prior's, so HalfFlat needs no check either
      case DIRICHLET -> dirichlet(dist.argument("concentration"), value, valueShape);
      case CATEGORICAL -> Exprs.sumOver(categorical(dist, value), valueShape);
      case MULTINOMIAL -> Exprs.sumOver(multinomial(dist, value), valueShape.dropLast());
      case MULTIVARIATE_NORMAL -> multivariateNormal(dist, value, valueShape.last());
      default -> Exprs.sumOver(elementwise(dist, value), valueShape);
    };
  }

  private static Ex elementwise(DistIr d, Ex x) {
    return switch (d.family()) {
      case NORMAL -> {
        Ex z = mul(sub(x, d.argument("loc")), unary(UnaryOp.RECIPROCAL, d.argument("scale")));
        yield sub(sub(mul(constant(-0.5), unary(UnaryOp.SQUARE, z)), log(d.argument("scale"))), constant(HALF_LOG_TWO_PI));
      }
      case HALF_NORMAL -> {
        Ex z = mul(x, unary(UnaryOp.RECIPROCAL, d.argument("scale")));
        yield add(sub(mul(constant(-0.5), unary(UnaryOp.SQUARE, z)), log(d.argument("scale"))),
            constant(LOG_TWO - HALF_LOG_TWO_PI));
      }
      case LOG_NORMAL -> {
        Ex logX = log(x);
        Ex z = mul(sub(logX, d.argument("loc")), unary(UnaryOp.RECIPROCAL, d.argument("scale")));
        yield sub(sub(sub(mul(constant(-0.5), unary(UnaryOp.SQUARE, z)), log(d.argument("scale"))),
            constant(HALF_LOG_TWO_PI)), logX);
      }
      case STUDENT_T -> {
        Ex df = d.argument("df");
        Ex z = mul(sub(x, d.argument("loc")), unary(UnaryOp.RECIPROCAL, d.argument("scale")));
        Ex halfDfPlusHalf = mul(constant(0.5), add(df, constant(1)));
        Ex normaliser = sub(sub(sub(unary(UnaryOp.LGAMMA, halfDfPlusHalf), unary(UnaryOp.LGAMMA, mul(constant(0.5), df))),
            mul(constant(0.5), log(mul(df, constant(Math.PI))))), log(d.argument("scale")));
        yield sub(normaliser, mul(halfDfPlusHalf,
            unary(UnaryOp.LOG1P_SQUARE, mul(z, unary(UnaryOp.RECIPROCAL, unary(UnaryOp.SQRT, df))))));
      }
      case CAUCHY -> {
        Ex z = mul(sub(x, d.argument("loc")), unary(UnaryOp.RECIPROCAL, d.argument("scale")));
        yield sub(sub(neg(unary(UnaryOp.LOG1P_SQUARE, z)), log(d.argument("scale"))), constant(LOG_PI));
      }
      case HALF_CAUCHY -> {
        Ex z = mul(x, unary(UnaryOp.RECIPROCAL, d.argument("scale")));
        yield add(sub(neg(unary(UnaryOp.LOG1P_SQUARE, z)), log(d.argument("scale"))),
            constant(LOG_TWO - LOG_PI));
      }
      case EXPONENTIAL -> sub(log(d.argument("rate")), mul(d.argument("rate"), x));
      case GAMMA -> {
        Ex a = d.argument("concentration");
        Ex b = d.argument("rate");
        Ex density = sub(add(sub(mul(a, log(b)), unary(UnaryOp.LGAMMA, a)), mul(sub(a, constant(1)), log(x))),
            mul(b, x));
        yield checked(checked(density, UnaryOp.CHECK_POSITIVE, a), UnaryOp.CHECK_POSITIVE, b);
      }
      case SCALED_BETA -> {
        Ex width = sub(d.argument("high"), d.argument("low"));
        Ex u = mul(sub(x, d.argument("low")), unary(UnaryOp.RECIPROCAL, width));
        DistIr unit = new DistIr(Distribution.BETA, 0, java.util.List.of(d.argument("concentration1"),
            d.argument("concentration0")), d.span());
        yield sub(elementwise(unit, u), log(width));
      }
      case BETA -> {
        Ex a = d.argument("concentration1");
        Ex b = d.argument("concentration0");
        Ex norm = sub(sub(unary(UnaryOp.LGAMMA, add(a, b)), unary(UnaryOp.LGAMMA, a)), unary(UnaryOp.LGAMMA, b));
        Ex density = add(add(norm, mul(sub(a, constant(1)), log(x))),
            mul(sub(b, constant(1)), unary(UnaryOp.LOG1P, neg(x))));
        yield checked(checked(density, UnaryOp.CHECK_POSITIVE, a), UnaryOp.CHECK_POSITIVE, b);
      }
      case UNIFORM -> {
        Ex low = d.argument("low");
        Ex high = d.argument("high");
        Ex inside = add(unary(UnaryOp.LOG_STEP, sub(x, low)), unary(UnaryOp.LOG_STEP, sub(high, x)));
        yield sub(inside, log(sub(high, low)));
      }
      case BERNOULLI -> d.has("logits")
          ? sub(mul(x, d.argument("logits")), unary(UnaryOp.SOFTPLUS, d.argument("logits")))
          : checked(add(Exprs.binary(BinaryOp.XLOGY, x, d.argument("probs")),
              Exprs.binary(BinaryOp.XLOG1PY, sub(constant(1), x), neg(d.argument("probs")))),
              UnaryOp.CHECK_UNIT, d.argument("probs"));
      case BINOMIAL -> {
        Ex n = d.argument("total_count");
        Ex logChoose = Exprs.binary(BinaryOp.LOG_CHOOSE, n, x);
        Ex body = d.has("logits")
            ? sub(mul(x, d.argument("logits")), mul(n, unary(UnaryOp.SOFTPLUS, d.argument("logits"))))
            : checked(add(Exprs.binary(BinaryOp.XLOGY, x, d.argument("probs")),
                Exprs.binary(BinaryOp.XLOG1PY, sub(n, x), neg(d.argument("probs")))),
                UnaryOp.CHECK_UNIT, d.argument("probs"));
        yield checked(add(logChoose, body), UnaryOp.CHECK_COUNT, n);
      }
      case POISSON -> {
        Ex rate = d.argument("rate");
        yield checked(sub(sub(Exprs.binary(BinaryOp.XLOGY, x, rate), rate), unary(UnaryOp.LGAMMA, add(x, constant(1)))),
            UnaryOp.CHECK_NONNEGATIVE, rate);
      }
      case INVERSE_GAMMA -> {
        Ex a = d.argument("concentration");
        Ex b = d.argument("scale");
        Ex density = sub(sub(sub(mul(a, log(b)), unary(UnaryOp.LGAMMA, a)), mul(add(a, constant(1)), log(x))),
            mul(b, unary(UnaryOp.RECIPROCAL, x)));
        yield checked(checked(density, UnaryOp.CHECK_POSITIVE, a), UnaryOp.CHECK_POSITIVE, b);
      }
      case WEIBULL -> {
        Ex k = d.argument("concentration");
        Ex scale = d.argument("scale");
        Ex z = mul(x, unary(UnaryOp.RECIPROCAL, scale));
        Ex density = sub(add(sub(log(k), log(scale)), Exprs.binary(BinaryOp.XLOGY, sub(k, constant(1)), z)),
            Exprs.binary(BinaryOp.POW, z, k));
        yield checked(checked(density, UnaryOp.CHECK_POSITIVE, k), UnaryOp.CHECK_POSITIVE, scale);
      }
      case LAPLACE -> {
        Ex scale = d.argument("scale");
        Ex z = mul(unary(UnaryOp.ABS, sub(x, d.argument("loc"))), unary(UnaryOp.RECIPROCAL, scale));
        yield sub(sub(neg(z), log(scale)), constant(LOG_TWO));
      }
      case LOGISTIC -> {
        Ex scale = d.argument("scale");
        Ex z = mul(sub(x, d.argument("loc")), unary(UnaryOp.RECIPROCAL, scale));
        // -z - log s - 2 log(1 + e^-z), written with softplus so that both tails stay finite
        yield sub(sub(neg(z), log(scale)), mul(constant(2), unary(UnaryOp.SOFTPLUS, neg(z))));
      }
      case LOGIT_NORMAL -> {
        Ex scale = d.argument("scale");
        Ex logX = log(x);
        Ex log1mX = unary(UnaryOp.LOG1P, neg(x));
        Ex z = mul(sub(sub(logX, log1mX), d.argument("loc")), unary(UnaryOp.RECIPROCAL, scale));
        yield sub(sub(sub(sub(mul(constant(-0.5), unary(UnaryOp.SQUARE, z)), log(scale)), constant(HALF_LOG_TWO_PI)),
            logX), log1mX);
      }
      case NEGATIVE_BINOMIAL -> {
        Ex phi = d.argument("dispersion");
        Ex logPhi = log(phi);
        Ex norm = sub(sub(unary(UnaryOp.LGAMMA, add(x, phi)), unary(UnaryOp.LGAMMA, add(x, constant(1)))),
            unary(UnaryOp.LGAMMA, phi));
        Ex body;
        if (d.has("log_mean")) {
          // log(mu + phi) = log phi + softplus(eta - log phi): finite for every log mean
          Ex eta = d.argument("log_mean");
          Ex soft = unary(UnaryOp.SOFTPLUS, sub(eta, logPhi));
          body = sub(mul(x, sub(sub(eta, logPhi), soft)), mul(phi, soft));
        } else {
          Ex mu = d.argument("mean");
          body = sub(add(Exprs.binary(BinaryOp.XLOGY, x, mu), mul(phi, logPhi)), mul(add(x, phi), log(add(mu, phi))));
          body = checked(body, UnaryOp.CHECK_POSITIVE, mu);
        }
        yield checked(add(norm, body), UnaryOp.CHECK_POSITIVE, phi);
      }
      case BETA_BINOMIAL -> {
        Ex n = d.argument("total_count");
        Ex a = d.argument("concentration1");
        Ex b = d.argument("concentration0");
        Ex logBetaPosterior = sub(add(unary(UnaryOp.LGAMMA, add(x, a)), unary(UnaryOp.LGAMMA, add(sub(n, x), b))),
            unary(UnaryOp.LGAMMA, add(n, add(a, b))));
        Ex logBetaPrior = sub(add(unary(UnaryOp.LGAMMA, a), unary(UnaryOp.LGAMMA, b)), unary(UnaryOp.LGAMMA, add(a, b)));
        Ex density = add(Exprs.binary(BinaryOp.LOG_CHOOSE, n, x), sub(logBetaPosterior, logBetaPrior));
        yield checked(checked(checked(density, UnaryOp.CHECK_COUNT, n), UnaryOp.CHECK_POSITIVE, a),
            UnaryOp.CHECK_POSITIVE, b);
      }
      case GEOMETRIC -> {
        Ex p = d.argument("probs");
        yield checked(add(Exprs.binary(BinaryOp.XLOG1PY, x, neg(p)), log(p)), UnaryOp.CHECK_UNIT, p);
      }
      case CATEGORICAL, DIRICHLET, MULTINOMIAL, MULTIVARIATE_NORMAL, FLAT, HALF_FLAT -> throw new IllegalStateException("not elementwise: " + d.family());
    };
  }

  /** The families {@code T[lower, upper]} can truncate: those whose distribution function is written here. */
  public static boolean truncatable(Distribution family) {
    return switch (family) {
      case NORMAL, HALF_NORMAL, LOG_NORMAL, EXPONENTIAL, LOGISTIC, WEIBULL -> true;
      default -> false;
    };
  }

  /**
   * log p(x) - log(F(upper) - F(lower)) inside the bounds (inclusive), -inf outside, per coordinate; a bound at the
   * family's own end of the line (-inf, or 0 for a positive family; +inf) contributes no term.
   */
  private static Ex truncated(DistIr d, Ex x) {
    DistIr base = new DistIr(d.family(), d.parameterisation(), d.arguments(), d.span());
    boolean noLower = d.lower() instanceof Ex.Const lo && (lo.value() == Double.NEGATIVE_INFINITY
        || lo.value() <= 0 && d.family().support() != org.alan.stdlib.SupportKind.REAL);
    boolean noUpper = d.upper() instanceof Ex.Const hi && hi.value() == Double.POSITIVE_INFINITY;
    Ex density = elementwise(base, x);
    if (!noLower) {
      density = add(density, unary(UnaryOp.LOG_STEP, sub(x, d.lower())));
    }
    if (!noUpper) {
      density = add(density, unary(UnaryOp.LOG_STEP, sub(d.upper(), x)));
    }
    Ex logMass;
    if (noLower && noUpper) {
      return density;
    } else if (noUpper) {
      logMass = logSurvival(base, d.lower());
    } else if (noLower) {
      logMass = logCdf(base, d.upper());
    } else {
      // log(F(hi) - F(lo)) without cancelling: from the CDFs below the median, from the survival functions above
      Ex fromCdf = logDifference(logCdf(base, d.upper()), logCdf(base, d.lower()));
      Ex fromSurvival = logDifference(logSurvival(base, d.lower()), logSurvival(base, d.upper()));
      Ex upperHalf = unary(UnaryOp.EXP, unary(UnaryOp.LOG_STEP, sub(logCdf(base, d.lower()), constant(-LOG_TWO))));
      logMass = add(Exprs.binary(BinaryOp.MASKED, upperHalf, fromSurvival),
          Exprs.binary(BinaryOp.MASKED, sub(constant(1), upperHalf), fromCdf));
    }
    return sub(density, logMass);
  }

  /** log F(x) (or log(1 - F(x)) with {@code complement}) summed over the value's shape: Stan's lcdf and lccdf. */
  public static Ex logTail(DistIr dist, Ex value, Shape valueShape, boolean complement) {
    return Exprs.sumOver(complement ? logSurvival(dist, value) : logCdf(dist, value), valueShape);
  }

  /** log(exp(a) - exp(b)) for a >= b: a + log(1 - exp(b - a)). */
  private static Ex logDifference(Ex a, Ex b) {
    return add(a, unary(UnaryOp.LOG1P, neg(unary(UnaryOp.EXP, sub(b, a)))));
  }

  /** log F(x), in the stable form each family has. */
  private static Ex logCdf(DistIr d, Ex x) {
    return switch (d.family()) {
      case NORMAL -> unary(UnaryOp.LOG_PHI, standardised(d, x));
      case LOG_NORMAL -> unary(UnaryOp.LOG_PHI, standardised(d, log(x)));
      case HALF_NORMAL -> unary(UnaryOp.LOG1P, mul(constant(-2), unary(UnaryOp.EXP, unary(UnaryOp.LOG_PHI,
          neg(mul(x, unary(UnaryOp.RECIPROCAL, d.argument("scale"))))))));
      case EXPONENTIAL -> log(neg(unary(UnaryOp.EXPM1, neg(mul(d.argument("rate"), x)))));
      case LOGISTIC -> unary(UnaryOp.LOG_SIGMOID, standardised(d, x));
      case WEIBULL -> log(neg(unary(UnaryOp.EXPM1, neg(weibullPower(d, x)))));
      default -> throw new IllegalArgumentException(d.family() + " cannot be truncated");
    };
  }

  /** log(1 - F(x)), in the stable form each family has. */
  private static Ex logSurvival(DistIr d, Ex x) {
    return switch (d.family()) {
      case NORMAL -> unary(UnaryOp.LOG_PHI, neg(standardised(d, x)));
      case LOG_NORMAL -> unary(UnaryOp.LOG_PHI, neg(standardised(d, log(x))));
      case HALF_NORMAL -> add(constant(LOG_TWO), unary(UnaryOp.LOG_PHI, neg(mul(x, unary(UnaryOp.RECIPROCAL,
          d.argument("scale"))))));
      case EXPONENTIAL -> neg(mul(d.argument("rate"), x));
      case LOGISTIC -> unary(UnaryOp.LOG_SIGMOID, neg(standardised(d, x)));
      case WEIBULL -> neg(weibullPower(d, x));
      default -> throw new IllegalArgumentException(d.family() + " cannot be truncated");
    };
  }

  /** (x - loc) / scale. */
  private static Ex standardised(DistIr d, Ex x) {
    return mul(sub(x, d.argument("loc")), unary(UnaryOp.RECIPROCAL, d.argument("scale")));
  }

  /** (x / scale)^concentration. */
  private static Ex weibullPower(DistIr d, Ex x) {
    return Exprs.binary(BinaryOp.POW, mul(x, unary(UnaryOp.RECIPROCAL, d.argument("scale"))),
        d.argument("concentration"));
  }

  /**
   * The log density of the proper stand-in for an improper prior during tempering: Normal(0, S) for Flat,
   * LogNormal(0, S') for HalfFlat ({@link Distribution#SURROGATE_SCALE}).
   */
  public static Ex surrogateLogDensity(DistIr improper, Ex value, Shape valueShape) {
    DistIr standIn = switch (improper.family()) {
      case FLAT -> new DistIr(Distribution.NORMAL, 0,
          java.util.List.of(constant(0), constant(Distribution.SURROGATE_SCALE)), improper.span());
      case HALF_FLAT -> new DistIr(Distribution.LOG_NORMAL, 0,
          java.util.List.of(constant(0), constant(Distribution.SURROGATE_LOG_SCALE)), improper.span());
      default -> throw new IllegalArgumentException(improper.family() + " is proper");
    };
    return logDensity(standIn, value, valueShape);
  }

  /** A log density plus the check that makes it NaN where {@code parameter} is invalid. */
  private static Ex checked(Ex density, UnaryOp check, Ex parameter) {
    return add(density, unary(check, parameter));
  }

  /** log p[x] - log sum p, or logits[x] - logsumexp(logits). */
  private static Ex categorical(DistIr d, Ex x) {
    if (d.has("logits")) {
      Ex logits = d.argument("logits");
      return sub(Exprs.select(logits, x), Exprs.reduce(ReduceOp.LOGSUMEXP, logits, 1));
    }
    Ex probs = d.argument("probs");
    return add(sub(log(Exprs.select(probs, x)), log(Exprs.reduce(ReduceOp.SUM, probs, 1))),
        Exprs.reduce(ReduceOp.SUM, unary(UnaryOp.CHECK_NONNEGATIVE, probs), 1));
  }

  /**
   * lgamma(n + 1) - sum lgamma(x + 1) + sum x log p - n log sum p (or with logits, sum x logits - n logsumexp),
   * per batch coordinate; the counts' sum is checked against n with the data.
   */
  private static Ex multinomial(DistIr d, Ex x) {
    Ex n = d.argument("total_count");
    Ex coefficient = sub(unary(UnaryOp.LGAMMA, add(n, constant(1))),
        Exprs.reduce(ReduceOp.SUM, unary(UnaryOp.LGAMMA, add(x, constant(1))), 1));
    Ex body;
    if (d.has("logits")) {
      Ex logits = d.argument("logits");
      body = sub(Exprs.reduce(ReduceOp.SUM, mul(x, logits), 1), mul(n, Exprs.reduce(ReduceOp.LOGSUMEXP, logits, 1)));
    } else {
      Ex probs = d.argument("probs");
      body = add(sub(Exprs.reduce(ReduceOp.SUM, Exprs.binary(BinaryOp.XLOGY, x, probs), 1),
          mul(n, log(Exprs.reduce(ReduceOp.SUM, probs, 1)))),
          Exprs.reduce(ReduceOp.SUM, unary(UnaryOp.CHECK_NONNEGATIVE, probs), 1));
    }
    // impossible unless the counts sum to n (the data binder checks it where n is a number or an input)
    Ex sumsToN = unary(UnaryOp.LOG_STEP, neg(unary(UnaryOp.ABS, sub(Exprs.reduce(ReduceOp.SUM, x, 1), n))));
    return checked(add(add(coefficient, body), sumsToN), UnaryOp.CHECK_COUNT, n);
  }

  /** -k/2 log 2 pi - log det L - |L^-1 (x - loc)|^2 / 2, with L^-1 and log det L computed from the data. */
  private static Ex multivariateNormal(DistIr d, Ex x, int k) {
    Ex inverse = d.argument("inverse_scale_tril");
    Ex z = Exprs.reduce(ReduceOp.SUM, mul(inverse, sub(x, d.argument("loc"))), 1);
    Ex quadratic = Exprs.reduce(ReduceOp.SUM, unary(UnaryOp.SQUARE, z), 1);
    return sub(sub(mul(constant(-0.5), quadratic), d.argument("log_det_scale_tril")), constant(k * HALF_LOG_TWO_PI));
  }

  private static Ex dirichlet(Ex alpha, Ex x, Shape valueShape) {
    Ex a = alpha;
    Ex norm = sub(unary(UnaryOp.LGAMMA, Exprs.reduce(ReduceOp.SUM, a, 1)),
        Exprs.reduce(ReduceOp.SUM, unary(UnaryOp.LGAMMA, a), 1));
    Ex body = Exprs.reduce(ReduceOp.SUM, add(mul(sub(a, constant(1)), log(x)), unary(UnaryOp.CHECK_POSITIVE, a)), 1);
    Shape batch = valueShape.dropLast();
    return add(Exprs.sumOver(norm, batch), Exprs.sumOver(body, batch));
  }
}
