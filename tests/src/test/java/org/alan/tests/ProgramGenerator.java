package org.alan.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random {@code .alan} programs for {@link FuzzTest}: grammatical by construction, and drawn from a small pool of
 * names, distributions and functions so that many also type-check and reach planning and code generation, with
 * enough wrong arities, shapes, unknown names, cycles and misplaced statements to exercise every checker.
 */
final class ProgramGenerator {
  private static final String[] NAMES = {"a", "b", "mu", "sigma", "tau", "theta", "x", "y", "z", "w", "p", "n",
      "`group`", "model", "rows", "alpha", "beta", "k"};
  private static final String[] PLATES = {"rows", "cols", "schools", "obs", "g", "t"};
  private static final String[] DISTRIBUTIONS = {"Normal", "HalfNormal", "LogNormal", "StudentT", "Cauchy",
      "HalfCauchy", "Exponential", "Gamma", "Beta", "Uniform", "Bernoulli", "Binomial", "Poisson", "Categorical",
      "Dirichlet", "InverseGamma", "Weibull", "Laplace", "Logistic", "LogitNormal", "NegativeBinomial",
      "BetaBinomial", "Geometric", "Multinomial", "ScaledBeta", "MultivariateNormal", "Flat", "HalfFlat", "AR",
      "Wishart", "normal"};
  private static final String[] ARGUMENT_NAMES = {"loc", "scale", "probs", "logits", "rate", "concentration",
      "total_count", "df", "covariance_matrix", "scale_tril", "low", "high", "mean", "dispersion", "log_mean"};
  private static final String[] FUNCTIONS = {"exp", "log", "log1p", "expm1", "sqrt", "abs", "pow", "sigmoid",
      "softplus", "dot", "sum", "min", "max", "inv_logit", "log_inv_logit", "log1m_inv_logit", "logit", "square",
      "inv", "fma", "log_sum_exp", "Phi", "Phi_approx", "if_else", "lag", "cumsum", "log10", "log2", "normal_lpdf",
      "log_mix", "qem", "learn", "mean", "sd", "foo"};
  private static final String[] NUMBERS = {"0", "1", "2", "0.5", "10", "1e-3", "1e300", "1e-300", "3.0", ".5",
      "1000000", "2147483648", "0.0", "1e308", "7"};
  private static final String[] BINARY = {"+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!="};

  private final Random random;
  private final StringBuilder out = new StringBuilder();
  private int budget;

  ProgramGenerator(Random random) {
    this.random = random;
  }

  String program() {
    if (random.nextBoolean()) {
      return new Careful().program();
    }
    budget = 20 + random.nextInt(60);
    String name = random.nextInt(10) == 0 ? pick(NAMES) : "M";
    out.append("model ").append(name).append(" {\n");
    block(1, 0);
    out.append("}\n");
    if (random.nextInt(4) == 0) {
      out.append("guide ").append(random.nextInt(6) == 0 ? "Other" : name).append(" {\n");
      guideBlock(1, 0);
      out.append("}\n");
    }
    return out.toString();
  }

  private void block(int indent, int depth) {
    int statements = 1 + random.nextInt(6);
    for (int i = 0; i < statements && budget > 0; i++) {
      budget--;
      statement(indent, depth);
    }
  }

  private void statement(int indent, int depth) {
    pad(indent);
    switch (random.nextInt(12)) {
      case 0, 1 -> out.append(pick(NAMES)).append(shape()).append(" ~ ").append(call(2)).append(truncation())
          .append(";\n");
      case 2, 3 -> out.append("data ").append(pick(NAMES)).append(shape()).append(" ~ ").append(call(2))
          .append(truncation()).append(";\n");
      case 4 -> {
        out.append("input ").append(pick(NAMES)).append(shape());
        if (random.nextInt(4) == 0) {
          out.append(": ").append(pick(PLATES));
        }
        out.append(";\n");
      }
      case 5 -> out.append("let ").append(pick(NAMES)).append(" = ").append(expression(3)).append(";\n");
      case 6 -> out.append("param ").append(pick(NAMES)).append(shape()).append(" = ").append(expression(1))
          .append(";\n");
      case 7 -> out.append(random.nextBoolean() ? "target" : pick(NAMES)).append(" += ").append(expression(3))
          .append(";\n");
      default -> {
        if (depth > 3) {
          out.append(pick(NAMES)).append(" ~ Normal(0, 1);\n");
          return;
        }
        boolean group = random.nextInt(5) == 0;
        out.append(group ? "group " : "plate ").append(pick(PLATES));
        if (!group && random.nextInt(3) == 0) {
          out.append("(").append(random.nextInt(4) == 0 ? pick(NAMES) : String.valueOf(random.nextInt(12)))
              .append(")");
        }
        out.append(" {\n");
        block(indent + 1, depth + 1);
        pad(indent);
        out.append("}\n");
      }
    }
  }

