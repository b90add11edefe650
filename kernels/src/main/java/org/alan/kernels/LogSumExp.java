package org.alan.kernels;

/**
 * Entry point to the log-sum-exp loops. {@link #ops} gives the Vector API implementation when the JVM was started
 * with {@code --add-modules jdk.incubator.vector}, the scalar one otherwise or on request; the static methods use
 * the vector one when it is available and {@code -Dalan.vector=false} is not set. All methods work on contiguous
 * ranges of {@code double[]}.
 */
public final class LogSumExp {
  private static final LseOps SCALAR = new ScalarLse();
  private static final LseOps VECTOR = loadVector();
  private static final LseOps OPS = VECTOR != null && !"false".equals(System.getProperty("alan.vector"))
      ? VECTOR : SCALAR;

  private LogSumExp() {}

  private static LseOps loadVector() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (LseOps) Class.forName("org.alan.kernels.VectorLse").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** Whether this JVM can run the Vector API loops (it was started with the incubator module). */
  public static boolean vectorAvailable() {
    return VECTOR != null;
  }

  /** Whether the static methods use the vector loops. */
  public static boolean vectorised() {
    return OPS != SCALAR;
  }

  /** The vector implementation when asked for and available, else the scalar one. */
  public static LseOps ops(boolean vector) {
    return vector && VECTOR != null ? VECTOR : SCALAR;
  }

  /** A {@link SoftplusSums} for one thread: the vector implementation when asked for and available. */
  public static SoftplusSums softplusSums(boolean vector) {
    if (vector && VECTOR != null) {
      try {
        return (SoftplusSums) Class.forName("org.alan.kernels.VectorSoftplusSums").getDeclaredConstructor()
            .newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        // the incubator module is present (VECTOR loaded), so this does not happen; the scalar form is exact too
      }
    }
    return new ScalarSoftplusSums();
  }

  /** Prepares a running state for {@code n} entries: nothing folded in yet. */
  public static void reset(double[] max, double[] sum, int off, int n) {
    java.util.Arrays.fill(max, off, off + n, LseOps.EMPTY);
    java.util.Arrays.fill(sum, off, off + n, 0.0);
  }

  public static void update(double[] max, double[] sum, int off, double[] x, int xOff, int n) {
    OPS.update(max, sum, off, x, xOff, n);
  }

  public static void finish(double[] max, double[] sum, int off, double[] out, int outOff, int n) {
    OPS.finish(max, sum, off, out, outOff, n);
  }

  /** First pass of a two-pass log-sum-exp over blocks: running elementwise maximum (start from {@link #reset}). */
  public static void maxInto(double[] max, int off, double[] x, int xOff, int n) {
    OPS.maxInto(max, off, x, xOff, n);
  }

  /** Second pass: {@code sum += exp(x - max)}; then {@link #finish} gives the log-sum-exp. */
  public static void sumExpInto(double[] sum, int off, double[] x, int xOff, double[] max, int n) {
    OPS.sumExpInto(sum, off, x, xOff, max, n);
  }

  public static void softmaxAdjoint(double[] x, int xOff, double[] lse, int lseOff, double[] adj, int adjOff,
      double[] w, int wOff, int n) {
    OPS.softmaxAdjoint(x, xOff, lse, lseOff, adj, adjOff, w, wOff, n);
  }

  public static double sum(double[] x, int off, int n) {
    return OPS.sum(x, off, n);
  }

  public static double max(double[] x, int off, int n) {
    return OPS.max(x, off, n);
  }

  public static double logSumExp(double[] x, int off, int n) {
    return OPS.logSumExp(x, off, n);
  }

  /** The scalar implementation, for tests that compare the two. */
  static LseOps scalar() {
    return SCALAR;
  }

  static LseOps active() {
    return OPS;
  }
}
