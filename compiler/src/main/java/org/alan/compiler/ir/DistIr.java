package org.alan.compiler.ir;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.Distribution;
import org.alan.stdlib.Parameter;

/**
 * A distribution with its arguments bound to the chosen parameterisation, in parameter order.
 *
 * @param batchShape the shape of the value the arguments describe, before the variable's declared shape is
 *     applied (arguments broadcast to it)
 */
public record DistIr(Distribution family, int parameterisation, List<Ex> arguments, SourceSpan span) {
  public DistIr {
    Objects.requireNonNull(family, "family is null");
    arguments = List.copyOf(arguments);
    Objects.requireNonNull(span, "span is null");
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
