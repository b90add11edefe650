package org.alan.runtime.engine;

import org.alan.runtime.io.BoundData;
import org.alan.runtime.io.DataException;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.InputConstraint;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.TransformSpec;
import org.alan.runtime.model.VariableSpec;

/**
 * Computes the inputs a model derives from its data ({@link ModelSpec#transforms}) into the bound data, once,
 * before any run: {@code lag} and {@code cumsum}, each along its plate within each element of the enclosing plates
 * (a series, in the engine's element order), the masks of observations that start after a lag's first elements,
 * constants (vector literals, slices' selections), and a MultivariateNormal's Cholesky factor, its inverse and log
 * determinant (per element of the matrix's plate).
 */
public final class ComputedInputs {
  private ComputedInputs() {}

  /** Fills every computed input of {@code bound} in place; {@code origin} names the data in messages. */
  public static void apply(CompiledModel model, BoundData bound, String origin) {
    ModelSpec spec = model.spec();
    if (spec.transforms().length == 0) {
      return;
    }
    double[][] values = bound.values();
    ModelState state = new ModelState(spec, 1, bound.nest(), values,
        ModelState.initialParams(spec, spec.plateCounts(bound.plateSize())), false);
    for (int i = 0; i < spec.transforms().length; i++) {
      TransformSpec t = spec.transforms()[i];
      VariableSpec var = spec.variables()[t.input()];
      int n = state.plateCount[t.plate()];
      int size = var.size();
      int[] position = positions(state, t.plate());
      double[] out = new double[n * size];
      if (t.kind() == TransformSpec.Kind.CONSTANT) {
        out = t.values().clone();
      } else if (t.kind() == TransformSpec.Kind.MASK) {
        for (int e = 0; e < n; e++) {
          out[e] = position[e] >= t.lag() ? 1 : 0;
        }
      } else if (isMatrixFunction(t.kind())) {
        int k = t.lag();
        double[] source = new double[k * k];
        for (int e = 0; e < n; e++) {
          model.computeInputSource(i, state, e, source, 0);
          String problem = matrixFunction(t.kind(), source, k, out, e * size);
          if (problem != null) {
            throw new DataException(origin + ": " + t.text() + " (" + spec.sourceName() + ":" + t.line() + ")"
                + Posterior.elementLabel(spec, state, t.plate(), e) + ": " + problem);
          }
        }
      } else {
        double[] source = new double[n * size];
        for (int e = 0; e < n; e++) {
          model.computeInputSource(i, state, e, source, e * size);
        }
        for (int e = 0; e < n; e++) {
          for (int j = 0; j < size; j++) {
            int at = e * size + j;
            out[at] = switch (t.kind()) {
              case LAG -> position[e] >= t.lag() ? source[at - t.lag() * size]
                  : Double.isNaN(t.init()) ? source[at] : t.init();
              case CUMSUM -> position[e] == 0 ? source[at] : out[at - size] + source[at];
              default -> throw new IllegalStateException(t.kind().name());
            };
          }
        }
        verifyFinite(spec, state, t, out, size, position, origin);
      }
      values[t.input()] = out;
    }
    for (InputConstraint c : spec.inputConstraints()) {
      for (TransformSpec t : spec.transforms()) {
        if (t.input() == c.input()) {
          verifyParameter(spec, state, c, t, values[c.input()], positions(state, t.plate()), origin);
        }
      }
    }
  }

  /** A computed input passed as it is as a distribution's parameter must be valid for it, as a given one must. */
  private static void verifyParameter(ModelSpec spec, ModelState state, InputConstraint c, TransformSpec t,
      double[] values, int[] position, String origin) {
    VariableSpec input = spec.variables()[c.input()];
    for (int i = 0; i < values.length; i++) {
      if (!c.constraint().allowsParameter(values[i]) && position[i / input.size()] >= t.missing()) {
        throw new DataException(origin + ": '" + input.name() + "' = " + values[i]
            + Posterior.elementLabel(spec, state, input.plate(), i / input.size()) + c.refusal(spec.sourceName()));
      }
    }
  }

  private static boolean isMatrixFunction(TransformSpec.Kind kind) {
    return switch (kind) {
      case CHOLESKY, LOWER_TRIANGULAR, INVERSE_TRIANGULAR, LOG_DET_TRIANGULAR -> true;
      default -> false;
    };
  }

