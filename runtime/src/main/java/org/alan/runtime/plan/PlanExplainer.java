package org.alan.runtime.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.alan.runtime.model.FactorSpec;
import org.alan.runtime.model.GroupSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.QemSpec;
import org.alan.runtime.model.PlateSpec;

/**
 * Describes a plan for people ({@code alanc --explain}, {@code <Model>.jar explain}): the factors and their K
 * dimensions, each plate's elimination steps, and the cost, symbolically in K and the plate sizes, and in numbers
 * when K and the sizes are known.
 */
public final class PlanExplainer {
  private PlanExplainer() {}

  private static String guideDescription(ModelSpec spec) {
    if (spec.automaticGuide() && spec.shears().length > 0) {
      List<String> sheared = new ArrayList<>();
      for (org.alan.runtime.model.ShearSpec s : spec.shears()) {
        sheared.add(spec.variables()[s.variable()].name());
      }
      return "automatic (a fitted proposal per latent, one group per plate; decorrelated from their parents by"
          + " fitted regressions: " + String.join(", ", sheared) + ")";
    } else if (spec.automaticGuide()) {
      return "automatic (a fitted mean-field proposal per latent, one group per plate)";
    }
    List<String> automatic = new ArrayList<>();
    for (QemSpec q : spec.qem()) {
      if (q.automatic()) {
        automatic.add(spec.variables()[q.variable()].name());
      }
    }
    return automatic.isEmpty() ? "from the source"
        : "from the source, with the automatic proposal for " + String.join(", ", automatic);
  }

