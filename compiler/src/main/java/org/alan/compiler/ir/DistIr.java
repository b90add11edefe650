package org.alan.compiler.ir;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.Distribution;
import org.alan.stdlib.Parameter;

/**
 * A distribution with its arguments bound to the chosen parameterisation, in parameter order, possibly truncated
 * to {@code [lower, upper]} (Stan's {@code T[lower, upper]}; a left-out bound is an infinite constant).
 *
 * @param lower the truncation's lower bound, null when not truncated
 * @param upper the truncation's upper bound, null when not truncated
 */
public record DistIr(Distribution family, int parameterisation, List<Ex> arguments, SourceSpan span, Ex lower,
    Ex upper) {
  public DistIr {
    Objects.requireNonNull(family, "family is null");
    arguments = List.copyOf(arguments);
    Objects.requireNonNull(span, "span is null");
    if ((lower == null) != (upper == null)) {
      throw new IllegalArgumentException("a truncation has both bounds (infinite when left out)");
    }
  }

  public DistIr(Distribution family, int parameterisation, List<Ex> arguments, SourceSpan span) {
    this(family, parameterisation, arguments, span, null, null);
  }

  public boolean truncated() {
    return lower != null;
  }

  /** The same distribution with other arguments, truncated as this one is. */
  public DistIr withArguments(List<Ex> newArguments) {
    return new DistIr(family, parameterisation, newArguments, span, lower, upper);
  }

  /**
   * The support of the values: the family's, or for a truncation the closed interval it leaves ([0, inf) reads as
   * the non-negative reals; a left-out lower bound is the family's own, -inf or 0).
   */
  public org.alan.stdlib.SupportKind support() {
    if (!truncated()) {
      return family.support();
    }
    boolean fromZero = lower instanceof Ex.Const lo && lo.value() == 0;
    if (fromZero && upper instanceof Ex.Const hi && hi.value() == Double.POSITIVE_INFINITY) {
      return org.alan.stdlib.SupportKind.NONNEGATIVE; // the bounds are inclusive: an observed 0 is in
    }
    return org.alan.stdlib.SupportKind.INTERVAL;
  }

  /** The lower end of an interval support: the truncation's bound, or a Uniform's {@code low}. */
  public Ex low() {
    return truncated() ? lower : argument("low");
  }

  /** The upper end of an interval support: the truncation's bound, or a Uniform's {@code high}. */
  public Ex high() {
    return truncated() ? upper : argument("high");
  }

  public List<Parameter> parameters() {
    return family.parameterisations().get(parameterisation);
  }

  /** The argument bound to the parameter of this name. */
  public Ex argument(String parameterName) {
    List<Parameter> ps = parameters();
    for (int i = 0; i < ps.size(); i++) {
      if (ps.get(i).name().equals(parameterName)) {
        return arguments.get(i);
      }
    }
    throw new IllegalArgumentException(family.alanName() + " has no parameter " + parameterName);
  }

  public boolean has(String parameterName) {
    return parameters().stream().anyMatch(p -> p.name().equals(parameterName));
  }
}
