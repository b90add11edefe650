package org.alan.compiler.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.PlateIr;
import org.alan.runtime.plan.ChildSlot;
import org.alan.runtime.plan.ContractionPlan;
import org.alan.runtime.plan.FinalOutput;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.Step;
import org.alan.runtime.plan.TensorRef;

/**
 * Plans the factorised contraction (spec section 2.5): for each plate, bottom-up, the order in which its groups'
 * K dimensions are summed out of the tensors one element of the plate combines (its factors and what its child
 * plates hand up), and what is handed to the parent.
 *
 * <p>The order minimises the cost {@code sum over steps of K^|dims of the step|} (the entries a step streams
 * through), evaluated at a nominal K of 100 so the highest power dominates; every order is tried for up to seven
 * groups per plate, beyond that the greedy min-size rule is used. Steps that would hand their result straight to
 * the next one are merged (summing two dimensions at once) so no intermediate is stored for them.
 */
public final class ContractionPlanner {
  private static final double NOMINAL_K = 100;
  private static final int EXHAUSTIVE_LIMIT = 7;

  private ContractionPlanner() {}

  /** A tensor during planning: where it comes from and its dimensions. */
  private record Operand(TensorRef ref, Set<Integer> dims) {}

  /** Steps and finals of one plate, before dimensions are put in canonical order. */
  private record RawPlate(int plate, List<Integer> order, List<Integer> factors, List<ChildSlot> children,
      List<Operand[]> stepInputs, List<Set<Integer>> stepSums, List<Set<Integer>> stepRests,
      List<Operand[]> finalInputs, List<Set<Integer>> finalDims) {}

  public static ContractionPlan run(ModelIr model, List<FactorIr> factors) {
    List<PlateIr> plates = model.plates();
    Integer[] bottomUp = plates.stream().map(PlateIr::id).toArray(Integer[]::new);
    Arrays.sort(bottomUp, Comparator.comparingInt((Integer p) -> -plates.get(p).depth()).thenComparingInt(p -> p));

    RawPlate[] raw = new RawPlate[plates.size()];
    for (int p : bottomUp) {
      raw[p] = planPlate(model, factors, p, raw);
    }

    // canonical rank: deeper plates first, then elimination order within the plate
    int[] rank = new int[model.groups().size()];
    List<Integer> byRank = new ArrayList<>();
    for (int p : bottomUp) {
      byRank.addAll(raw[p].order());
    }
    for (int i = 0; i < byRank.size(); i++) {
      rank[byRank.get(i)] = i;
    }

    PlatePlan[] out = new PlatePlan[plates.size()];
    for (int p = 0; p < plates.size(); p++) {
      RawPlate r = raw[p];
      List<Step> steps = new ArrayList<>();
      for (int s = 0; s < r.stepInputs().size(); s++) {
        steps.add(new Step(refs(r.stepInputs().get(s)), sorted(r.stepSums().get(s), rank),
            sorted(r.stepRests().get(s), rank)));
      }
      List<FinalOutput> finals = new ArrayList<>();
      for (int f = 0; f < r.finalInputs().size(); f++) {
        finals.add(new FinalOutput(refs(r.finalInputs().get(f)), sorted(r.finalDims().get(f), rank)));
      }
      List<ChildSlot> children = new ArrayList<>();
      for (ChildSlot c : r.children()) {
        children.add(new ChildSlot(c.childPlate(), c.finalIndex(), sorted(toSet(c.dims()), rank)));
      }
      out[p] = new PlatePlan(p, r.order().stream().mapToInt(Integer::intValue).toArray(),
          r.factors().stream().mapToInt(Integer::intValue).toArray(), children.toArray(new ChildSlot[0]),
          steps.toArray(new Step[0]), finals.toArray(new FinalOutput[0]));
    }
    int[][] factorDims = new int[factors.size()][];
    for (FactorIr f : factors) {
      factorDims[f.id()] = sorted(f.dims(), rank);
    }
    return new ContractionPlan(out, Arrays.stream(bottomUp).mapToInt(Integer::intValue).toArray(), factorDims);
  }

