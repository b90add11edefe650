package org.alan.runtime.engine;

import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.DerivedSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableKind;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.sampling.Rng;

/**
 * What Stan computes per draw after sampling: the derived quantities (lets that read latents) at each joint draw,
 * and replicated data {@code y_rep} drawn from the model given the draw (posterior predictive checks). Each draw's
 * latents are copied into a state with K = 1, where the generated code evaluates and simulates as it does when
 * simulating data.
 */
final class GeneratedQuantities {
  private static final long PURPOSE_REPLICATE = 10;

  private GeneratedQuantities() {}

  /** Receives one column set: its values {@code [draw * entries + entry]}, entries in the data's order. */
  interface Sink {
    void accept(String name, Draws.Kind kind, double[] values, int[] shape);
  }

  static void add(CompiledModel model, ModelState state, int n, int[][] index, boolean replicate, long seed,
      Sink sink) {
    ModelSpec spec = state.spec;
    java.util.List<Integer> replicated = new java.util.ArrayList<>();
    if (replicate) {
      for (int v : spec.priorOrder()) {
        if (spec.variables()[v].kind() == VariableKind.DATA) {
          replicated.add(v);
        }
      }
    }
    if (spec.derived().length == 0 && replicated.isEmpty()) {
      return;
    }
    ModelState one = new ModelState(spec, 1, state.nest, state.values.clone(), state.params, false);
    double[][] derived = new double[spec.derived().length][];
    for (int j = 0; j < derived.length; j++) {
      derived[j] = new double[n * state.plateCount[spec.derived()[j].plate()] * spec.derived()[j].size()];
    }
    double[][] rep = new double[replicated.size()][];
    for (int i = 0; i < rep.length; i++) {
      VariableSpec var = spec.variables()[replicated.get(i)];
      rep[i] = new double[n * state.plateCount[var.plate()] * var.size()];
    }
    for (int d = 0; d < n; d++) {
      copyDraw(state, one, index, d);
      for (int j = 0; j < derived.length; j++) {
        DerivedSpec dq = spec.derived()[j];
        int count = state.plateCount[dq.plate()];
        int size = dq.size();
        for (int e = 0; e < count; e++) {
          model.derive(j, one, e, derived[j], (d * count + state.nest.userRow(dq.plate(), e)) * size);
        }
      }
      for (int i = 0; i < rep.length; i++) {
        int v = replicated.get(i);
        VariableSpec var = spec.variables()[v];
        int count = state.plateCount[var.plate()];
        int size = var.size();
        one.values[v] = new double[count * size];
        for (int e = 0; e < count; e++) {
          model.simulate(v, one, e, Rng.stream(seed, PURPOSE_REPLICATE, d, v, e));
        }
        for (int e = 0; e < count; e++) {
          System.arraycopy(one.values[v], e * size, rep[i], (d * count + state.nest.userRow(var.plate(), e)) * size,
              size);
        }
        // the next variable's draw reads the observed values, as Stan's y_rep reads the data, not other replicas
        one.values[v] = state.values[v];
      }
    }
    for (int j = 0; j < derived.length; j++) {
      DerivedSpec dq = spec.derived()[j];
      sink.accept(dq.name(), Draws.Kind.DERIVED, derived[j], spec.dims(dq.plate(), dq.shape(), state.plateSize));
    }
    for (int i = 0; i < rep.length; i++) {
      VariableSpec var = spec.variables()[replicated.get(i)];
      sink.accept(replicaName(spec, var.name()), Draws.Kind.REPLICATED, rep[i], spec.dims(var, state.plateSize));
    }
  }

  /** Draw d's particle of every latent at every element, as the state's only particle. */
  private static void copyDraw(ModelState state, ModelState one, int[][] index, int d) {
    ModelSpec spec = state.spec;
    int k = state.K;
    for (int v = 0; v < spec.variables().length; v++) {
      VariableSpec var = spec.variables()[v];
      if (!var.isLatent()) {
        continue;
      }
      int count = state.plateCount[var.plate()];
      int size = var.size();
      int[] idx = index[var.group()];
      double[] z = state.samples[v];
      double[] to = one.samples[v];
      for (int e = 0; e < count; e++) {
        int kk = idx[d * count + e];
        for (int c = 0; c < size; c++) {
          to[e * size + c] = z[(e * size + c) * k + kk];
        }
      }
    }
  }

  /** {@code y_rep}, or with more underscores while that names a variable or derived quantity of the model. */
  static String replicaName(ModelSpec spec, String variable) {
    String name = variable + Draws.REPLICATED_SUFFIX;
    while (spec.variableIndex(name) >= 0 || spec.derivedIndex(name) >= 0) {
      name = name + "_";
    }
    return name;
  }
}