  private void guideBlock(int indent, int depth) {
    int statements = 1 + random.nextInt(4);
    for (int i = 0; i < statements && budget > -20; i++) {
      budget--;
      pad(indent);
      int kind = random.nextInt(6);
      if (kind < 4 || depth > 2) {
        out.append(pick(NAMES)).append(shape()).append(" ~ ").append(pick(DISTRIBUTIONS)).append("(")
            .append(guideArgument()).append(random.nextBoolean() ? ", " + guideArgument() : "").append(");\n");
      } else {
        out.append(kind == 4 ? "plate " : "group ").append(pick(PLATES)).append(" {\n");
        guideBlock(indent + 1, depth + 1);
        pad(indent);
        out.append("}\n");
      }
    }
  }

  private String guideArgument() {
    return switch (random.nextInt(4)) {
      case 0 -> "qem(" + pick(NUMBERS) + ")";
      case 1 -> "exp(learn(" + pick(NUMBERS) + "))";
      case 2 -> "learn(" + expression(1) + ")";
      default -> expression(2);
    };
  }

  private String shape() {
    if (random.nextInt(4) != 0) {
      return "";
    }
    StringBuilder s = new StringBuilder("[").append(random.nextInt(5));
    while (random.nextInt(4) == 0) {
      s.append(", ").append(random.nextInt(4));
    }
    return s.append("]").toString();
  }

  private String truncation() {
    if (random.nextInt(8) != 0) {
      return "";
    }
    String lower = random.nextBoolean() ? expression(1) : "";
    String upper = random.nextBoolean() ? expression(1) : "";
    return " T[" + lower + ", " + upper + "]";
  }

