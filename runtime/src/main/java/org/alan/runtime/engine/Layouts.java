package org.alan.runtime.engine;

import java.util.Arrays;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.plan.ChildSlot;
import org.alan.runtime.plan.FinalOutput;
import org.alan.runtime.plan.PlatePlan;
import org.alan.runtime.plan.Step;
import org.alan.runtime.plan.TensorRef;

/**
 * Index arithmetic of the plan for one K, computed once per run: tensor sizes, and for every input of every
 * step the block it contributes for each assignment of the summed dimensions and where its entries land in the
 * step's output layout.
 */
final class Layouts {
  /**
   * How an input's block lines up with its step's output dimensions: the same; one entry for all; the output's
   * leading dimensions (each entry repeated over the trailing ones); its trailing dimensions (the block tiled
   * over the leading ones); any other subset (an offset per output entry).
   */
  enum MapKind { SAME, SCALAR, REPEAT, TILE, OFFSETS }

  /** One input of a step. */
  static final class InputLayout {
    final TensorRef ref;
    /** Number of the step's summed dimensions the input has (a prefix of its layout). */
    final int nLead;
    /** lead[sigma]: the input's flattened index over its summed dimensions, for each summed assignment. */
    final int[] lead;
    /** Entries per lead value. */
    final int block;
    final MapKind map;
    /** For {@link MapKind#REPEAT}: consecutive output entries per entry of the block. */
    final int repeat;
    /** For {@link MapKind#OFFSETS}: entry of the block for each entry of the step's output. */
    final int[] offsets;
    /** For a latent factor: which summed digit is its group's (-1 when the group is an output dimension). */
    final int groupDigit;
    /** For a latent factor whose group is an output dimension: the group's index for each output entry. */
    final int[] groupInRest;

    InputLayout(TensorRef ref, int nLead, int[] lead, int block, MapKind map, int repeat, int[] offsets,
        int groupDigit, int[] groupInRest) {
      this.ref = ref;
      this.repeat = repeat;
      this.nLead = nLead;
      this.lead = lead;
      this.block = block;
      this.map = map;
      this.offsets = offsets;
      this.groupDigit = groupDigit;
      this.groupInRest = groupInRest;
    }
  }

  /** One step. */
  static final class StepLayout {
    final int[] sum;
    final int[] rest;
    final int sumSize;
    final int restSize;
    final InputLayout[] inputs;
    /** digits[sigma * sum.length + i]: the index of summed dimension i in assignment sigma. */
    final int[] digits;

    StepLayout(int[] sum, int[] rest, int sumSize, int restSize, InputLayout[] inputs, int[] digits) {
      this.sum = sum;
      this.rest = rest;
      this.sumSize = sumSize;
      this.restSize = restSize;
      this.inputs = inputs;
      this.digits = digits;
    }
  }

  final int K;
  /** Entries per tile of a step's output (whole rows, about 2048). */
  final int tile;
  /** Lead dimensions of each factor: how many of its leading dimensions the consuming step sums over. */
  final int[] factorLead;
  /** Entries of one block of each factor (the dimensions after its lead ones). */
  final int[] factorBlock;
  final StepLayout[][] steps;
  final int[][] finalSize;
  final int[][] childSize;
  final int[] factorSize;

  Layouts(ModelSpec spec, int k) {
    this.K = k;
    this.tile = org.alan.runtime.model.KernelSupport.tileSize(k);
    PlatePlan[] plates = spec.plan().plates();
    int[][] factorDims = spec.plan().factorDims();
    factorSize = new int[factorDims.length];
    factorLead = new int[factorDims.length];
    factorBlock = new int[factorDims.length];
    for (int f = 0; f < factorDims.length; f++) {
      factorSize[f] = pow(k, factorDims[f].length);
    }
    steps = new StepLayout[plates.length][];
    finalSize = new int[plates.length][];
    childSize = new int[plates.length][];
    for (int p = 0; p < plates.length; p++) {
      PlatePlan plan = plates[p];
      childSize[p] = new int[plan.children().length];
      for (int c = 0; c < plan.children().length; c++) {
        childSize[p][c] = pow(k, plan.children()[c].dims().length);
      }
      finalSize[p] = new int[plan.finals().length];
      for (int i = 0; i < plan.finals().length; i++) {
        FinalOutput f = plan.finals()[i];
        finalSize[p][i] = pow(k, f.dims().length);
      }
      steps[p] = new StepLayout[plan.steps().length];
      for (int s = 0; s < plan.steps().length; s++) {
        steps[p][s] = stepLayout(spec, plan, plan.steps()[s], k);
      }
    }
    for (int f = 0; f < factorDims.length; f++) {
      factorLead[f] = spec.plan().leadOf(f);
      factorBlock[f] = pow(k, factorDims[f].length - factorLead[f]);
    }
  }

