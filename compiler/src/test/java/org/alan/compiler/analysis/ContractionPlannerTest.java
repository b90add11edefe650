package org.alan.compiler.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.Step;
import org.junit.jupiter.api.Test;

/** The elimination order and the canonical layout the engine relies on. */
class ContractionPlannerTest {
  private static ModelSpec plan(String source) {
    CompilationResult r = AlanCompiler.compile(source, "t.alan", CompilerOptions.defaults().withCheckOnly(true));
    assertTrue(r.succeeded(), r.renderDiagnostics());
    return r.artifacts().get(0).spec();
  }

  @Test
  void chainIsEliminatedAlongTheChain() {
    // a -> b -> c, all at the top: eliminating from either end keeps every step within two dimensions, while
    // starting in the middle would stream all three
    ModelSpec s = plan("""
        model Chain {
          a ~ Normal(0, 1);
          b ~ Normal(a, 1);
          c ~ Normal(b, 1);
          data y ~ Normal(c, 1);
        }
        """);
    PlatePlan top = s.plan().plates()[0];
    List<String> order = java.util.Arrays.stream(top.ownGroups()).mapToObj(g -> s.groups()[g].name()).toList();
    assertTrue(!order.get(0).equals("b"), "not from the middle: " + order);
    for (Step step : top.steps()) {
      assertTrue(step.sum().length + step.rest().length <= 2, "each step streams at most K^2 entries");
    }
  }

  @Test
  void summedDimensionsLeadEveryInputLayout() {
    ModelSpec s = plan("""
        model Nested {
          a ~ Normal(0, 1);
          plate outer {
            b ~ Normal(a, 1);
            c ~ Normal(b + a, 1);
            plate inner { data y ~ Normal(c, 1); }
          }
        }
        """);
    for (PlatePlan p : s.plan().plates()) {
      for (Step step : p.steps()) {
        for (var ref : step.inputs()) {
          int[] dims = switch (ref.source()) {
            case FACTOR -> s.plan().factorDims()[ref.index()];
            case CHILD -> p.children()[ref.index()].dims();
            case STEP -> p.steps()[ref.index()].rest();
          };
          int lead = 0;
          while (lead < dims.length && contains(step.sum(), dims[lead])) {
            lead++;
          }
          for (int i = lead; i < dims.length; i++) {
            assertTrue(!contains(step.sum(), dims[i]), "summed dimensions form a prefix");
          }
        }
      }
    }
    assertArrayEquals(new int[] {2, 1, 0}, s.plan().bottomUp());
  }

  private static boolean contains(int[] a, int v) {
    return java.util.Arrays.stream(a).anyMatch(x -> x == v);
  }
}