  /**
   * @param plateSizes elements per plate, or null when unknown (only sizes fixed in the source are used)
   * @param k particles per group, or 0 to leave K symbolic
   */
  public static String explain(ModelSpec spec, int[] plateSizes, int k) {
    StringBuilder out = new StringBuilder();
    ContractionPlan plan = spec.plan();
    out.append("model ").append(spec.name()).append(": ").append(spec.groups().length).append(" latent group(s), ")
        .append(spec.factors().length).append(" factor(s), ").append(spec.plates().length - 1).append(" plate(s); guide: ")
        .append(guideDescription(spec)).append('\n');
    List<String> modelParams = new ArrayList<>();
    for (org.alan.runtime.model.ParamSpec p : spec.params()) {
      if (p.kind() == org.alan.stdlib.GuideParameter.MODEL) {
        modelParams.add(p.name() + (p.plate() == 0 ? "" : " (per element of " + plateName(spec, p.plate()) + ")"));
      }
    }
    if (!modelParams.isEmpty()) {
      out.append("model parameters (fitted by vi or rws): ").append(String.join(", ", modelParams)).append('\n');
    }

    out.append("\ngroups (sampling order; each is one K dimension)\n");
    for (GroupSpec g : spec.groups()) {
      out.append("  ").append(pad(g.name(), 16)).append(" in ").append(plateName(spec, g.plate()));
      List<String> members = new ArrayList<>();
      for (int v : g.members()) {
        members.add(spec.variables()[v].name());
      }
      if (members.size() > 1 || !members.get(0).equals(g.name())) {
        out.append(", members ").append(String.join(", ", members));
      }
      if (g.guideParents().length > 0) {
        out.append(", proposal mixes over the particles of ").append(groupList(spec, g.guideParents()));
      }
      out.append('\n');
    }

    out.append("\nfactors (log density terms per plate element)\n");
    for (FactorSpec f : spec.factors()) {
      out.append("  ").append(pad(f.name(), 16)).append(' ')
          .append(pad(dims(spec, plan.factorDims()[indexOf(spec, f)]), 34)).append(" in ")
          .append(plateName(spec, f.plate())).append(f.group() >= 0 ? ""
              : spec.isTargetTerm(indexOf(spec, f)) ? "  (target +=)" : "  (observed)").append('\n');
    }

    out.append("\nplan (plates bottom-up; per element of each plate)\n");
    Cost cost = new Cost(spec, plateSizes, k);
    for (int p : plan.bottomUp()) {
      PlatePlan pp = plan.plates()[p];
      if (pp.steps().length == 0 && pp.finals().length == 0) {
        continue;
      }
      String count = elementCount(spec, p, plateSizes);
      PlateSpec plate = spec.plates()[p];
      out.append("  ").append(p == 0 ? "top level" : "plate " + plate.name() + " (" + count + " elements"
          + (plate.ragged() ? ", ragged inside " + spec.plates()[plate.parent()].name()
              : plate.grouped() ? ", grouped by " + spec.variables()[plate.indexInput()].name() + " into "
              + spec.plates()[plate.parent()].name() : "") + ")").append('\n');
      for (int s = 0; s < pp.steps().length; s++) {
        Step step = pp.steps()[s];
        int entries = step.sum().length + step.rest().length;
        double flopsPerEntry = STEP_FLOPS;
        List<String> inputs = new ArrayList<>();
        for (TensorRef ref : step.inputs()) {
          inputs.add(describe(spec, pp, ref));
          if (ref.source() == TensorRef.Source.FACTOR) {
            flopsPerEntry += spec.factors()[ref.index()].flopsPerEntry();
          }
        }
        out.append("    step ").append(s + 1).append(": log-sum-exp over ").append(dims(spec, step.sum()))
            .append(" of ").append(String.join(" + ", inputs)).append("  ->  ").append(dims(spec, step.rest()))
            .append("   streams ").append(p == 0 ? "" : count + "·").append("K^").append(entries)
            .append(" entries\n");
        cost.flops(p, entries, flopsPerEntry);
        cost.stored(p, step.rest().length);
      }
      for (int i = 0; i < pp.finals().length; i++) {
        FinalOutput f = pp.finals()[i];
        List<String> inputs = new ArrayList<>();
        for (TensorRef ref : f.inputs()) {
          inputs.add(describe(spec, pp, ref));
          if (ref.source() == TensorRef.Source.FACTOR) {
            cost.flops(p, f.dims().length, spec.factors()[ref.index()].flopsPerEntry());
          }
        }
        out.append("    ").append(p == 0 ? "result" : "hands up ").append(p == 0 ? ": " : "out" + i + " = ")
            .append(String.join(" + ", inputs)).append("  ").append(dims(spec, f.dims()))
            .append(p == 0 ? "  (log marginal likelihood)" : ", summed over the plate's elements").append('\n');
        cost.stored(p, f.dims().length);
      }
    }
    for (GroupSpec g : spec.groups()) {
      for (int v : g.members()) {
        cost.particles(g.plate(), spec.variables()[v].size());
      }
    }
    out.append("\ncost (forward pass; the backward pass costs about as much again)\n");
    out.append("  floating-point operations ~ ").append(cost.flopsFormula()).append('\n');
    out.append("  memory kept between steps ~ ").append(cost.memoryFormula()).append(" bytes\n");
    if (cost.numeric()) {
      out.append(String.format(Locale.ROOT, "  at K = %d: %.3g flop forward, %.3g MB of particles and stored"
          + " tensors%n", k, cost.flopsValue(), cost.memoryValue() / 1e6));
    } else {
      out.append("  (numbers: alanc --explain -K N --size PLATE=N, or <Model>.jar explain --data data.json -K N)\n");
    }
    return out.toString();
  }

  /** Operations per entry of a step for the log-sum-exp itself (compare, exp, multiply-add). */
  private static final double STEP_FLOPS = 4;

  /** Sums cost terms of the form {@code c * elements(plate) * K^n}, symbolically and, when known, numerically. */
  private static final class Cost {
    private final ModelSpec spec;
    private final int[] sizes;
    private final int k;
    private final java.util.Map<String, Double> flops = new java.util.LinkedHashMap<>();
    private final java.util.Map<String, Double> memory = new java.util.LinkedHashMap<>();
    private double flopsValue;
    private double memoryValue;

    Cost(ModelSpec spec, int[] sizes, int k) {
      this.spec = spec;
      this.sizes = sizes;
      this.k = k;
    }

