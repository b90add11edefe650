package org.alan.runtime.learn;

import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.ParamSpec;
import org.alan.runtime.model.QemSpec;
import org.alan.stdlib.SupportKind;

/**
 * Adam (Kingma and Ba, 2015) ascending an objective in the guide's parameters, as VI and RWS use it (spec 4.4).
 *
 * <p>A {@code learn(...)} parameter is optimised as written: the guide says how it is constrained
 * ({@code exp(learn(0))}). A {@code qem(...)} parameter is a distribution's argument itself (a scale, a
 * probability), so it is optimised on an unconstrained scale: the log of a positive argument, the logit of a
 * probability. Steps are therefore never out of the parameter's support.
 */
final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private enum Scale { RAW, LOG, LOGIT }

  private final ModelSpec spec;
  private final Scale[] scale;
  private final double[][] first;
  private final double[][] second;
  private final double lr;
  private int steps;

  Adam(ModelSpec spec, double[][] params, double lr) {
    this.lr = lr;
    this.spec = spec;
    ParamSpec[] ps = spec.params();
    scale = new Scale[ps.length];
    java.util.Arrays.fill(scale, Scale.RAW);
    for (QemSpec q : spec.qem()) {
      for (int i = 0; i < q.params().length; i++) {
        SupportKind constraint = q.family().qemParameters().get(i).constraint();
        scale[q.params()[i]] = switch (constraint) {
          case POSITIVE, NONNEGATIVE -> Scale.LOG;
          case UNIT_INTERVAL -> Scale.LOGIT;
          default -> Scale.RAW;
        };
      }
    }
    first = new double[params.length][];
    second = new double[params.length][];
    for (int p = 0; p < params.length; p++) {
      first[p] = new double[params[p].length];
      second[p] = new double[params[p].length];
    }
  }

  /** One step up {@code gradient} (d objective / d params), in place. */
  void step(double[][] params, double[][] gradient) {
    steps++;
    double correction1 = 1 - Math.pow(BETA1, steps);
    double correction2 = 1 - Math.pow(BETA2, steps);
    for (int p = 0; p < params.length; p++) {
      double[] x = params[p];
      for (int i = 0; i < x.length; i++) {
        double g = switch (scale[p]) {
          case RAW -> gradient[p][i];
          case LOG -> gradient[p][i] * x[i];
          case LOGIT -> gradient[p][i] * x[i] * (1 - x[i]);
        };
        if (!Double.isFinite(g)) {
          throw new org.alan.runtime.engine.InferenceException("the gradient of the bound with respect to guide"
              + " parameter '" + spec.params()[p].name() + "' (entry " + i + ") is " + g + " at step " + steps
              + ": the guide has moved where the model's density is not finite; a smaller --lr may help");
        }
        first[p][i] = BETA1 * first[p][i] + (1 - BETA1) * g;
        second[p][i] = BETA2 * second[p][i] + (1 - BETA2) * g * g;
        double move = lr * (first[p][i] / correction1) / (Math.sqrt(second[p][i] / correction2) + EPSILON);
        x[i] = switch (scale[p]) {
          case RAW -> x[i] + move;
          case LOG -> x[i] * Math.exp(move);
          case LOGIT -> {
            double logit = Math.log(x[i] / (1 - x[i])) + move;
            yield 1 / (1 + Math.exp(-logit));
          }
        };
      }
    }
  }
}