  /** Entries the forward pass streams through in all: every step's summed and output entries, every element. */
  long forwardEntries(int[] plateCount) {
    long total = 0;
    for (int p = 0; p < steps.length; p++) {
      for (StepLayout s : steps[p]) {
        total += (long) plateCount[p] * s.sumSize * s.restSize;
      }
    }
    return total;
  }

  /** The dimensions of a tensor a plate element can read. */
  static int[] dims(ModelSpec spec, PlatePlan plan, TensorRef ref) {
    return switch (ref.source()) {
      case FACTOR -> spec.plan().factorDims()[ref.index()];
      case CHILD -> plan.children()[ref.index()].dims();
      case STEP -> plan.steps()[ref.index()].rest();
    };
  }

  private static StepLayout stepLayout(ModelSpec spec, PlatePlan plan, Step step, int k) {
    int[] sum = step.sum();
    int[] rest = step.rest();
    int sumSize = pow(k, sum.length);
    int restSize = pow(k, rest.length);
    int[] digits = new int[sumSize * sum.length];
    for (int sigma = 0; sigma < sumSize; sigma++) {
      int rem = sigma;
      for (int i = sum.length - 1; i >= 0; i--) {
        digits[sigma * sum.length + i] = rem % k;
        rem /= k;
      }
    }
    InputLayout[] inputs = new InputLayout[step.inputs().length];
    for (int r = 0; r < inputs.length; r++) {
      TensorRef ref = step.inputs()[r];
      int[] dims = dims(spec, plan, ref);
      int nLead = 0;
      while (nLead < dims.length && indexOf(sum, dims[nLead]) >= 0) {
        nLead++;
      }
      int[] lead = new int[sumSize];
      for (int sigma = 0; sigma < sumSize; sigma++) {
        int l = 0;
        for (int i = 0; i < nLead; i++) {
          l = l * k + digits[sigma * sum.length + indexOf(sum, dims[i])];
        }
        lead[sigma] = l;
      }
      int blockRank = dims.length - nLead;
      int block = pow(k, blockRank);
      MapKind map;
      int[] offsets = null;
      int repeat = 1;
      if (blockRank == rest.length) {
        map = MapKind.SAME;
      } else if (blockRank == 0) {
        map = MapKind.SCALAR;
      } else if (Arrays.equals(dims, nLead, dims.length, rest, 0, blockRank)) {
        map = MapKind.REPEAT;
        repeat = pow(k, rest.length - blockRank);
      } else if (Arrays.equals(dims, nLead, dims.length, rest, rest.length - blockRank, rest.length)) {
        map = MapKind.TILE;
      } else {
        map = MapKind.OFFSETS;
        offsets = new int[restSize];
        for (int flat = 0; flat < restSize; flat++) {
          int off = 0;
          for (int i = nLead; i < dims.length; i++) {
            off = off * k + digit(flat, indexOf(rest, dims[i]), rest.length, k);
          }
          offsets[flat] = off;
        }
      }
      int groupDigit = -1;
      int[] groupInRest = null;
      if (ref.source() == TensorRef.Source.FACTOR) {
        int group = spec.factors()[ref.index()].group();
        if (group >= 0) {
          groupDigit = indexOf(sum, group);
          if (groupDigit < 0) {
            int pos = indexOf(rest, group);
            groupInRest = new int[restSize];
            for (int flat = 0; flat < restSize; flat++) {
              groupInRest[flat] = digit(flat, pos, rest.length, k);
            }
          }
        }
      }
      inputs[r] = new InputLayout(ref, nLead, lead, block, map, repeat, offsets, groupDigit, groupInRest);
    }
    return new StepLayout(sum, rest, sumSize, restSize, inputs, digits);
  }

  /** Digit {@code pos} (0 = most significant) of a row-major index over {@code rank} axes of extent K. */
  static int digit(int flat, int pos, int rank, int k) {
    for (int i = rank - 1; i > pos; i--) {
      flat /= k;
    }
    return flat % k;
  }

  static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  static int pow(int k, int n) {
    int r = 1;
    for (int i = 0; i < n; i++) {
      r = Math.multiplyExact(r, k);
    }
    return r;
  }

  /** The slot of {@code parent}'s plan that receives final output {@code index} of {@code child}. */
  static int slotOf(PlatePlan parent, int child, int index) {
    ChildSlot[] slots = parent.children();
    for (int i = 0; i < slots.length; i++) {
      if (slots[i].childPlate() == child && slots[i].finalIndex() == index) {
        return i;
      }
    }
    throw new IllegalStateException("plan has no slot for output " + index + " of plate " + child);
  }
}