  private String call(int depth) {
    String name = random.nextInt(3) == 0 ? pick(FUNCTIONS) : pick(DISTRIBUTIONS);
    int arguments = random.nextInt(4);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < arguments; i++) {
      String argument = expression(depth - 1);
      parts.add(random.nextInt(5) == 0 ? pick(ARGUMENT_NAMES) + " = " + argument : argument);
    }
    String separator = random.nextInt(10) == 0 ? " | " : ", ";
    return name + "(" + String.join(separator, parts) + ")";
  }

  private String expression(int depth) {
    if (depth <= 0) {
      return random.nextInt(3) == 0 ? pick(NUMBERS) : pick(NAMES);
    }
    return switch (random.nextInt(10)) {
      case 0, 1 -> expression(depth - 1) + " " + pick(BINARY) + " " + expression(depth - 1);
      case 2 -> "-" + expression(depth - 1);
      case 3 -> "(" + expression(depth - 1) + ")";
      case 4 -> call(depth);
      case 5 -> pick(NAMES) + "[" + (random.nextBoolean() ? String.valueOf(random.nextInt(5)) : expression(0)) + "]";
      case 6 -> pick(NAMES) + "[" + (random.nextBoolean() ? random.nextInt(4) : "") + ":"
          + (random.nextBoolean() ? random.nextInt(5) : "") + "]";
      case 7 -> "[" + expression(depth - 1) + (random.nextBoolean() ? ", " + expression(depth - 1) : "") + "]";
      default -> random.nextBoolean() ? pick(NUMBERS) : pick(NAMES);
    };
  }

  /**
   * Programs that mostly check: each name declared once, read only where in scope, distributions with arguments
   * in their support, so that most reach planning and code generation with odd but legal structure.
   */
  private final class Careful {
    private final List<List<String>> scopes = new ArrayList<>();
    private int names;
    private int plates;

    String program() {
      out.append("model M {\n");
      scopes.add(new ArrayList<>());
      int statements = 1 + random.nextInt(5);
      for (int i = 0; i < statements; i++) {
        statement(1, 0);
      }
      out.append("}\n");
      return out.toString();
    }

    private void statement(int indent, int depth) {
      pad(indent);
      int kind = random.nextInt(depth < 2 ? 7 : 5);
      String name = "v" + names++;
      switch (kind) {
        case 0, 1 -> {
          String shape = random.nextInt(5) == 0 ? "[" + (1 + random.nextInt(3)) + "]" : "";
          out.append(name).append(shape).append(" ~ ").append(distribution()).append(";\n");
          declare(name);
        }
        case 2 -> out.append("data ").append(name).append(" ~ ").append(distribution()).append(";\n");
        case 3 -> {
          out.append("input ").append(name).append(";\n");
          declare(name);
        }
        case 4 -> {
          out.append("let ").append(name).append(" = ").append(real(2)).append(";\n");
          declare(name);
        }
        default -> {
          out.append("plate p").append(plates++).append(random.nextInt(3) == 0 ? "(" + (1 + random.nextInt(4)) + ")" : "")
              .append(" {\n");
          scopes.add(new ArrayList<>());
          int statements = 1 + random.nextInt(4);
          for (int i = 0; i < statements; i++) {
            statement(indent + 1, depth + 1);
          }
          scopes.remove(scopes.size() - 1);
          pad(indent);
          out.append("}\n");
        }
      }
    }

    private void declare(String name) {
      scopes.get(scopes.size() - 1).add(name);
    }

    private String distribution() {
      return switch (random.nextInt(12)) {
        case 0 -> "HalfNormal(" + positive() + ")";
        case 1 -> "Exponential(" + positive() + ")";
        case 2 -> "Gamma(" + positive() + ", " + positive() + ")";
        case 3 -> "Beta(" + positive() + ", " + positive() + ")";
        case 4 -> "Poisson(" + positive() + ")";
        case 5 -> "Bernoulli(logits = " + real(2) + ")";
        case 6 -> "StudentT(" + positive() + ", " + real(2) + ", " + positive() + ")";
        case 7 -> "LogNormal(" + real(2) + ", " + positive() + ")";
        case 8 -> "Cauchy(" + real(1) + ", " + positive() + ")";
        case 9 -> "Binomial(10, inv_logit(" + real(1) + "))";
        default -> "Normal(" + real(2) + ", " + positive() + ")";
      };
    }

    private String positive() {
      return switch (random.nextInt(4)) {
        case 0 -> "exp(" + real(1) + ")";
        case 1 -> "softplus(" + real(1) + ")";
        default -> NUMBERS[random.nextInt(5) + 1];
      };
    }

    private String real(int depth) {
      List<String> visible = new ArrayList<>();
      scopes.forEach(visible::addAll);
      if (depth <= 0 || random.nextInt(3) == 0) {
        return visible.isEmpty() || random.nextInt(3) == 0 ? pick(NUMBERS)
            : sum(visible.get(random.nextInt(visible.size())));
      }
      return switch (random.nextInt(6)) {
        case 0 -> real(depth - 1) + " + " + real(depth - 1);
        case 1 -> real(depth - 1) + " * " + real(depth - 1);
        case 2 -> "-" + real(depth - 1);
        case 3 -> pick(new String[] {"sigmoid", "softplus", "log1p_exp", "inv_logit", "square", "abs", "exp"})
            .replace("log1p_exp", "softplus") + "(" + real(depth - 1) + ")";
        case 4 -> "if_else(" + real(depth - 1) + " < " + real(depth - 1) + ", " + real(depth - 1) + ", "
            + real(depth - 1) + ")";
        default -> "(" + real(depth - 1) + ")";
      };
    }

    /** A name, summed when it may be a vector (so that it reads as a scalar). */
    private String sum(String name) {
      return out.indexOf(name + "[") >= 0 ? "sum(" + name + ")" : name;
    }
  }

  private void pad(int indent) {
    out.append("  ".repeat(indent));
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }
}
