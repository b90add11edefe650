package org.alan.stdlib;

/**
 * The set of values a distribution puts mass on. Bounded kinds read their bounds from the distribution's
 * arguments ({@link #INTERVAL}: low and high; {@link #BOUNDED_INTEGER}: total count; {@link #CATEGORY}:
 * the number of categories).
 */
public enum SupportKind {
  REAL("a real number", "real values"),
  POSITIVE("a positive real number", "positive values"),
  NONNEGATIVE("a non-negative real number", "non-negative values"),
  UNIT_INTERVAL("a number strictly between 0 and 1", "values in (0, 1)"),
  INTERVAL("a number between the lower and upper bound", "values between its bounds"),
  BINARY("0 or 1", "the values 0 and 1"),
  NONNEGATIVE_INTEGER("a non-negative integer", "non-negative integers"),
  BOUNDED_INTEGER("an integer between 0 and the total count", "integers from 0 to the total count"),
  CATEGORY("a category index 0, 1, ..., C-1", "category indices"),
  SIMPLEX("a vector of positive numbers summing to 1", "probability vectors"),
  COUNT_VECTOR("a vector of non-negative integers summing to the total count", "count vectors");

  private final String description;
  private final String values;

  SupportKind(String description, String values) {
    this.description = description;
    this.values = values;
  }

  /** The support as a plural noun phrase: "non-negative values", for comparing two supports. */
  public String plural() {
    return values;
  }

  /** Human-readable description, used in error messages ("expected 0 or 1"). */
  public String description() {
    return description;
  }

  /**
   * Whether a value is allowed for a distribution parameter constrained to this set. Probabilities may be 0 or 1
   * (a degenerate distribution), unlike the values of a Beta variable.
   */
  public boolean allowsParameter(double x) {
    return switch (this) {
      case POSITIVE -> x > 0 && x < Double.POSITIVE_INFINITY;
      case NONNEGATIVE -> x >= 0 && x < Double.POSITIVE_INFINITY;
      case UNIT_INTERVAL -> x >= 0 && x <= 1;
      case NONNEGATIVE_INTEGER -> x >= 0 && x == Math.rint(x) && x < 0x1p53;
      default -> Double.isFinite(x);
    };
  }

  /** What {@link #allowsParameter} allows, in words ("a positive real number", "between 0 and 1"). */
  public String parameterDescription() {
    return this == UNIT_INTERVAL ? "between 0 and 1" : description;
  }

  /** Whether values of this support are integers (the variable is discrete). */
  public boolean isDiscrete() {
    return this == BINARY || this == NONNEGATIVE_INTEGER || this == BOUNDED_INTEGER || this == CATEGORY
        || this == COUNT_VECTOR;
  }

  /**
   * Whether a scalar value lies in this support. {@code upper} is the upper bound for {@link #INTERVAL}
   * (with {@code lower}), the total count for {@link #BOUNDED_INTEGER} and the number of categories for
   * {@link #CATEGORY} and {@link #COUNT_VECTOR} (NaN when unknown); it is ignored otherwise. {@link #SIMPLEX} is checked per coordinate here (positive
   * and at most 1); the sum is checked by {@link #simplexSumOk(double)}.
   */
  public boolean contains(double x, double lower, double upper) {
    if (Double.isNaN(x)) {
      return false;
    }
    return switch (this) {
      case REAL -> Double.isFinite(x);
      case POSITIVE -> x > 0 && x < Double.POSITIVE_INFINITY;
      case NONNEGATIVE -> x >= 0 && x < Double.POSITIVE_INFINITY;
      case UNIT_INTERVAL -> x > 0 && x < 1;
      case INTERVAL -> x >= lower && x <= upper;
      case BINARY -> x == 0 || x == 1;
      case NONNEGATIVE_INTEGER -> x >= 0 && x == Math.rint(x) && x < 0x1p53;
      case BOUNDED_INTEGER -> x >= 0 && x == Math.rint(x) && x <= upper;
      case CATEGORY -> x >= 0 && x == Math.rint(x) && x < upper;
      case SIMPLEX -> x > 0 && x <= 1;
      case COUNT_VECTOR -> x >= 0 && x == Math.rint(x) && !(x > upper);
    };
  }

  /** Whether the coordinates of a simplex value sum to 1 (to a tolerance fit for data read from text). */
  public static boolean simplexSumOk(double sum) {
    return Math.abs(sum - 1.0) <= 1e-6;
  }
}
