package org.alan.runtime.engine;

import java.util.concurrent.atomic.AtomicLong;
import org.alan.runtime.engine.Layouts.StepLayout;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.sampling.Rng;

/**
 * Joint posterior draws: exact ancestral sampling of particle indices in reverse elimination order (spec 3.4), from
 * the kept step inputs or, where they were not kept, the step inputs recomputed per element.
 */
final class DrawPass {
  private static final long PURPOSE_DRAWS = 3;

  private final Contraction run;
  private final ModelState state;
  private final Progress progress;
  private final Layouts layouts;
  private final PlatePlan[] plans;
  private final double[][][] kept;
  private final Workspace[] workspaces;
  private final ModelSpec spec;
  private final Parallel parallel;

  DrawPass(Contraction run) {
    this.run = run;
    this.state = run.state;
    this.progress = run.progress;
    this.layouts = run.layouts;
    this.plans = run.plans;
    this.kept = run.kept;
    this.workspaces = run.workspaces;
    this.spec = run.spec;
    this.parallel = run.parallel;
  }


  Draws draw(int n, long seed, boolean replicate) {
    int[][] index = new int[spec.groups().length][];
    for (int g = 0; g < index.length; g++) {
      index[g] = new int[n * state.plateCount[spec.groups()[g].plate()]];
    }
    int[] bottomUp = spec.plan().bottomUp();
    long total = run.totalElements(bottomUp);
    AtomicLong done = new AtomicLong();
    for (int i = bottomUp.length - 1; i >= 0; i--) {
      final int plate = bottomUp[i];
      if (plans[plate].ownGroups().length == 0) {
        continue;
      }
      parallel.forRange(state.plateCount[plate], (worker, from, to) -> {
        Workspace ws = workspaces[worker];
        for (int e = from; e < to; e++) {
          drawElement(plate, e, n, seed, index, ws);
        }
        progress.report("draws", done.addAndGet(to - from), total);
      });
    }
    return Draws.gather(run.model, state, n, index, replicate, seed);
  }

  private void drawElement(int p, int e, int n, long seed, int[][] index, Workspace ws) {
    PlatePlan plan = plans[p];
    int k = state.K;
    ws.moveTo(e);
    StepLayout[] steps = layouts.steps[p];
    double[][] joint = new double[steps.length][];
    for (int s = 0; s < steps.length; s++) {
      StepLayout layout = steps[s];
      int size = layout.sumSize * layout.restSize;
      joint[s] = new double[size];
      if (kept[p][s] != null) {
        System.arraycopy(kept[p][s], e * size, joint[s], 0, size);
        continue;
      }
      ws.resetCache();
      for (int sigma = 0; sigma < layout.sumSize; sigma++) {
        run.gather(p, e, layout, sigma, 0, layout.restSize, joint[s], sigma * layout.restSize, ws);
      }
    }
    int groups = spec.groups().length;
    int[] current = new int[groups];
    double[] weights = new double[0];
    Rng rng = Rng.stream(seed, PURPOSE_DRAWS, p, e);
    for (int d = 0; d < n; d++) {
      for (int g = 0; g < groups; g++) {
        int gp = spec.groups()[g].plate();
        if (gp != p && run.isAncestor(gp, p)) {
          current[g] = index[g][d * state.plateCount[gp] + state.ancestorElement(p, e, gp)];
        }
      }
      for (int s = steps.length - 1; s >= 0; s--) {
        StepLayout layout = steps[s];
        int restFlat = 0;
        for (int g : layout.rest) {
          restFlat = restFlat * k + current[g];
        }
        if (weights.length < layout.sumSize) {
          weights = new double[layout.sumSize];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int sigma = 0; sigma < layout.sumSize; sigma++) {
          double v = joint[s][sigma * layout.restSize + restFlat];
          weights[sigma] = v;
          max = Math.max(max, v);
        }
        double totalWeight = 0;
        for (int sigma = 0; sigma < layout.sumSize; sigma++) {
          weights[sigma] = Math.exp(weights[sigma] - max);
          totalWeight += weights[sigma];
        }
        double u = rng.nextDouble() * totalWeight;
        int chosen = layout.sumSize - 1;
        double acc = 0;
        for (int sigma = 0; sigma < layout.sumSize; sigma++) {
          acc += weights[sigma];
          if (u < acc) {
            chosen = sigma;
            break;
          }
        }
        for (int i = 0; i < layout.sum.length; i++) {
          current[layout.sum[i]] = layout.digits[chosen * layout.sum.length + i];
        }
      }
      for (int g : plan.ownGroups()) {
        index[g][d * state.plateCount[p] + e] = current[g];
      }
    }
  }
}