  private static RawPlate planPlate(ModelIr model, List<FactorIr> factors, int plate, RawPlate[] raw) {
    List<Operand> operands = new ArrayList<>();
    List<Integer> plateFactors = new ArrayList<>();
    for (FactorIr f : factors) {
      if (f.plate() == plate) {
        operands.add(new Operand(TensorRef.factor(f.id()), f.dims()));
        plateFactors.add(f.id());
      }
    }
    List<ChildSlot> children = new ArrayList<>();
    for (int child : model.childPlates(plate)) {
      RawPlate c = raw[child];
      for (int i = 0; i < c.finalDims().size(); i++) {
        Set<Integer> dims = c.finalDims().get(i);
        children.add(new ChildSlot(child, i, dims.stream().mapToInt(Integer::intValue).toArray()));
        operands.add(new Operand(TensorRef.child(children.size() - 1), dims));
      }
    }
    List<Integer> own = model.groups().stream().filter(g -> g.plate() == plate).map(GroupIr::id).toList();
    List<Integer> order = chooseOrder(operands, own);

    List<Operand> live = new ArrayList<>(operands);
    List<Operand[]> stepInputs = new ArrayList<>();
    List<Set<Integer>> stepSums = new ArrayList<>();
    List<Set<Integer>> stepRests = new ArrayList<>();
    for (int i = 0; i < order.size(); ) {
      int x = order.get(i);
      List<Operand> inputs = live.stream().filter(o -> o.dims().contains(x)).toList();
      Set<Integer> union = new TreeSet<>();
      inputs.forEach(o -> union.addAll(o.dims()));
      Set<Integer> sum = new TreeSet<>(List.of(x));
      live.removeAll(inputs);
      i++;
      // merge the next eliminations while only this step's output would carry their dimension
      while (i < order.size()) {
        int y = order.get(i);
        boolean elsewhere = live.stream().anyMatch(o -> o.dims().contains(y));
        if (elsewhere || !union.contains(y)) {
          break;
        }
        sum.add(y);
        i++;
      }
      Set<Integer> rest = new TreeSet<>(union);
      rest.removeAll(sum);
      stepInputs.add(inputs.toArray(new Operand[0]));
      stepSums.add(sum);
      stepRests.add(rest);
      live.add(new Operand(TensorRef.step(stepInputs.size() - 1), rest));
    }
    // whatever is left carries only enclosing plates' dimensions: hand it up, one output per dimension set
    Map<Set<Integer>, List<Operand>> byDims = new LinkedHashMap<>();
    for (Operand o : live) {
      byDims.computeIfAbsent(o.dims(), k -> new ArrayList<>()).add(o);
    }
    List<Operand[]> finalInputs = new ArrayList<>();
    List<Set<Integer>> finalDims = new ArrayList<>();
    byDims.forEach((dims, list) -> {
      finalInputs.add(list.toArray(new Operand[0]));
      finalDims.add(dims);
    });
    return new RawPlate(plate, order, plateFactors, children, stepInputs, stepSums, stepRests, finalInputs,
        finalDims);
  }

  /** The elimination order of a plate's own groups with the lowest cost. */
  static List<Integer> chooseOrder(List<Operand> operands, List<Integer> own) {
    if (own.size() <= 1) {
      return own;
    }
    if (own.size() <= EXHAUSTIVE_LIMIT) {
      List<Integer> best = null;
      double bestCost = Double.POSITIVE_INFINITY;
      for (List<Integer> order : permutations(own)) {
        double c = cost(operands, order);
        if (c < bestCost) {
          bestCost = c;
          best = order;
        }
      }
      return best;
    }
    List<Integer> order = new ArrayList<>();
    List<Set<Integer>> live = new ArrayList<>(operands.stream().map(Operand::dims).toList());
    List<Integer> remaining = new ArrayList<>(own);
    while (!remaining.isEmpty()) {
      int best = -1;
      int bestSize = Integer.MAX_VALUE;
      for (int x : remaining) {
        Set<Integer> union = new TreeSet<>();
        live.stream().filter(d -> d.contains(x)).forEach(union::addAll);
        if (union.size() < bestSize) {
          bestSize = union.size();
          best = x;
        }
      }
      final int chosen = best;
      Set<Integer> union = new TreeSet<>();
      live.stream().filter(d -> d.contains(chosen)).forEach(union::addAll);
      live.removeIf(d -> d.contains(chosen));
      union.remove(chosen);
      live.add(union);
      remaining.remove(Integer.valueOf(chosen));
      order.add(chosen);
    }
    return order;
  }

  private static double cost(List<Operand> operands, List<Integer> order) {
    List<Set<Integer>> live = new ArrayList<>(operands.stream().map(Operand::dims).toList());
    double total = 0;
    for (int x : order) {
      Set<Integer> union = new TreeSet<>();
      live.stream().filter(d -> d.contains(x)).forEach(union::addAll);
      live.removeIf(d -> d.contains(x));
      total += Math.pow(NOMINAL_K, union.size());
      union.remove(x);
      // what is stored between steps counts too, at a lower weight than streamed work
      total += Math.pow(NOMINAL_K, union.size()) / NOMINAL_K;
      live.add(union);
    }
    return total;
  }

  private static List<List<Integer>> permutations(List<Integer> items) {
    List<List<Integer>> out = new ArrayList<>();
    permute(new ArrayList<>(items), 0, out);
    return out;
  }

  private static void permute(List<Integer> items, int k, List<List<Integer>> out) {
    if (k == items.size()) {
      out.add(List.copyOf(items));
      return;
    }
    for (int i = k; i < items.size(); i++) {
      java.util.Collections.swap(items, k, i);
      permute(items, k + 1, out);
      java.util.Collections.swap(items, k, i);
    }
  }

  private static TensorRef[] refs(Operand[] operands) {
    return Arrays.stream(operands).map(Operand::ref).toArray(TensorRef[]::new);
  }

  private static Set<Integer> toSet(int[] dims) {
    Set<Integer> s = new TreeSet<>();
    for (int d : dims) {
      s.add(d);
    }
    return s;
  }

  private static int[] sorted(Set<Integer> dims, int[] rank) {
    return dims.stream().sorted(Comparator.comparingInt(g -> rank[g])).mapToInt(Integer::intValue).toArray();
  }
}
