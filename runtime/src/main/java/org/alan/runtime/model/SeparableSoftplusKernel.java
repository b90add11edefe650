package org.alan.runtime.model;

import java.util.Arrays;
import org.alan.kernels.LogSumExp;
import org.alan.kernels.SoftplusSums;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.math.AlanMath;

/**
 * A Bernoulli-logit factor summed over its plate's elements without an exponential or logarithm per entry and
 * element. The compiler cuts the factor's K dimensions into rows (a prefix) and columns (the rest) and its log
 * density into {@code coefficient * softplus(r + s) + linear * y * (r + s)}, with the logit's row part {@code r}
 * varying only along the rows, its column part {@code s} only along the columns and the datum {@code y} along
 * neither: per element the parts cost one fill of {@code K^rows} and {@code K^cols} entries, the softplus terms are
 * summed by {@link SoftplusSums} from the parts' exponentials, and the linear term is summed per row and per column
 * before it is added to the entries. One element at a time ({@link #prepare}, {@link #fill}, {@link #add}) it is
 * the whole factor's kernel.
 */
public final class SeparableSoftplusKernel extends RunSumKernel {
  private final FactorKernel rowPart;
  private final FactorKernel colPart;
  private final FactorKernel datum;
  private final double coefficient;
  private final double linear;
  private final int block;
  private final int rows;
  private final int cols;
  private final int stride;
  private final int tile;
  private final SoftplusSums sums;
  private final double[] rowTotals;
  private final double[] colTotals;
  private final double[] y = new double[1];
  private double[] r = new double[0];
  private double[] rPlus = new double[0];
  private double[] s = new double[0];
  private double[] sPlus = new double[0];
  private double[] bound = new double[0];
  private int[] runEnds = new int[0];

  /**
   * @param dims the factor's K dimensions
   * @param leadDims how many of them select a block ({@link FactorKernel#fill})
   * @param colDims how many of them, the last ones, are the columns
   * @param whole the factor's kernel
   * @param rowPart the logit's row part, over the row dimensions
   * @param colPart the logit's column part, over the column dimensions
   * @param datum the datum, one entry per element
   */
  public SeparableSoftplusKernel(ModelState st, int dims, int leadDims, int colDims, double coefficient,
      FactorKernel whole, FactorKernel rowPart, FactorKernel colPart, FactorKernel datum, double linear) {
    super(whole);
    this.rowPart = rowPart;
    this.colPart = colPart;
    this.datum = datum;
    this.coefficient = coefficient;
    this.linear = linear;
    this.block = KernelSupport.pow(st.K, dims - leadDims);
    this.rows = KernelSupport.pow(st.K, dims - colDims);
    this.cols = KernelSupport.pow(st.K, colDims);
    this.stride = cols + SoftplusSums.COLUMN_PADDING;
    this.tile = KernelSupport.tileSize(st.K);
    this.sums = LogSumExp.softplusSums(st.vector);
    this.rowTotals = new double[rows];
    this.colTotals = new double[cols];
  }

  @Override
  public void addElements(int first, int last, int lead, int from, int to, double[] out, int off) {
    // entry j of block `lead` is entry lead * block + j of the whole factor, row-major over rows x columns
    int entryFrom = lead * block + from;
    int entryTo = lead * block + to;
    ensure(last - first);
    Arrays.fill(rowTotals, 0.0);
    Arrays.fill(colTotals, 0.0);
    int kept = 0;
    for (int e = first; e < last; e++) {
      fillPart(rowPart, e, rows, r, kept * rows, tile);
      fillPart(colPart, e, cols, s, kept * stride, tile);
      fillPart(datum, e, 1, y, 0, tile);
      double weight = linear * y[0];
      for (int a = 0; a < rows; a++) {
        rowTotals[a] += weight * r[kept * rows + a];
      }
      for (int b = 0; b < cols; b++) {
        colTotals[b] += weight * s[kept * stride + b];
      }
      double m = maxAbs(r, kept * rows, rows) + maxAbs(s, kept * stride, cols);
      if (m <= SoftplusSums.LIMIT) {
        bound[kept++] = m;
      } else {
        addDirect(kept * rows, kept * stride, entryFrom, entryTo, out, off);
      }
    }
    sums.expBoth(r, 0, kept * rows, rPlus, null);
    sums.expBoth(s, 0, kept * stride, sPlus, null);
    int runs = SoftplusSums.runs(kept, bound, runEnds);
    sums.add(rPlus, rows, sPlus, stride, cols, runEnds, runs, coefficient, entryFrom, entryTo, out, off);
    for (int t = entryFrom; t < entryTo; t++) {
      int a = t / cols;
      out[off + t - entryFrom] += rowTotals[a] + colTotals[t - a * cols];
    }
  }

  /** A part's values at one element, filled tile by tile (kernels size their scratch space to one tile). */
  static void fillPart(FactorKernel part, int element, int n, double[] out, int off, int tile) {
    part.prepare(element);
    for (int t0 = 0; t0 < n; t0 += tile) {
      part.fill(0, t0, Math.min(n, t0 + tile), out, off + t0);
    }
  }

  /** The largest magnitude of {@code x[off, off + n)}: NaN if any is NaN (so the product form refuses it). */
  static double maxAbs(double[] x, int off, int n) {
    double m = 0;
    for (int i = off; i < off + n; i++) {
      m = Math.max(m, Math.abs(x[i]));
    }
    return m;
  }

  /** An element with parts too large for the product form (or not finite): softplus entry by entry. */
  private void addDirect(int rOff, int sOff, int entryFrom, int entryTo, double[] out, int off) {
    for (int t = entryFrom; t < entryTo; t++) {
      int a = t / cols;
      out[off + t - entryFrom] += coefficient * AlanMath.softplus(r[rOff + a] + s[sOff + t - a * cols]);
    }
  }

  private void ensure(int n) {
    if (bound.length < n) {
      bound = new double[n];
      runEnds = new int[n];
    }
    if (r.length < n * rows) {
      r = new double[n * rows];
      rPlus = new double[r.length];
    }
    if (s.length < n * stride) {
      // the padding after each element's columns stays 0 (parts are filled over their columns only)
      s = new double[n * stride];
      sPlus = new double[s.length];
    }
  }
}
