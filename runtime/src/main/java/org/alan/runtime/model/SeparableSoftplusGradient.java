package org.alan.runtime.model;

import java.util.Arrays;
import org.alan.kernels.LogSumExp;
import org.alan.kernels.SoftplusSums;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.math.AlanMath;

/**
 * The gradient of a factor split as for {@link SeparableSoftplusKernel}, by the chain rule through its logit's
 * two parts: the entry weights give each part's adjoints, {@code sum w * (coefficient * sigmoid(r + s) + linear *
 * y)} over the other side (one division per entry, the parts' exponentials taken once), and each part's generated
 * gradient carries them on to the particles and parameters at the cost of its own dimensions.
 */
public final class SeparableSoftplusGradient implements FactorGradient {
  private final FactorKernel rowPart;
  private final FactorKernel colPart;
  private final FactorKernel datum;
  private final FactorGradient rowGradient;
  private final FactorGradient colGradient;
  private final double coefficient;
  private final double linear;
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
  private final double[] y = new double[1];

  /**
   * @param dims the factor's K dimensions
   * @param colDims how many of them, the last ones, are the columns
   */
  public SeparableSoftplusGradient(ModelState st, int dims, int colDims, double coefficient, FactorKernel rowPart,
      FactorKernel colPart, FactorKernel datum, double linear, FactorGradient rowGradient,
      FactorGradient colGradient) {
    this.rowPart = rowPart;
    this.colPart = colPart;
    this.datum = datum;
    this.rowGradient = rowGradient;
    this.colGradient = colGradient;
    this.coefficient = coefficient;
    this.linear = linear;
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
    SeparableSoftplusKernel.fillPart(rowPart, element, rows, r, 0, tile);
    SeparableSoftplusKernel.fillPart(colPart, element, cols, s, 0, tile);
    SeparableSoftplusKernel.fillPart(datum, element, 1, y, 0, tile);
    Arrays.fill(colAdj, 0.0);
    // the linear term: each part's adjoint is the datum times the weights summed over the other side
    double weight = linear * y[0];
    for (int a = 0; a < rows; a++) {
      double row = 0;
      int base = woff + a * cols;
      for (int b = 0; b < cols; b++) {
        row += w[base + b];
        colAdj[b] += weight * w[base + b];
      }
      rowAdj[a] = weight * row;
    }
    if (SeparableSoftplusKernel.maxAbs(r, 0, rows) + SeparableSoftplusKernel.maxAbs(s, 0, cols)
        <= SoftplusSums.LIMIT) {
      sums.expBoth(r, 0, rows, rPlus, rMinus);
      sums.expBoth(s, 0, cols, sPlus, sMinus);
      sums.sigmoidAdjoints(w, woff, rows, cols, rMinus, 0, sMinus, 0, coefficient, rowAdj, colAdj);
    } else {
      // parts too large for exp(-r) exp(-s) (or not finite): the sigmoid entry by entry
      for (int a = 0; a < rows; a++) {
        for (int b = 0; b < cols; b++) {
          double g = coefficient * w[woff + a * cols + b] * AlanMath.sigmoid(r[a] + s[b]);
          rowAdj[a] += g;
          colAdj[b] += g;
        }
      }
    }
    rowGradient.accumulate(element, rowAdj, 0, gz, gq);
    colGradient.accumulate(element, colAdj, 0, gz, gq);
  }
}
