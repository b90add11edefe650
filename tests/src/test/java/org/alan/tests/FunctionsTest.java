package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.alan.runtime.engine.FactorValues;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * Every function and operator of the language, evaluated by generated kernels along a particle dimension (so in
 * vector lanes and scalar tails), against Java's own arithmetic: each observed y_f ~ Normal(f(t), 1) has log factor
 * log N(y_f; f(t_k), 1) at particle k of t.
 */
class FunctionsTest {
  static final String SOURCE = """
      model Functions {
        t ~ Uniform(0.1, 3);
        input v[4];
        data e1 ~ Normal(exp(t), 1);
        data e2 ~ Normal(log(t), 1);
        data e3 ~ Normal(log1p(t), 1);
        data e4 ~ Normal(expm1(t), 1);
        data e5 ~ Normal(sqrt(t), 1);
        data e6 ~ Normal(abs(1 - t), 1);
        data e7 ~ Normal(pow(t, 1.7), 1);
        data e8 ~ Normal(sigmoid(3 - 2 * t), 1);
        data e9 ~ Normal(softplus(2 * t - 3), 1);
        data e10 ~ Normal(dot(v, v) * t, 1);
        data e11 ~ Normal(sum(v * t), 1);
        data e12 ~ Normal(min(t, 1.5) + max(t, 1.5), 1);
        data e13 ~ Normal(min(v * t) - max(v - t), 1);
        data e14 ~ Normal(-t ^ 2 / (1 + t) - (t - 2) * 3, 1);
        data e15 ~ Normal(inv_logit(3 - 2 * t) + log_inv_logit(40 * t - 60) + log1m_inv_logit(2 - t), 1);
        data e16 ~ Normal(logit(t / 4) + square(t - 1) + inv(t) + fma(t, 2, -1), 1);
        data e17 ~ Normal(log_sum_exp(t, 2 * t - 1) + log_sum_exp(800 * t, 3), 1);
        data e18 ~ Normal((t > 1) + 2 * (t <= 2) + 4 * (t == t) + 8 * (2 * t != t) + 16 * (t >= 2.5) + 32 * (t < 0.5), 1);
        data e19 ~ Normal(if_else(t < 1.5, t, -t) + Phi(t - 2) + Phi(-40 * t) * 1e300 + Phi_approx(1 - t), 1);
        data e20 ~ Normal(v[2] * t + v[4] + (v * t)[3], 1);
        data e21 ~ Normal(log10(t) + log2(3 * t), 1);
      }
      """;

  @Test
  void functionsMatchJava() {
    double[] v = {0.5, -1, 2, 0.25};
    Map<String, DoubleUnaryOperator> f = new LinkedHashMap<>();
    f.put("e1", Math::exp);
    f.put("e21", t -> Math.log10(t) + Math.log(3 * t) / Math.log(2));
    f.put("e2", Math::log);
    f.put("e3", Math::log1p);
    f.put("e4", Math::expm1);
    f.put("e5", Math::sqrt);
    f.put("e6", t -> Math.abs(1 - t));
    f.put("e7", t -> Math.pow(t, 1.7));
    f.put("e8", t -> 1 / (1 + Math.exp(-(3 - 2 * t))));
    f.put("e9", t -> Math.log1p(Math.exp(2 * t - 3)));
    f.put("e10", t -> (0.25 + 1 + 4 + 0.0625) * t);
    f.put("e11", t -> (0.5 - 1 + 2 + 0.25) * t);
    f.put("e12", t -> Math.min(t, 1.5) + Math.max(t, 1.5));
    f.put("e13", t -> Math.min(Math.min(0.5 * t, -t), Math.min(2 * t, 0.25 * t))
        - Math.max(Math.max(0.5 - t, -1 - t), Math.max(2 - t, 0.25 - t)));
    f.put("e14", t -> -(t * t) / (1 + t) - (t - 2) * 3);
    f.put("e15", t -> 1 / (1 + Math.exp(-(3 - 2 * t))) - Math.log1p(Math.exp(-(40 * t - 60)))
        - Math.log1p(Math.exp(2 - t)));
    f.put("e16", t -> Math.log((t / 4) / (1 - t / 4)) + (t - 1) * (t - 1) + 1 / t + (2 * t - 1));
    f.put("e17", t -> {
      double a = t;
      double b = 2 * t - 1;
      double big = 800 * t;
      return Math.max(a, b) + Math.log(Math.exp(a - Math.max(a, b)) + Math.exp(b - Math.max(a, b)))
          + big + Math.log1p(Math.exp(3 - big));
    });
    f.put("e18", t -> (t > 1 ? 1 : 0) + 2 * (t <= 2 ? 1 : 0) + 4 + 8 + 16 * (t >= 2.5 ? 1 : 0) + 32 * (t < 0.5 ? 1 : 0));
    f.put("e19", t -> (t < 1.5 ? t : -t) + NormalDistribution.of(0, 1).cumulativeProbability(t - 2)
        + NormalDistribution.of(0, 1).cumulativeProbability(-40 * t) * 1e300
        + 1 / (1 + Math.exp(-(0.07056 * Math.pow(1 - t, 3) + 1.5976 * (1 - t)))));
    f.put("e20", t -> -1 * t + 0.25 + 2 * t);
    StringBuilder json = new StringBuilder("{\"v\": [0.5, -1, 2, 0.25]");
    for (String name : f.keySet()) {
      json.append(", \"").append(name).append("\": 0.7");
    }
    CompiledModel compiled = Models.compile(SOURCE);
    int k = 37;
    Posterior p = Models.bind(compiled, json.append('}').toString()).sample(SampleOptions.of(k, 2));
    double[] t = p.particles("t");
    int checked = 0;
    for (int factor = 0; factor < compiled.spec().factors().length; factor++) {
      String name = compiled.spec().factors()[factor].name();
      if (!f.containsKey(name)) {
        continue;
      }
      double[] values = FactorValues.of(compiled, p.state(), factor, 0);
      for (int i = 0; i < k; i++) {
        double mean = f.get(name).applyAsDouble(t[i]);
        double expected = -0.5 * (0.7 - mean) * (0.7 - mean) - 0.5 * Math.log(2 * Math.PI);
        assertEquals(expected, values[i], 1e-12 * (1 + Math.abs(expected)), name + " at t = " + t[i]);
      }
      checked++;
    }
    assertEquals(f.size(), checked);
  }
}