  /**
   * One k-by-k matrix function of {@code a} (row-major) into {@code out[at ...]}; returns why it cannot be taken, or
   * null.
   */
  static String matrixFunction(TransformSpec.Kind kind, double[] a, int k, double[] out, int at) {
    switch (kind) {
      case CHOLESKY -> {
        for (int i = 0; i < k * k; i++) {
          if (!Double.isFinite(a[i])) {
            return "the covariance matrix has the entry " + a[i] + " at [" + (i / k + 1) + ", " + (i % k + 1) + "]";
          }
        }
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            if (Math.abs(a[i * k + j] - a[j * k + i]) > 1e-8 * (Math.abs(a[i * k + j]) + Math.abs(a[j * k + i]))) {
              return "the covariance matrix is not symmetric (entry [" + (i + 1) + ", " + (j + 1) + "] is "
                  + a[i * k + j] + ", entry [" + (j + 1) + ", " + (i + 1) + "] " + a[j * k + i] + ")";
            }
          }
        }
        for (int j = 0; j < k; j++) {
          double d = a[j * k + j];
          for (int m = 0; m < j; m++) {
            d -= out[at + j * k + m] * out[at + j * k + m];
          }
          if (!(d > 0)) {
            return "the covariance matrix is not positive definite (its Cholesky factorisation fails at row "
                + (j + 1) + ")";
          }
          double l = Math.sqrt(d);
          out[at + j * k + j] = l;
          for (int i = j + 1; i < k; i++) {
            double s = a[i * k + j];
            for (int m = 0; m < j; m++) {
              s -= out[at + i * k + m] * out[at + j * k + m];
            }
            out[at + i * k + j] = s / l;
          }
        }
      }
      case LOWER_TRIANGULAR -> {
        for (int i = 0; i < k * k; i++) {
          if (!Double.isFinite(a[i])) {
            return "scale_tril has the entry " + a[i] + " at [" + (i / k + 1) + ", " + (i % k + 1) + "]";
          }
        }
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            if (j > i && a[i * k + j] != 0) {
              return "scale_tril must be lower-triangular, but entry [" + (i + 1) + ", " + (j + 1) + "] is "
                  + a[i * k + j];
            }
            if (j == i && !(a[i * k + i] > 0)) {
              return "scale_tril must have a positive diagonal, but entry [" + (i + 1) + ", " + (i + 1) + "] is "
                  + a[i * k + i];
            }
            out[at + i * k + j] = a[i * k + j];
          }
        }
      }
      case INVERSE_TRIANGULAR -> {
        // forward substitution, column by column of the identity
        for (int c = 0; c < k; c++) {
          for (int i = 0; i < k; i++) {
            double s = i == c ? 1 : 0;
            for (int m = 0; m < i; m++) {
              s -= a[i * k + m] * out[at + m * k + c];
            }
            out[at + i * k + c] = s / a[i * k + i];
          }
        }
      }
      case LOG_DET_TRIANGULAR -> {
        double s = 0;
        for (int i = 0; i < k; i++) {
          s += Math.log(a[i * k + i]);
        }
        out[at] = s;
      }
      default -> throw new IllegalArgumentException(kind.name());
    }
    return null;
  }

  /** Each element's position in its series: 0 for the first element of the plate within its parent element. */
  private static int[] positions(ModelState state, int plate) {
    int n = state.plateCount[plate];
    int parent = state.spec.plates()[plate].parent();
    int[] position = new int[n];
    for (int e = 1; e < n; e++) {
      boolean same = parent == 0 || state.ancestorElement(plate, e, parent) == state.ancestorElement(plate, e - 1,
          parent);
      position[e] = same ? position[e - 1] + 1 : 0;
    }
    return position;
  }

  private static void verifyFinite(ModelSpec spec, ModelState state, TransformSpec t, double[] out, int size,
      int[] position, String origin) {
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(out[i]) && position[i / size] >= t.missing()) {
        throw new DataException(origin + ": '" + t.text() + "' (" + spec.sourceName() + ":" + t.line() + ") is "
            + InferenceException.describe(out[i]) + Posterior.elementLabel(spec, state, t.plate(), i / size)
            + ": what it is taken of must be finite wherever it is computed");
      }
    }
  }
}