    boolean numeric() {
      return k > 0 && sizesKnown(spec, sizes);
    }

    void flops(int plate, int power, double perEntry) {
      flops.merge(term(plate, power), perEntry, Double::sum);
      if (numeric()) {
        flopsValue += perEntry * count(spec, plate, sizes) * Math.pow(k, power);
      }
    }

    void stored(int plate, int power) {
      memory.merge(term(plate, power), 8.0, Double::sum);
      if (numeric()) {
        memoryValue += 8.0 * count(spec, plate, sizes) * Math.pow(k, power);
      }
    }

    void particles(int plate, int size) {
      stored(plate, 1);
      memory.merge(term(plate, 1), 8.0 * (size - 1), Double::sum);
      if (numeric()) {
        memoryValue += 8.0 * (size - 1) * count(spec, plate, sizes) * k;
      }
    }

    private String term(int plate, int power) {
      String elements = plate == 0 ? "" : elementCount(spec, plate, sizes) + "·";
      return elements + (power == 0 ? "1" : power == 1 ? "K" : "K^" + power);
    }

    String flopsFormula() {
      return formula(flops);
    }

    String memoryFormula() {
      return formula(memory);
    }

    double flopsValue() {
      return flopsValue;
    }

    double memoryValue() {
      return memoryValue;
    }

    private static String formula(java.util.Map<String, Double> terms) {
      List<String> parts = new ArrayList<>();
      terms.forEach((t, c) -> parts.add(String.format(Locale.ROOT, "%.0f·%s", c, t)));
      return parts.isEmpty() ? "0" : String.join(" + ", parts);
    }
  }

  private static int indexOf(ModelSpec spec, FactorSpec f) {
    for (int i = 0; i < spec.factors().length; i++) {
      if (spec.factors()[i] == f) {
        return i;
      }
    }
    throw new IllegalArgumentException(f.name());
  }

  private static String describe(ModelSpec spec, PlatePlan pp, TensorRef ref) {
    return switch (ref.source()) {
      case FACTOR -> spec.factors()[ref.index()].name();
      case STEP -> "step" + (ref.index() + 1);
      case CHILD -> {
        ChildSlot c = pp.children()[ref.index()];
        yield spec.plates()[c.childPlate()].name() + ".out" + c.finalIndex();
      }
    };
  }

  private static String dims(ModelSpec spec, int[] groups) {
    List<String> names = new ArrayList<>();
    for (int g : groups) {
      names.add("K_" + spec.groups()[g].name());
    }
    return "[" + String.join(", ", names) + "]";
  }

  private static String groupList(ModelSpec spec, int[] groups) {
    List<String> names = new ArrayList<>();
    for (int g : groups) {
      names.add(spec.groups()[g].name());
    }
    return String.join(", ", names);
  }

  private static String plateName(ModelSpec spec, int plate) {
    return plate == 0 ? "top level" : "plate " + spec.plates()[plate].name();
  }

  private static boolean sizesKnown(ModelSpec spec, int[] sizes) {
    for (int p = 1; p < spec.plates().length; p++) {
      if ((sizes == null || sizes[p] <= 0) && spec.plates()[p].fixedSize() <= 0) {
        return false;
      }
    }
    return true;
  }

  private static double count(ModelSpec spec, int plate, int[] sizes) {
    double n = 1;
    for (int p = plate; p > 0; p = spec.userParent(p)) {
      PlateSpec ps = spec.plates()[p];
      n *= sizes != null && sizes[p] > 0 ? sizes[p] : ps.fixedSize();
    }
    return n;
  }

  private static String elementCount(ModelSpec spec, int plate, int[] sizes) {
    List<String> factors = new ArrayList<>();
    for (int p = plate; p > 0; p = spec.userParent(p)) {
      PlateSpec ps = spec.plates()[p];
      int n = sizes != null && sizes[p] > 0 ? sizes[p] : ps.fixedSize();
      factors.add(0, n > 0 ? String.valueOf(n) : "|" + ps.name() + "|");
    }
    return String.join("·", factors);
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
