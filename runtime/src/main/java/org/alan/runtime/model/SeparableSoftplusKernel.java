package org.alan.runtime.model;

import java.util.Arrays;
import org.alan.kernels.LogSumExp;
import org.alan.kernels.SoftplusSums;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.math.AlanMath;

/**
 * A factor kernel that sums its plate's elements without work per entry and element where it can. The compiler
 * cuts the factor's K dimensions into rows (a prefix) and columns (the rest) and splits its log density into
 * <ul>
 *   <li>terms {@code c * softplus(row part + column part)}, summed by {@link SoftplusSums} from the two parts,
 *       which cost one fill of {@code K^rows} and {@code K^cols} entries per element instead of
 *       {@code K^(rows + cols)} exponentials and logarithms;</li>
 *   <li>terms that vary only along the rows or only along the columns, summed over the elements on their own
 *       dimensions and then added to each entry.</li>
 * </ul>
 * One element at a time ({@link #prepare}, {@link #fill}, {@link #add}) it is the whole factor's kernel.
 */
public final class SeparableSoftplusKernel implements FactorKernel {
  /** One {@code coefficient * softplus(row part + column part)} term and the kernels of its parts. */
  public record Term(double coefficient, FactorKernel rowPart, FactorKernel colPart) {}

  private final FactorKernel whole;
  private final FactorKernel rowSum;
  private final FactorKernel colSum;
  private final Term[] terms;
  private final int block;
  private final int rows;
  private final int cols;
  private final int stride;
  private final int tile;
  private final SoftplusSums sums;
  private final double[] rowTotals;
  private final double[] colTotals;
  private double[] r = new double[0];
  private double[] rPlus = new double[0];
  private double[] rMinus = new double[0];
  private double[] s = new double[0];
  private double[] sPlus = new double[0];
  private double[] sMinus = new double[0];
  private double[] bound = new double[0];
  private boolean[] runEnds = new boolean[0];

  /**
   * @param dims the factor's K dimensions
   * @param leadDims how many of them select a block ({@link FactorKernel#fill})
   * @param colDims how many of them, the last ones, are the columns
   * @param whole the factor's kernel
   * @param rowSum the kernel of the terms that vary only along the rows (over the row dimensions), or null
   * @param colSum the same for the columns, or null
   */
  public SeparableSoftplusKernel(ModelState st, int dims, int leadDims, int colDims, FactorKernel whole,
      FactorKernel rowSum, FactorKernel colSum, Term... terms) {
    this.whole = whole;
    this.rowSum = rowSum;
    this.colSum = colSum;
    this.terms = terms.clone();
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
  public void prepare(int element) {
    whole.prepare(element);
  }

  @Override
  public void fill(int lead, int from, int to, double[] out, int off) {
    whole.fill(lead, from, to, out, off);
  }

  @Override
  public void add(int lead, int from, int to, double[] out, int off) {
    whole.add(lead, from, to, out, off);
  }

  @Override
  public void addElements(int first, int last, int lead, int from, int to, double[] out, int off) {
    // entry j of block `lead` is entry lead * block + j of the whole factor, row-major over rows x columns
    int entryFrom = lead * block + from;
    int entryTo = lead * block + to;
    if (rowSum != null || colSum != null) {
      addTotals(first, last, entryFrom, entryTo, out, off);
    }
    for (Term term : terms) {
      ensure(last - first);
      int kept = 0;
      for (int e = first; e < last; e++) {
        fillPart(term.rowPart(), e, rows, r, kept * rows);
        fillPart(term.colPart(), e, cols, s, kept * stride);
        double m = maxAbs(r, kept * rows, rows) + maxAbs(s, kept * stride, cols);
        if (m <= SoftplusSums.LIMIT) {
          bound[kept++] = m;
        } else {
          addDirect(term.coefficient(), kept * rows, kept * stride, entryFrom, entryTo, out, off);
        }
      }
      sums.expBoth(r, 0, kept * rows, rPlus, rMinus);
      sums.expBoth(s, 0, kept * stride, sPlus, sMinus);
      SoftplusSums.runEnds(kept, bound, runEnds);
      sums.add(kept, rPlus, rows, sPlus, stride, cols, runEnds, term.coefficient(), entryFrom, entryTo, out, off);
    }
  }

  /** The row-only and column-only terms: summed over the elements per row and per column, then added per entry. */
  private void addTotals(int first, int last, int entryFrom, int entryTo, double[] out, int off) {
    Arrays.fill(rowTotals, 0.0);
    Arrays.fill(colTotals, 0.0);
    for (int e = first; e < last; e++) {
      if (rowSum != null) {
        addPart(rowSum, e, rows, rowTotals);
      }
      if (colSum != null) {
        addPart(colSum, e, cols, colTotals);
      }
    }
    for (int t = entryFrom; t < entryTo; t++) {
      int a = t / cols;
      out[off + t - entryFrom] += rowTotals[a] + colTotals[t - a * cols];
    }
  }

  private void fillPart(FactorKernel part, int element, int n, double[] out, int off) {
    fillPart(part, element, n, out, off, tile);
  }

  /** A part's values at one element, filled tile by tile (kernels size their scratch space to one tile). */
  static void fillPart(FactorKernel part, int element, int n, double[] out, int off, int tile) {
    part.prepare(element);
    for (int t0 = 0; t0 < n; t0 += tile) {
      part.fill(0, t0, Math.min(n, t0 + tile), out, off + t0);
    }
  }

  private void addPart(FactorKernel part, int element, int n, double[] out) {
    part.prepare(element);
    for (int t0 = 0; t0 < n; t0 += tile) {
      part.add(0, t0, Math.min(n, t0 + tile), out, t0);
    }
  }

  /** The largest magnitude of {@code x[off, off + n)}: NaN if any is NaN (so the product form refuses it). */
  static double maxAbs(double[] x, int off, int n) {
    double m = 0;
    for (int i = off; i < off + n; i++) {
      double a = Math.abs(x[i]);
      if (a > m) {
        m = a;
      } else if (Double.isNaN(a)) {
        return Double.NaN;
      }
    }
    return m;
  }

  /** An element with parts too large for the product form (or not finite): softplus entry by entry. */
  private void addDirect(double coefficient, int rOff, int sOff, int entryFrom, int entryTo, double[] out, int off) {
    for (int t = entryFrom; t < entryTo; t++) {
      int a = t / cols;
      out[off + t - entryFrom] += coefficient * AlanMath.softplus(r[rOff + a] + s[sOff + t - a * cols]);
    }
  }

  private void ensure(int n) {
    if (bound.length < n) {
      bound = new double[n];
      runEnds = new boolean[n];
    }
    if (r.length < n * rows) {
      r = new double[n * rows];
      rPlus = new double[r.length];
      rMinus = new double[r.length];
    }
    if (s.length < n * stride) {
      // the padding after each element's columns stays 0 (parts are filled over their columns only)
      s = new double[n * stride];
      sPlus = new double[s.length];
      sMinus = new double[s.length];
    }
  }
}
