package org.alan.runtime.model;

import org.alan.kernels.LogSumExp;
import org.alan.kernels.SoftplusSums;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.math.AlanMath;

/**
 * The gradient of a factor split as for {@link SeparableSoftplusKernel}, by the chain rule through its parts: the
 * entry weights give the adjoints of the row-only and column-only terms
 * (the weights summed over the columns or the rows), and of each softplus term's row and column parts
 * ({@code sum w * coefficient * sigmoid(r + s)} over the other side, one division per entry with the parts'
 * exponentials taken once); each part's generated gradient then carries its adjoints to the particles and
 * parameters, at the cost of its own dimensions.
 */
public final class SeparableSoftplusGradient implements FactorGradient {
  /** One softplus term: its coefficient, the kernels of its parts (their values) and their gradients. */
  public record Term(double coefficient, FactorKernel rowPart, FactorKernel colPart, FactorGradient rowGradient,
      FactorGradient colGradient) {}

  private final FactorGradient rowSum;
  private final FactorGradient colSum;
  private final Term[] terms;
  private final int rows;
  private final int cols;
  private final int tile;
  private final SoftplusSums sums;
  private final double[] r;
  private final double[] rPlus;
  private final double[] rMinus;
  private final double[] s;
  private final double[] sPlus;
  private final double[] sMinus;
  private final double[] rowAdj;
  private final double[] colAdj;

  /**
   * @param dims the factor's K dimensions
   * @param colDims how many of them, the last ones, are the columns
   * @param rowSum the gradient of the terms that vary only along the rows, or null
   * @param colSum the same for the columns, or null
   */
  public SeparableSoftplusGradient(ModelState st, int dims, int colDims, FactorGradient rowSum,
      FactorGradient colSum, Term... terms) {
    this.rowSum = rowSum;
    this.colSum = colSum;
    this.terms = terms.clone();
    this.rows = KernelSupport.pow(st.K, dims - colDims);
    this.cols = KernelSupport.pow(st.K, colDims);
    this.tile = KernelSupport.tileSize(st.K);
    this.sums = LogSumExp.softplusSums(st.vector);
    this.r = new double[rows];
    this.rPlus = new double[rows];
    this.rMinus = new double[rows];
    this.s = new double[cols];
    this.sPlus = new double[cols];
    this.sMinus = new double[cols];
    this.rowAdj = new double[rows];
    this.colAdj = new double[cols];
  }

  @Override
  public void accumulate(int element, double[] w, int woff, double[][] gz, double[][] gq) {
    if (rowSum != null || colSum != null) {
      java.util.Arrays.fill(rowAdj, 0.0);
      java.util.Arrays.fill(colAdj, 0.0);
      for (int a = 0; a < rows; a++) {
        double row = 0;
        int base = woff + a * cols;
        for (int b = 0; b < cols; b++) {
          row += w[base + b];
          colAdj[b] += w[base + b];
        }
        rowAdj[a] = row;
      }
      if (rowSum != null) {
        rowSum.accumulate(element, rowAdj, 0, gz, gq);
      }
      if (colSum != null) {
        colSum.accumulate(element, colAdj, 0, gz, gq);
      }
    }
    for (Term term : terms) {
      SeparableSoftplusKernel.fillPart(term.rowPart(), element, rows, r, 0, tile);
      SeparableSoftplusKernel.fillPart(term.colPart(), element, cols, s, 0, tile);
      java.util.Arrays.fill(rowAdj, 0.0);
      java.util.Arrays.fill(colAdj, 0.0);
      if (SeparableSoftplusKernel.maxAbs(r, 0, rows) + SeparableSoftplusKernel.maxAbs(s, 0, cols)
          <= SoftplusSums.LIMIT) {
        sums.expBoth(r, 0, rows, rPlus, rMinus);
        sums.expBoth(s, 0, cols, sPlus, sMinus);
        sums.sigmoidAdjoints(w, woff, rows, cols, rMinus, 0, sMinus, 0, term.coefficient(), rowAdj, colAdj);
      } else {
        // parts too large for exp(-r) exp(-s) (or not finite): the sigmoid entry by entry
        for (int a = 0; a < rows; a++) {
          for (int b = 0; b < cols; b++) {
            double g = term.coefficient() * w[woff + a * cols + b] * AlanMath.sigmoid(r[a] + s[b]);
            rowAdj[a] += g;
            colAdj[b] += g;
          }
        }
      }
      term.rowGradient().accumulate(element, rowAdj, 0, gz, gq);
      term.colGradient().accumulate(element, colAdj, 0, gz, gq);
    }
  }
}
