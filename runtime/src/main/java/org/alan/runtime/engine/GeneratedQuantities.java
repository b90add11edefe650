package org.alan.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.DerivedSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableKind;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.sampling.Rng;

/**
 * What Stan computes per draw after sampling: the derived quantities (lets that read latents) at each joint draw,
 * and replicated data {@code y_rep} drawn from the model given the draw (posterior predictive checks). Each draw's
 * latents are copied into a state with K = 1 ({@link #load}), where the generated code evaluates and simulates as it
 * does when simulating data; {@link Draws#gather} reads each draw's latents from the same state.
 */
final class GeneratedQuantities {
  private static final long PURPOSE_REPLICATE = 10;

  private final CompiledModel model;
  private final ModelState state;
  /** One joint draw at a time: every latent's particle at every element, K = 1. */
  private final ModelState one;
  private final long seed;
  /** The data variables replicated, in the order the model draws them. */
  private final List<Integer> replicated = new ArrayList<>();
  private final double[][] derived;
  private final double[][] replicas;

  /** Evaluates {@code n} draws of {@code state}'s run; replicated data when {@code replicate}. */
  GeneratedQuantities(CompiledModel model, ModelState state, int n, boolean replicate, long seed) {
    this.model = model;
    this.state = state;
    this.seed = seed;
    ModelSpec spec = state.spec;
    if (replicate) {
      for (int v : spec.priorOrder()) {
        if (spec.variables()[v].kind() == VariableKind.DATA) {
          replicated.add(v);
        }
      }
    }
    one = new ModelState(spec, 1, state.nest, state.values.clone(), state.params, false);
    derived = new double[spec.derived().length][];
    for (int j = 0; j < derived.length; j++) {
      derived[j] = new double[n * state.plateCount[spec.derived()[j].plate()] * spec.derived()[j].size()];
    }
    replicas = new double[replicated.size()][];
    for (int i = 0; i < replicas.length; i++) {
      VariableSpec var = spec.variables()[replicated.get(i)];
      replicas[i] = new double[n * state.plateCount[var.plate()] * var.size()];
    }
  }

  /** The state holding the draw {@link #load} loaded (engine element order). */
  ModelState state() {
    return one;
  }

  /** Draw d's particle of every latent at every element ({@code index[g][d * count + element]}), as the only one. */
  void load(int[][] index, int d) {
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

  /** The derived quantities and replicated data of the loaded draw, which is draw {@code d}. */
  void evaluate(int d) {
    ModelSpec spec = state.spec;
    for (int j = 0; j < derived.length; j++) {
      DerivedSpec dq = spec.derived()[j];
      int count = state.plateCount[dq.plate()];
      int size = dq.size();
      for (int e = 0; e < count; e++) {
        model.derive(j, one, e, derived[j], (d * count + state.nest.userRow(dq.plate(), e)) * size);
      }
    }
    for (int i = 0; i < replicas.length; i++) {
      int v = replicated.get(i);
      VariableSpec var = spec.variables()[v];
      int count = state.plateCount[var.plate()];
      int size = var.size();
      one.values[v] = new double[count * size];
      for (int e = 0; e < count; e++) {
        model.simulate(v, one, e, Rng.stream(seed, PURPOSE_REPLICATE, d, v, e));
      }
      for (int e = 0; e < count; e++) {
        System.arraycopy(one.values[v], e * size, replicas[i], (d * count + state.nest.userRow(var.plate(), e)) * size,
            size);
      }
      // the next variable's draw reads the observed values, as Stan's y_rep reads the data, not other replicas
      one.values[v] = state.values[v];
    }
  }

  /** Hands every derived quantity, then every replicated variable, to the sink. */
  void emit(Sink sink) {
    ModelSpec spec = state.spec;
    for (int j = 0; j < derived.length; j++) {
      DerivedSpec dq = spec.derived()[j];
      sink.accept(dq.name(), Draws.Kind.DERIVED, derived[j], spec.dims(dq.plate(), dq.shape(), state.plateSize));
    }
    for (int i = 0; i < replicas.length; i++) {
      VariableSpec var = spec.variables()[replicated.get(i)];
      sink.accept(replicaName(spec, var.name()), Draws.Kind.REPLICATED, replicas[i],
          spec.dims(var, state.plateSize));
    }
  }

  /** Receives one column set: its values {@code [draw * entries + entry]}, entries in the data's order. */
  interface Sink {
    void accept(String name, Draws.Kind kind, double[] values, int[] shape);
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
