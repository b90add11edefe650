package org.alan.runtime.engine;

import java.util.Arrays;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;
import org.alan.runtime.model.ModelSpec;

/** Scratch space of one worker thread: its factor kernels, prepared per element, and its buffers. */
final class Workspace {
  final ModelState state;
  final FactorKernel[] kernels;
  final int[] preparedFor;
  int element = -1;
  /** For each factor, the (lead, tile start) its buffer holds, so a repeated request is not recomputed. */
  final long[] cached;
  final double[][] blocks;
  double[] x = new double[0];
  double[] max = new double[0];
  double[] sum = new double[0];
  double[] w = new double[0];

  private final CompiledModel model;
  private final ModelSpec spec;

  Workspace(CompiledModel model, ModelState state) {
    this.model = model;
    this.spec = model.spec();
    this.state = state;
    int factors = spec.factors().length;
    kernels = new FactorKernel[factors];
    preparedFor = new int[factors];
    cached = new long[factors];
    blocks = new double[factors][];
  }

  /** The worker's kernel of factor f, prepared for the element being processed. */
  FactorKernel kernel(int f) {
    create(f);
    if (preparedFor[f] != element) {
      kernels[f].prepare(element);
      preparedFor[f] = element;
    }
    return kernels[f];
  }

  /**
   * The worker's kernel of factor f, unprepared: for {@link FactorKernel#addElements}, which prepares it itself
   * (and afterwards it is prepared again when next used).
   */
  FactorKernel kernelForElements(int f) {
    create(f);
    preparedFor[f] = -1;
    return kernels[f];
  }

  private void create(int f) {
    if (kernels[f] == null) {
      FactorKernel kernel = model.newKernel(f, state);
      kernels[f] = state.temperature != 1 && spec.factors()[f].group() < 0
          ? new TemperedKernel(kernel, state.temperature) : kernel;
      preparedFor[f] = -1;
    }
  }

  /**
   * Switches to an element of a plate: kernels are prepared for it when first used. Each factor belongs to one
   * plate, so the element number alone identifies what its kernel must be prepared for.
   */
  void moveTo(int e) {
    element = e;
    resetCache();
  }

  double[] block(int f, int size) {
    if (blocks[f] == null || blocks[f].length < size) {
      blocks[f] = new double[size];
    }
    return blocks[f];
  }

  void ensure(int n) {
    if (x.length < n) {
      x = new double[n];
      max = new double[n];
      sum = new double[n];
      w = new double[n];
    }
  }

  void resetCache() {
    Arrays.fill(cached, -1L);
  }

  private double[] stage = new double[0];

  /** A buffer for one tile's inputs under every summed assignment. */
  double[] stage(int size) {
    if (stage.length < size) {
      stage = new double[size];
    }
    return stage;
  }

  /**
   * An observed variable's factor raised to a power (its log multiplied): the likelihood of a tempered target
   * {@code p(z) p(y | z)^temperature}, which fitting the automatic guide anneals from the prior to the posterior.
   */
  private static final class TemperedKernel implements FactorKernel {
    private final FactorKernel kernel;
    private final double temperature;
    private double[] scratch = new double[0];

    TemperedKernel(FactorKernel kernel, double temperature) {
      this.kernel = kernel;
      this.temperature = temperature;
    }

    @Override
    public void prepare(int element) {
      kernel.prepare(element);
    }

    @Override
    public void fill(int lead, int from, int to, double[] out, int off) {
      kernel.fill(lead, from, to, out, off);
      for (int i = off; i < off + to - from; i++) {
        // an impossible observation stays impossible at any temperature (not -inf * 0 = NaN)
        out[i] = out[i] == Double.NEGATIVE_INFINITY ? out[i] : out[i] * temperature;
      }
    }

    @Override
    public void add(int lead, int from, int to, double[] out, int off) {
      if (scratch.length < to - from) {
        scratch = new double[to - from];
      }
      fill(lead, from, to, scratch, 0);
      for (int i = 0; i < to - from; i++) {
        out[off + i] += scratch[i];
      }
    }

    @Override
    public void addElements(int first, int last, int lead, int from, int to, double[] out, int off) {
      if (scratch.length < to - from) {
        scratch = new double[to - from];
      }
      java.util.Arrays.fill(scratch, 0, to - from, 0.0);
      kernel.addElements(first, last, lead, from, to, scratch, 0);
      for (int i = 0; i < to - from; i++) {
        out[off + i] += scratch[i] == Double.NEGATIVE_INFINITY ? scratch[i] : scratch[i] * temperature;
      }
    }
  }
}
