package org.alan.compiler.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.alan.compiler.ast.Argument;
import org.alan.compiler.ast.Binary;
import org.alan.compiler.ast.Call;
import org.alan.compiler.ast.Expr;
import org.alan.compiler.ast.LetStmt;
import org.alan.compiler.ast.AstPrinter;
import org.alan.compiler.ast.Slice;
import org.alan.compiler.ast.VectorLit;
import org.alan.compiler.ast.Index;
import org.alan.compiler.ast.NameRef;
import org.alan.compiler.ast.NumberLit;
import org.alan.compiler.ast.Unary;
import org.alan.compiler.diag.Diagnostics;
import org.alan.compiler.ir.BinaryOp;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.Exprs;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.TransformIr;
import org.alan.compiler.ir.ExWalker;
import org.alan.compiler.ir.PlateIr;
import org.alan.compiler.ir.ReduceOp;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.UnaryOp;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.Distribution;
import org.alan.stdlib.Function;
import org.alan.stdlib.GuideParameter;
import org.alan.stdlib.Parameter;
import org.alan.stdlib.StanFamily;

/**
 * Resolves and types expressions and binds distribution calls. Results are {@link Ex} trees with let bindings
 * substituted; {@code null} means an error was reported (callers stop quietly, without cascading messages).
 */
final class ExpressionChecker {
  enum Side { MODEL, GUIDE }

  private final Diagnostics diagnostics;
  private final List<PlateIr> plates;
  private final Map<String, ModelChecker.Decl> modelNames;
  private final List<ModelChecker.Decl> variables;
  private final List<ParamIr> params;
  private final Map<String, Ex> letValues = new HashMap<>();
  private final List<String> letsInProgress = new ArrayList<>();
  private final Set<String> failedLets = new HashSet<>();
  private Map<String, ModelChecker.Decl> guideNames = Map.of();
  private List<Shape> shapes = List.of();
  private Map<Integer, Integer> categories = Map.of();
  /** The lags and running sums met so far, each a hidden input numbered after the declared variables. */
  private final List<TransformIr> transforms = new ArrayList<>();

  ExpressionChecker(Diagnostics diagnostics, List<PlateIr> plates, Map<String, ModelChecker.Decl> modelNames,
      List<ModelChecker.Decl> variables, List<ParamIr> params) {
    this.diagnostics = diagnostics;
    this.plates = plates;
    this.modelNames = modelNames;
    this.variables = variables;
    this.params = params;
  }

  /** The hidden inputs {@code lag} and {@code cumsum} calls compute, in the order they depend on each other. */
  List<TransformIr> transforms() {
    return transforms;
  }

  /** Whether a variable id is one of {@link #transforms}' hidden inputs rather than a declared variable. */
  boolean isComputedInput(int id) {
    return id >= variables.size();
  }

  /** The hidden input of id {@code id} ({@link #isComputedInput}). */
  TransformIr transformOf(int id) {
    return transforms.stream().filter(t -> t.input() == id).findFirst().orElseThrow();
  }

  /**
   * The hidden 0/1 input that is 0 at the first {@code missing} elements of each series along {@code plate}, made
   * on first use.
   */
  int maskInput(int plate, int missing) {
    return transformInput(TransformIr.Kind.MASK, null, missing, Double.NaN, plate, 0, "observed_from("
        + plates.get(plate).name() + ", " + (missing + 1) + ")", SourceSpan.NONE, null, null).variable();
  }

  /**
   * The hidden input computing this ({@link TransformIr}): the one already made for the same computation, or a new
   * one numbered after the declared variables.
   */
  private Ex.VarRef transformInput(TransformIr.Kind kind, Ex source, int lag, double init, int plate, int missing,
      String text, SourceSpan span, double[] values, Shape constantShape) {
    TransformIr made = new TransformIr(variables.size() + transforms.size(), kind, source, lag, init, plate, missing,
        text, span, values, constantShape);
    for (TransformIr t : transforms) {
      if (t.kind() == kind && java.util.Objects.equals(t.source(), source) && t.lag() == lag
          && Double.compare(t.init(), init) == 0 && t.plate() == plate && t.shape().equals(made.shape())
          && java.util.Arrays.equals(t.values(), values)) {
        return new Ex.VarRef(t.input(), t.shape());
      }
    }
    transforms.add(made);
    return new Ex.VarRef(made.input(), made.shape());
  }

  /** The deepest plate among the variables an expression reads (computed inputs by theirs); the top level if none. */
  private int innermostPlate(Ex value) {
    int plate = PlateIr.TOP;
    for (int v : ExWalker.variables(value)) {
      int p = isComputedInput(v) ? transformOf(v).plate() : variables.get(v).plate;
      plate = plates.get(p).depth() > plates.get(plate).depth() ? p : plate;
    }
    return plate;
  }

  /** The first declared variable an expression reads that is not an input (computed inputs are), or null. */
  private ModelChecker.Decl firstNonInput(Ex value) {
    for (int v : ExWalker.variables(value)) {
      if (!isComputedInput(v) && variables.get(v).kind != ModelChecker.Decl.Kind.INPUT) {
        return variables.get(v);
      }
    }
    return null;
  }

  void setShapes(List<Shape> shapes) {
    this.shapes = shapes;
  }

  /** Makes the guide's own let bindings visible to guide expressions. */
  void setGuideNames(Map<String, ModelChecker.Decl> guideNames) {
    this.guideNames = guideNames;
  }

  /** The number of categories of each categorical latent (by variable id), which shapes its guide's parameters. */
  void setCategories(Map<Integer, Integer> categories) {
    this.categories = categories;
  }

  /**
   * Where an expression is being checked: for guide parameters, which variable and parameter it belongs to, and
   * the shape a parameter written as the whole argument takes (the variable's, with the categories appended for
   * a Categorical's probs or logits).
   */
  private record Context(Side side, int plate, int variable, String variableName, String parameterName,
      boolean wholeArgument, Shape paramShape) {
    Context nested() {
      return new Context(side, plate, variable, variableName, parameterName, false, paramShape);
    }
  }

  /**
   * Binds {@code call} as the distribution of a variable with the given value shape: resolves the family and
   * parameterisation, checks every argument (shape against the value, constants against the constraint) and,
   * in a guide, the QEM all-or-nothing rule.
   */
  DistIr bindDistribution(Call call, int plate, Shape valueShape, String variableName, Side side) {
    String familyName = call.function().text();
    if (call.bar() != Call.NO_BAR) {
      diagnostics.report(CheckErrors.barOutsideDensity(call.span(), familyName));
      return null;
    }
    Optional<Distribution> found = Distribution.byName(familyName);
    if (found.isEmpty()) {
      if (Function.byName(familyName).isPresent() || GuideParameter.byName(familyName).isPresent()) {
        diagnostics.report(CheckErrors.functionAsDistribution(call.function().span(), familyName));
      } else {
        diagnostics.report(CheckErrors.unknownDistribution(call.function().span(), familyName,
            Arrays.stream(Distribution.values()).map(Distribution::alanName).toList()));
      }
      return null;
    }
    Distribution family = found.get();
    List<Argument> arguments = call.arguments();
    int positional = 0;
    boolean sawNamed = false;
    Map<String, Argument> named = new LinkedHashMap<>();
    for (Argument a : arguments) {
      if (a.name().isPresent()) {
        sawNamed = true;
        String n = a.name().get().text();
        if (named.putIfAbsent(n, a) != null) {
          diagnostics.report(CheckErrors.duplicateArgument(a.name().get().span(), n));
          return null;
        }
      } else if (sawNamed) {
        diagnostics.report(CheckErrors.positionalAfterNamed(a.span()));
        return null;
      } else {
        positional++;
      }
    }
    if (arguments.size() != family.arity()) {
      diagnostics.report(CheckErrors.wrongArgumentCount(call.span(), familyName, family.arity(), arguments.size(),
          family.describeSignatures()));
      return null;
    }
    int chosen = -1;
    for (int p = 0; p < family.parameterisations().size() && chosen < 0; p++) {
      List<Parameter> ps = family.parameterisations().get(p);
      boolean fits = ps.size() == arguments.size(); // a longer internal form (MultivariateNormal's) is not written
      for (String n : named.keySet()) {
        int index = indexOf(ps, n);
        fits &= index >= positional;
      }
      if (fits) {
        chosen = p;
      }
    }
    if (chosen < 0) {
      final int positionalCount = positional;
      for (Map.Entry<String, Argument> e : named.entrySet()) {
        boolean known = family.parameterisations().stream().anyMatch(ps -> indexOf(ps, e.getKey()) >= 0);
        if (!known) {
          diagnostics.report(CheckErrors.unknownArgumentName(e.getValue().name().get().span(), familyName, e.getKey(),
              family.describeSignatures()));
          return null;
        }
        boolean takenByPosition = family.parameterisations().stream()
            .anyMatch(ps -> indexOf(ps, e.getKey()) >= 0 && indexOf(ps, e.getKey()) < positionalCount);
        if (takenByPosition) {
          diagnostics.report(CheckErrors.duplicateArgument(e.getValue().name().get().span(), e.getKey()));
          return null;
        }
      }
      diagnostics.report(CheckErrors.inconsistentArgumentNames(call.span(), familyName, family.describeSignatures()));
      return null;
    }
    List<Parameter> parameters = family.parameterisations().get(chosen);
    List<Ex> bound = new ArrayList<>();
    List<Argument> boundArguments = new ArrayList<>();
    int owner = ownerVariable(variableName);
    boolean ok = true;
    for (int i = 0; i < parameters.size(); i++) {
      Parameter parameter = parameters.get(i);
      Argument argument = i < positional ? arguments.get(i) : named.get(parameter.name());
      Shape paramShape = parameter.vectorRank() > 0 && family.valueRank() == 0 && categories.containsKey(owner)
          ? valueShape.append(categories.get(owner)) : valueShape;
      Context context = new Context(side, plate, owner, variableName, parameter.name(), true, paramShape);
      Ex value = check(argument.value(), context);
      ok &= value != null;
      bound.add(value);
      boundArguments.add(argument);
    }
    if (!ok) {
      return null;
    }
    if (!verifyArgumentShapes(family, parameters, bound, boundArguments, valueShape, variableName, call)) {
      return null;
    }
    if (!verifyConstants(family, parameters, bound, boundArguments)) {
      return null;
    }
    if (side == Side.GUIDE && !verifyQem(family, chosen, bound, call)) {
      return null;
    }
    if (family == Distribution.MULTIVARIATE_NORMAL) {
      return multivariateNormal(chosen, bound, boundArguments.get(1), call.span(), side);
    }
    return new DistIr(family, chosen, bound, call.span());
  }

  /**
   * A MultivariateNormal in its internal form: location, Cholesky factor, its inverse and its log determinant, the
   * last three inputs the model computes from the matrix given (which must be data: an input or a constant).
   */
  private DistIr multivariateNormal(int chosen, List<Ex> bound, Argument matrixArgument, SourceSpan span, Side side) {
    Ex matrix = bound.get(1);
    ModelChecker.Decl read = firstNonInput(matrix);
    if (read != null) {
      diagnostics.report(CheckErrors.matrixReads(matrixArgument.span(), (read.kind == ModelChecker.Decl.Kind.LATENT
          ? "the latent '" : "the observed variable '") + read.name + "'"));
      return null;
    }
    if (!ExWalker.params(matrix).isEmpty() || side == Side.GUIDE) {
      diagnostics.report(CheckErrors.matrixReads(matrixArgument.span(), side == Side.GUIDE ? "a proposal"
          : "a parameter"));
      return null;
    }
    String text = AstPrinter.expression(matrixArgument.value());
    Ex scaleTril = chosen == 0 ? computedMatrix(TransformIr.Kind.CHOLESKY, matrix, "cholesky(" + text + ")",
        matrixArgument.span()) : computedMatrix(TransformIr.Kind.LOWER_TRIANGULAR, matrix, text,
        matrixArgument.span());
    Ex inverse = computedMatrix(TransformIr.Kind.INVERSE_TRIANGULAR, scaleTril, "inverse of the Cholesky factor of "
        + text, matrixArgument.span());
    Ex logDet = computedMatrix(TransformIr.Kind.LOG_DET_TRIANGULAR, scaleTril, "log determinant of the Cholesky"
        + " factor of " + text, matrixArgument.span());
    return new DistIr(Distribution.MULTIVARIATE_NORMAL, 2, List.of(bound.get(0), scaleTril, inverse, logDet), span);
  }

  /** A matrix function of data ({@link TransformIr}), computed per element of the plate its source lives in. */
  private Ex computedMatrix(TransformIr.Kind kind, Ex source, String text, SourceSpan span) {
    // the order of the matrix travels in the lag's place
    return transformInput(kind, source, source.shape().last(), Double.NaN, innermostPlate(source), 0, text, span, null,
        null);
  }

  private int ownerVariable(String variableName) {
    ModelChecker.Decl d = modelNames.get(variableName);
    return d == null ? -1 : d.variable;
  }

  private static int indexOf(List<Parameter> ps, String name) {
    for (int i = 0; i < ps.size(); i++) {
      if (ps.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private boolean verifyArgumentShapes(Distribution family, List<Parameter> parameters, List<Ex> bound,
      List<Argument> arguments, Shape valueShape, String variable, Call call) {
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      Shape s = bound.get(i).shape();
      SourceSpan at = arguments.get(i).span();
      if (p.vectorRank() == 1 && s.rank() == 0) {
        diagnostics.report(CheckErrors.needsVectorArgument(at, family.alanName(), p.name()));
        return false;
      }
      switch (family) {
        case DIRICHLET -> {
          if (valueShape.rank() == 0) {
            diagnostics.report(CheckErrors.needsVectorVariable(call.span(), variable, family.alanName()));
            return false;
          }
          if (!s.broadcastsTo(valueShape) || s.last() != valueShape.last()) {
            diagnostics.report(CheckErrors.dirichletShape(at, variable, valueShape, s));
            return false;
          }
        }
        case MULTINOMIAL -> {
          if (valueShape.rank() == 0) {
            diagnostics.report(CheckErrors.needsVectorVariable(call.span(), variable, family.alanName()));
            return false;
          }
          boolean fits = p.vectorRank() == 1 ? s.broadcastsTo(valueShape) && s.last() == valueShape.last()
              : s.broadcastsTo(valueShape.dropLast());
          if (!fits) {
            diagnostics.report(CheckErrors.dirichletShape(at, variable, valueShape, s));
            return false;
          }
        }
        case MULTIVARIATE_NORMAL -> {
          if (valueShape.rank() != 1) {
            diagnostics.report(CheckErrors.multivariateNormalShape(call.span(), variable, valueShape));
            return false;
          }
          int k = valueShape.last();
          boolean fits = p.vectorRank() == 2 ? s.equals(Shape.of(k, k)) : s.broadcastsTo(valueShape);
          if (!fits && p.vectorRank() == 2) {
            diagnostics.report(CheckErrors.matrixShape(at, variable, k, p.name(), s));
            return false;
          }
          if (!fits) {
            diagnostics.report(CheckErrors.argumentShapeMismatch(at, variable, valueShape, p.name(), s));
            return false;
          }
        }
        case CATEGORICAL -> {
          if (!s.dropLast().broadcastsTo(valueShape)) {
            diagnostics.report(CheckErrors.categoricalShape(at, variable, valueShape, s));
            return false;
          }
        }
        default -> {
          if (!s.broadcastsTo(valueShape)) {
            diagnostics.report(CheckErrors.argumentShapeMismatch(at, variable, valueShape, p.name(), s));
            return false;
          }
        }
      }
    }
    return true;
  }

  private boolean verifyConstants(Distribution family, List<Parameter> parameters, List<Ex> bound,
      List<Argument> arguments) {
    for (int i = 0; i < parameters.size(); i++) {
      double v;
      if (bound.get(i) instanceof Ex.Const c) {
        v = c.value();
      } else if (bound.get(i) instanceof Ex.ParamRef r) {
        v = params.get(r.param()).init(); // a learned parameter starts at its initial value, which must be valid
      } else {
        continue;
      }
      Parameter p = parameters.get(i);
      if (!p.constraint().allowsParameter(v)) {
        diagnostics.report(CheckErrors.constantOutOfRange(arguments.get(i).span(), family.alanName(), p.name(), v,
            p.constraint().parameterDescription()));
        return false;
      }
    }
    if (family == Distribution.UNIFORM && bound.get(0) instanceof Ex.Const lo && bound.get(1) instanceof Ex.Const hi
        && !(lo.value() < hi.value())) {
      diagnostics.report(CheckErrors.constantOutOfRange(arguments.get(1).span(), family.alanName(), "high",
          hi.value(), "greater than low (" + CheckErrors.formatNumber(lo.value()) + ")"));
      return false;
    }
    return true;
  }

  private boolean verifyQem(Distribution family, int parameterisation, List<Ex> bound, Call call) {
    int qem = 0;
    int fitted = 0;
    for (int i = 0; i < bound.size(); i++) {
      if (isQem(bound.get(i))) {
        qem++;
      }
      if (family.qemFits(i)) {
        fitted++;
      }
    }
    if (qem == 0) {
      return true;
    }
    if (qem != fitted || (!family.qemFits(0) && isQem(bound.get(0)))) {
      diagnostics.report(CheckErrors.qemAllOrNothing(call.span(), family.alanName()));
      return false;
    }
    if (!family.supportsQem(parameterisation)) {
      diagnostics.report(CheckErrors.qemUnsupported(call.span(), family.alanName()));
      return false;
    }
    if (family == Distribution.BINOMIAL && !(bound.get(0) instanceof Ex.Const)
        && !(bound.get(0) instanceof Ex.VarRef r && (isComputedInput(r.variable())
            || variables.get(r.variable()).kind == ModelChecker.Decl.Kind.INPUT))) {
      // QEM divides the expected count by the total count, which it reads as the support's bound
      diagnostics.report(CheckErrors.qemBinomialTotalCount(call.arguments().get(0).span()));
      return false;
    }
    return true;
  }

  private boolean isQem(Ex e) {
    return e instanceof Ex.ParamRef p && params.get(p.param()).kind() == GuideParameter.QEM;
  }

  /**
   * Nodes a let binding may expand to once the bindings it reads are substituted: far beyond any model written by
   * hand, and below the sizes at which later passes and javac take minutes.
   */
  static final long MAX_LET_OPERATIONS = 20_000;

  /** Checks every let binding of a model or guide, used or not, so that errors in unused ones are reported too. */
  void checkLets(java.util.Collection<ModelChecker.Decl> decls) {
    for (ModelChecker.Decl d : decls) {
      if (d.kind == ModelChecker.Decl.Kind.LET || d.kind == ModelChecker.Decl.Kind.GUIDE_LET) {
        letValue(d, d.span);
      }
    }
  }

  /** The checked value of a let binding that {@link #checkLets} checked without errors. */
  Ex checkedLet(String name) {
    Ex value = letValues.get(name);
    if (value == null) {
      throw new IllegalStateException("let '" + name + "' was not checked");
    }
    return value;
  }

  /** Checks a let binding's value once; later uses share the result. */
  private Ex letValue(ModelChecker.Decl let, SourceSpan useSpan) {
    Ex cached = letValues.get(let.name);
    if (cached != null) {
      return cached;
    }
    if (failedLets.contains(let.name)) {
      return null;
    }
    int at = letsInProgress.indexOf(let.name);
    if (at >= 0) {
      List<String> path = new ArrayList<>(letsInProgress.subList(at, letsInProgress.size()));
      path.add(let.name);
      diagnostics.report(CheckErrors.letCycle(useSpan, path));
      failedLets.addAll(path);
      return null;
    }
    letsInProgress.add(let.name);
    Side side = let.kind == ModelChecker.Decl.Kind.GUIDE_LET ? Side.GUIDE : Side.MODEL;
    Ex value = check(((LetStmt) let.statement).value(), new Context(side, let.plate, -1, let.name, "", false, Shape.SCALAR));
    letsInProgress.remove(letsInProgress.size() - 1);
    if (value != null) {
      long operations = org.alan.compiler.ir.ExWalker.treeSize(value);
      if (operations > MAX_LET_OPERATIONS) {
        diagnostics.report(CheckErrors.letTooLarge(let.span, let.name, operations, MAX_LET_OPERATIONS));
        value = null;
      }
    }
    if (value == null) {
      failedLets.add(let.name);
    } else {
      letValues.put(let.name, value);
    }
    return value;
  }

  private Ex check(Expr e, Context context) {
    if (e instanceof NumberLit n) {
      return Exprs.constant(n.value());
    } else if (e instanceof NameRef n) {
      return resolve(n, context, false);
    } else if (e instanceof Index i) {
      return index(i, context);
    } else if (e instanceof Unary u) {
      Ex operand = check(u.operand(), context.nested());
      return operand == null ? null : Exprs.neg(operand);
    } else if (e instanceof Binary b) {
      return binary(b, context);
    } else if (e instanceof Call c) {
      return call(c, context);
    } else if (e instanceof VectorLit v) {
      return vectorLiteral(v);
    } else if (e instanceof Slice sl) {
      return slice(sl, context);
    }
    throw new IllegalArgumentException(e.getClass().getName());
  }

  /**
   * {@code dist T[lower, upper]}: the distribution truncated to the bounds, which must be numbers or inputs; a
   * left-out bound is the family's own end of the line (-inf, or 0 for a positive family; +inf).
   */
  DistIr truncate(DistIr d, org.alan.compiler.ast.Truncation t, int plate, Shape valueShape, String variableName) {
    SourceSpan at = t.span();
    if (!t.marker().text().equals("T")) {
      diagnostics.report(CheckErrors.truncationMarker(t.marker().span(), t.marker().text()));
      return null;
    }
    if (!org.alan.compiler.ir.Densities.truncatable(d.family())) {
      diagnostics.report(CheckErrors.notTruncatable(at, d.family().alanName()));
      return null;
    }
    if (t.lower().isEmpty() && t.upper().isEmpty()) {
      diagnostics.report(CheckErrors.truncationWithoutBounds(at));
      return null;
    }
    double lineStart = d.family().support() == org.alan.stdlib.SupportKind.REAL ? Double.NEGATIVE_INFINITY : 0;
    Ex lower = t.lower().isPresent() ? bound(t.lower().get(), plate, valueShape, variableName)
        : Exprs.constant(lineStart);
    Ex upper = t.upper().isPresent() ? bound(t.upper().get(), plate, valueShape, variableName)
        : Exprs.constant(Double.POSITIVE_INFINITY);
    if (lower == null || upper == null) {
      return null;
    }
    if (lower instanceof Ex.Const lo && lo.value() < lineStart) {
      lower = Exprs.constant(lineStart); // a positive family has no values below 0 to keep
    }
    if (lower instanceof Ex.Const lo && upper instanceof Ex.Const hi && !(lo.value() < hi.value())) {
      diagnostics.report(CheckErrors.truncationEmpty(at, lo.value(), hi.value()));
      return null;
    }
    return new DistIr(d.family(), d.parameterisation(), d.arguments(), d.span(), lower, upper);
  }

  private Ex bound(Expr e, int plate, Shape valueShape, String variableName) {
    Ex value = check(e, new Context(Side.MODEL, plate, ownerVariable(variableName), variableName, "bound", false,
        valueShape));
    if (value == null) {
      return null;
    }
    ModelChecker.Decl read = firstNonInput(value);
    if (read != null) {
      diagnostics.report(CheckErrors.truncationBoundReads(e.span(), read.name,
          read.kind == ModelChecker.Decl.Kind.LATENT ? "the latent" : "the observed variable"));
      return null;
    }
    if (!ExWalker.params(value).isEmpty() || !value.shape().broadcastsTo(valueShape)) {
      diagnostics.report(CheckErrors.argumentShapeMismatch(e.span(), variableName, valueShape, "bound",
          value.shape()));
      return null;
    }
    return value;
  }

  /** {@code [1, 2, 3]}: a constant vector, held as a top-level input the model fills in itself. */
  private Ex vectorLiteral(VectorLit v) {
    double[] values = new double[v.elements().size()];
    for (int i = 0; i < values.length; i++) {
      Double x = literalValue(v.elements().get(i));
      if (x == null) {
        diagnostics.report(CheckErrors.vectorLiteralElement(v.elements().get(i).span(),
            AstPrinter.expression(v.elements().get(i))));
        return null;
      }
      values[i] = x;
    }
    return constant(values, Shape.of(values.length), AstPrinter.expression(v), v.span());
  }

  /**
   * {@code x[2:4]} (from 1, both ends included, as in Stan; {@code x[:3]}, {@code x[2:]}): the coordinates of a
   * vector, as the product with a constant 0/1 selection matrix (exact, and differentiable as any product is).
   */
  private Ex slice(Slice s, Context context) {
    Ex vector = vectorOperand(s.base(), context);
    if (vector == null) {
      return null;
    }
    String text = AstPrinter.expression(s.base());
    int length = vector.shape().last();
    Integer from = s.lower().isPresent() ? sliceEnd(s.lower().get(), text, length) : Integer.valueOf(1);
    Integer to = s.upper().isPresent() ? sliceEnd(s.upper().get(), text, length) : Integer.valueOf(length);
    if (from == null || to == null) {
      return null;
    }
    if (from > to) {
      diagnostics.report(CheckErrors.emptySlice(s.span(), text, from, to));
      return null;
    }
    int n = to - from + 1;
    double[] selection = new double[n * length];
    for (int i = 0; i < n; i++) {
      selection[i * length + from - 1 + i] = 1;
    }
    Ex select = constant(selection, Shape.of(n, length), "rows " + from + " to " + to + " of a " + length
        + "-vector", s.span());
    return Exprs.reduce(ReduceOp.SUM, Exprs.mul(select, vector), 1);
  }

  private Integer sliceEnd(Expr e, String vector, int length) {
    Double v = literalValue(e);
    if (v == null || v != Math.rint(v) || v < 1 || v > length) {
      diagnostics.report(CheckErrors.elementOutOfRange(e.span(), vector, v == null ? Double.NaN : v, length));
      return null;
    }
    return v.intValue();
  }

  /** A constant, held as a top-level input the model fills in itself (one per distinct value). */
  private Ex constant(double[] values, Shape shape, String text, SourceSpan span) {
    return transformInput(TransformIr.Kind.CONSTANT, null, 0, Double.NaN, PlateIr.TOP, 0, text, span, values, shape);
  }

  /**
   * {@code alpha[county]}: the variable {@code alpha} of the plate that index input {@code county} (of a plate
   * enclosing the use) points into, at the element the current row names. The engine nests the rows in that
   * plate, so the value is simply the variable's at the enclosing element.
   */
  private Ex index(Index ix, Context context) {
    if (ix.index() instanceof NumberLit n) {
      return element(ix, n, context);
    }
    ModelChecker.Decl index = ix.index() instanceof NameRef i ? lookup(i.name()) : null;
    if (index != null && index.indexInto == ModelChecker.Decl.REPORTED_INDEX) {
      return null; // a second, crossed index: reported with the plate
    }
    if (index == null || index.indexInto < 0 || !encloses(index.plate, context.plate())) {
      diagnostics.report(CheckErrors.notAnIndex(ix.index().span(), AstPrinter.expression(ix.index())));
      return null;
    }
    if (!(ix.base() instanceof NameRef base)) {
      diagnostics.report(CheckErrors.notAnIndex(ix.index().span(), AstPrinter.expression(ix.index())));
      return null;
    }
    ModelChecker.Decl d = lookup(base.name());
    if (d != null && d.kind != ModelChecker.Decl.Kind.PLATE && d.kind != ModelChecker.Decl.Kind.GROUP
        && d.plate != index.indexInto) {
      diagnostics.report(CheckErrors.indexOfWrongPlate(base.span(), base.name(), plateName(d.plate), index.name,
          plates.get(index.indexInto).name()));
      return null;
    }
    return resolve(base, context, true);
  }

  /** What an element access or a slice reads: a vector, or null after saying why not. */
  private Ex vectorOperand(Expr base, Context context) {
    Ex vector = check(base, context.nested());
    if (vector == null) {
      return null;
    }
    String text = AstPrinter.expression(base);
    if (vector.shape().rank() == 0) {
      diagnostics.report(CheckErrors.elementOfScalar(base.span(), text));
      return null;
    }
    if (vector.shape().rank() > 1) {
      diagnostics.report(CheckErrors.elementOfMatrix(base.span(), text, vector.shape()));
      return null;
    }
    return vector;
  }

  /** {@code beta[2]}: coordinate 2, counted from 1 as in Stan, of a vector. */
  private Ex element(Index ix, NumberLit n, Context context) {
    Ex vector = vectorOperand(ix.base(), context);
    if (vector == null) {
      return null;
    }
    String text = AstPrinter.expression(ix.base());
    int length = vector.shape().last();
    if (n.value() != Math.rint(n.value()) || n.value() < 1 || n.value() > length) {
      diagnostics.report(CheckErrors.elementOutOfRange(n.span(), text, n.value(), length));
      return null;
    }
    return Exprs.select(vector, Exprs.constant(n.value() - 1));
  }

  private ModelChecker.Decl lookup(String name) {
    ModelChecker.Decl d = guideNames.get(name);
    return d != null ? d : modelNames.get(name);
  }

  private String plateName(int plate) {
    return plate == PlateIr.TOP ? "the top level" : "plate '" + plates.get(plate).name() + "'";
  }

  /**
   * The plate grouped by an index input into {@code target} that lies between a use in {@code plate} and the
   * declaration: a variable of {@code target} must then be read through the index. -1 when there is none.
   */
  private int groupedInto(int target, int plate) {
    for (int p = plate; p >= 0 && p != target; p = plates.get(p).parent()) {
      if (plates.get(p).grouped() && !plates.get(p).ragged() && plates.get(p).parent() == target) {
        return p;
      }
    }
    return -1;
  }

  private Ex resolve(NameRef n, Context context, boolean indexed) {
    ModelChecker.Decl d = lookup(n.name());
    if (d == null || d.kind == ModelChecker.Decl.Kind.PLATE || d.kind == ModelChecker.Decl.Kind.GROUP) {
      diagnostics.report(CheckErrors.unknownName(n.span(), n.name(), visibleNames(context.plate())));
      return null;
    }
    if (!encloses(d.plate, context.plate())) {
      String usePlace = context.plate() == PlateIr.TOP ? "at the top level"
          : "in plate '" + plates.get(context.plate()).name() + "'";
      diagnostics.report(CheckErrors.outsideItsPlate(n.span(), n.name(), plates.get(d.plate).name(), usePlace));
      return null;
    }
    if (d.indexInto >= 0) {
      diagnostics.report(CheckErrors.indexUsedAsValue(n.span(), n.name(), plates.get(d.indexInto).name()));
      return null;
    }
    int grouped = groupedInto(d.plate, context.plate());
    if (grouped >= 0 && !indexed) {
      String index = variables.get(plates.get(grouped).indexInput()).name;
      diagnostics.report(CheckErrors.needsIndex(n.span(), n.name(), plates.get(d.plate).name(),
          plates.get(grouped).name(), index));
      return null;
    }
    if (d.kind == ModelChecker.Decl.Kind.LET || d.kind == ModelChecker.Decl.Kind.GUIDE_LET) {
      return letValue(d, n.span());
    }
    if (d.kind == ModelChecker.Decl.Kind.PARAM) {
      if (context.side() == Side.GUIDE) {
        // the guide's gradient steps (RWS's wake phase) and the model's (ascent on the bound) differ in sign
        diagnostics.report(CheckErrors.modelParameterInGuide(n.span(), n.name()));
        return null;
      }
      return d.param < 0 ? null : new Ex.ParamRef(d.param, params.get(d.param).shape());
    }
    return new Ex.VarRef(d.variable, shapes.get(d.variable));
  }

  private boolean encloses(int ancestor, int plate) {
    for (int p = plate; p >= 0; p = plates.get(p).parent()) {
      if (p == ancestor) {
        return true;
      }
    }
    return false;
  }

  private List<String> visibleNames(int plate) {
    List<String> out = new ArrayList<>();
    for (Map<String, ModelChecker.Decl> scope : List.of(modelNames, guideNames)) {
      for (ModelChecker.Decl d : scope.values()) {
        if (d.kind != ModelChecker.Decl.Kind.PLATE && d.kind != ModelChecker.Decl.Kind.GROUP
            && encloses(d.plate, plate)) {
          out.add(d.name);
        }
      }
    }
    return out;
  }

  private Ex binary(Binary b, Context context) {
    Ex left = check(b.left(), context.nested());
    Ex right = check(b.right(), context.nested());
    if (left == null || right == null) {
      return null;
    }
    if (Shape.broadcast(left.shape(), right.shape()).isEmpty()) {
      diagnostics.report(CheckErrors.shapeMismatch(b.span(), "'" + b.op().symbol() + "'", left.shape(),
          right.shape()));
      return null;
    }
    BinaryOp op = switch (b.op()) {
      case ADD -> BinaryOp.ADD;
      case SUB -> BinaryOp.SUB;
      case MUL -> BinaryOp.MUL;
      case DIV -> BinaryOp.DIV;
      case POW -> BinaryOp.POW;
      case LT, LE, GT, GE, EQ, NE -> null;
    };
    return op != null ? Exprs.binary(op, left, right) : comparison(b.op(), left, right);
  }

  /**
   * A comparison as 1 where it holds and 0 elsewhere, written with the step exp(log_step(x)) (1 for x >= 0, else 0),
   * which every backend already evaluates and differentiates (its derivative is 0).
   */
  private static Ex comparison(Binary.Op op, Ex a, Ex b) {
    return switch (op) {
      case GE -> step(Exprs.sub(a, b));
      case LE -> step(Exprs.sub(b, a));
      case GT -> Exprs.sub(Exprs.constant(1), step(Exprs.sub(b, a)));
      case LT -> Exprs.sub(Exprs.constant(1), step(Exprs.sub(a, b)));
      case EQ -> Exprs.mul(step(Exprs.sub(a, b)), step(Exprs.sub(b, a)));
      case NE -> Exprs.sub(Exprs.constant(1), Exprs.mul(step(Exprs.sub(a, b)), step(Exprs.sub(b, a))));
      default -> throw new IllegalArgumentException("not a comparison: " + op);
    };
  }

  private static Ex step(Ex x) {
    return Exprs.unary(UnaryOp.EXP, Exprs.unary(UnaryOp.LOG_STEP, x));
  }

  private Ex call(Call c, Context context) {
    String name = c.function().text();
    Optional<GuideParameter> marker = GuideParameter.byName(name);
    if (marker.isPresent()) {
      return guideParameter(c, marker.get(), context);
    }
    Optional<StanFamily.Call> density = StanFamily.byFunctionName(name);
    if (density.isPresent()) {
      return stanDensity(c, density.get(), context);
    }
    if (c.bar() != Call.NO_BAR) {
      diagnostics.report(CheckErrors.barOutsideDensity(c.span(), name));
      return null;
    }
    Optional<Function> fn = Function.byName(name);
    if (fn.isEmpty()) {
      if (Distribution.byName(name).isPresent()) {
        diagnostics.report(CheckErrors.distributionAsFunction(c.function().span(), name));
      } else {
        List<String> known = new ArrayList<>(Arrays.stream(Function.values()).map(Function::alanName).toList());
        if (context.side() == Side.GUIDE) {
          known.add("qem");
          known.add("learn");
        }
        diagnostics.report(CheckErrors.unknownFunction(c.function().span(), name, known));
      }
      return null;
    }
    Function f = fn.get();
    List<Argument> args = c.arguments();
    if (f.isPlateTransform() && args.size() >= f.minArity() && args.size() <= f.maxArity()
        && args.stream().allMatch(a -> a.name().isEmpty())) {
      return plateTransform(c, f, context);
    }
    for (Argument a : args) {
      if (a.name().isPresent()) {
        diagnostics.report(CheckErrors.namedFunctionArgument(a.span(), name));
        return null;
      }
    }
    if (args.size() < f.minArity() || args.size() > f.maxArity()) {
      diagnostics.report(CheckErrors.wrongFunctionArgumentCount(c.span(), name, f.minArity(), f.maxArity(),
          args.size()));
      return null;
    }
    List<Ex> values = new ArrayList<>();
    for (Argument a : args) {
      Ex v = check(a.value(), context.nested());
      if (v == null) {
        return null;
      }
      values.add(v);
    }
    for (int i = 1; i < values.size(); i++) {
      if (Shape.broadcast(values.get(0).shape(), values.get(i).shape()).isEmpty()) {
        diagnostics.report(CheckErrors.shapeMismatch(c.span(), "'" + name + "'", values.get(0).shape(),
            values.get(i).shape()));
        return null;
      }
    }
    Ex a = values.get(0);
    return switch (f) {
      case EXP -> Exprs.unary(UnaryOp.EXP, a);
      case LOG -> Exprs.unary(UnaryOp.LOG, a);
      case LOG1P -> Exprs.unary(UnaryOp.LOG1P, a);
      case EXPM1 -> Exprs.unary(UnaryOp.EXPM1, a);
      case SQRT -> Exprs.unary(UnaryOp.SQRT, a);
      case ABS -> Exprs.unary(UnaryOp.ABS, a);
      case SIGMOID -> Exprs.unary(UnaryOp.SIGMOID, a);
      case SOFTPLUS -> Exprs.unary(UnaryOp.SOFTPLUS, a);
      case POW -> Exprs.binary(BinaryOp.POW, a, values.get(1));
      case DOT -> {
        Ex product = Exprs.mul(a, values.get(1));
        yield product.shape().rank() == 0 ? product : Exprs.reduce(ReduceOp.SUM, product, 1);
      }
      case SUM -> Exprs.reduce(ReduceOp.SUM, a, a.shape().rank());
      case MIN -> values.size() == 2 ? Exprs.binary(BinaryOp.MIN, a, values.get(1))
          : Exprs.reduce(ReduceOp.MIN, a, a.shape().rank());
      case MAX -> values.size() == 2 ? Exprs.binary(BinaryOp.MAX, a, values.get(1))
          : Exprs.reduce(ReduceOp.MAX, a, a.shape().rank());
      // Stan's names, as compositions of the operations above
      case INV_LOGIT -> Exprs.unary(UnaryOp.SIGMOID, a);
      case LOG_INV_LOGIT -> Exprs.neg(Exprs.unary(UnaryOp.SOFTPLUS, Exprs.neg(a)));
      case LOG1M_INV_LOGIT -> Exprs.neg(Exprs.unary(UnaryOp.SOFTPLUS, a));
      case LOGIT -> Exprs.binary(BinaryOp.SUB, Exprs.unary(UnaryOp.LOG, a),
          Exprs.unary(UnaryOp.LOG1P, Exprs.neg(a)));
      case SQUARE -> Exprs.mul(a, a);
      case INV -> Exprs.binary(BinaryOp.DIV, Exprs.constant(1), a);
      case FMA -> Exprs.add(Exprs.mul(a, values.get(1)), values.get(2));
      // c * a + (1 - c) * b is exactly a or b for a 0/1 condition and finite branches
      case IF_ELSE -> Exprs.add(Exprs.mul(a, values.get(1)),
          Exprs.mul(Exprs.sub(Exprs.constant(1), a), values.get(2)));
      case LAG, CUMSUM -> throw new org.alan.compiler.diag.InternalCompilerError(name + " reached the elementwise"
          + " functions; plateTransform checks it");
      case PHI -> Exprs.unary(UnaryOp.PHI, a);
      case PHI_APPROX -> Exprs.unary(UnaryOp.SIGMOID, Exprs.add(Exprs.mul(Exprs.constant(0.07056),
          Exprs.mul(a, Exprs.mul(a, a))), Exprs.mul(Exprs.constant(1.5976), a)));
      case LOG_SUM_EXP -> logSumExp(a, values.get(1));
      case LOG1M -> Exprs.unary(UnaryOp.LOG1P, Exprs.neg(a));
      case LOG10 -> Exprs.mul(Exprs.unary(UnaryOp.LOG, a), Exprs.constant(1 / Math.log(10)));
      case LOG2 -> Exprs.mul(Exprs.unary(UnaryOp.LOG, a), Exprs.constant(1 / Math.log(2)));
      case LOG_MIX -> logSumExp(Exprs.add(Exprs.unary(UnaryOp.LOG, a), values.get(1)),
          Exprs.add(Exprs.unary(UnaryOp.LOG1P, Exprs.neg(a)), values.get(2)));
    };
  }

  /** max(x, y) + log1p(exp(-|x - y|)): no overflow, and exact when one term dominates. */
  private static Ex logSumExp(Ex a, Ex b) {
    return Exprs.add(Exprs.binary(BinaryOp.MAX, a, b), Exprs.unary(UnaryOp.LOG1P,
        Exprs.unary(UnaryOp.EXP, Exprs.neg(Exprs.unary(UnaryOp.ABS, Exprs.binary(BinaryOp.SUB, a, b))))));
  }

  /**
   * Stan's density functions, {@code normal_lpdf(y | mu, sigma)}: the log density (or log CDF, log complementary
   * CDF) of the variate, summed over its shape, under the family Stan names, its arguments in Stan's order.
   */
  private Ex stanDensity(Call c, StanFamily.Call f, Context context) {
    String name = c.function().text();
    List<Argument> args = c.arguments();
    int arity = f.family().arity();
    if (c.bar() != Call.NO_BAR && c.bar() != 1) {
      diagnostics.report(CheckErrors.densityBar(c.span(), name));
      return null;
    }
    if (args.size() != arity + 1) {
      diagnostics.report(CheckErrors.wrongFunctionArgumentCount(c.span(), name, arity + 1, arity + 1, args.size()));
      return null;
    }
    for (Argument a : args) {
      if (a.name().isPresent()) {
        diagnostics.report(CheckErrors.namedFunctionArgument(a.span(), name));
        return null;
      }
    }
    Ex x = check(args.get(0).value(), context.nested());
    if (x == null) {
      return null;
    }
    Distribution family = f.family().distribution();
    int parameterisation = f.family().parameterisation();
    List<Ex> bound = new ArrayList<>();
    List<Argument> boundArguments = new ArrayList<>();
    if (f.family() == StanFamily.MULTINOMIAL) {
      // Stan's multinomial counts n = sum(y) draws
      bound.add(Exprs.reduce(ReduceOp.SUM, x, 1));
      boundArguments.add(args.get(0));
    }
    for (int i = 1; i < args.size(); i++) {
      Ex v = check(args.get(i).value(), context.nested());
      if (v == null) {
        return null;
      }
      bound.add(f.family() == StanFamily.POISSON_LOG ? Exprs.unary(UnaryOp.EXP, v) : v);
      boundArguments.add(args.get(i));
    }
    List<Parameter> parameters = family.parameterisations().get(parameterisation);
    if (!verifyArgumentShapes(family, parameters, bound, boundArguments, x.shape(), name, c)
        || !verifyConstants(family, parameters, bound, boundArguments)) {
      return null;
    }
    DistIr dist = family == Distribution.MULTIVARIATE_NORMAL
        ? multivariateNormal(parameterisation, bound, boundArguments.get(1), c.span(), context.side())
        : new DistIr(family, parameterisation, bound, c.span());
    if (dist == null) {
      return null;
    }
    if (f.function() == StanFamily.Function.LOG_DENSITY) {
      return org.alan.compiler.ir.Densities.logDensity(dist, x, x.shape());
    }
    if (!org.alan.compiler.ir.Densities.truncatable(family)) {
      diagnostics.report(CheckErrors.noCdf(c.function().span(), name, family.alanName()));
      return null;
    }
    return org.alan.compiler.ir.Densities.logTail(dist, x, x.shape(), f.function() == StanFamily.Function.LOG_CCDF);
  }

  /** A {@code target += value;} term at one element of {@code plate}: a scalar or array, summed by the factor. */
  Ex checkTarget(org.alan.compiler.ast.TargetStmt t, int plate) {
    if (!t.name().text().equals("target")) {
      diagnostics.report(CheckErrors.incrementNotTarget(t.name().span(), t.name().text()));
      return null;
    }
    return check(t.value(), new Context(Side.MODEL, plate, -1, "target", "target", false, Shape.of()));
  }

  /**
   * {@code lag(x, k[, init])} or {@code cumsum(x)}: checks that x reads inputs and observed data only, and returns
   * the hidden input that holds the result (the same one for the same call written twice).
   */
  private Ex plateTransform(Call c, Function f, Context context) {
    String text = AstPrinter.expression(c);
    if (context.side() == Side.GUIDE) {
      diagnostics.report(CheckErrors.transformInGuide(c.span(), f.alanName()));
      return null;
    }
    Ex source = check(c.arguments().get(0).value(), context.nested());
    if (source == null) {
      return null;
    }
    if (!ExWalker.params(source).isEmpty()) {
      diagnostics.report(CheckErrors.transformReadsLatent(c.arguments().get(0).span(), f.alanName(),
          AstPrinter.expression(c.arguments().get(0).value()), "a model parameter"));
      return null;
    }
    int missing = 0;
    String missingFrom = null;
    for (int v : ExWalker.variables(source)) {
      if (isComputedInput(v)) {
        TransformIr inner = transformOf(v);
        if (inner.missing() > missing) {
          missing = inner.missing();
          missingFrom = inner.text();
        }
      } else if (variables.get(v).kind == ModelChecker.Decl.Kind.LATENT) {
        diagnostics.report(CheckErrors.transformReadsLatent(c.arguments().get(0).span(), f.alanName(),
            variables.get(v).name, "a latent"));
        return null;
      }
    }
    int plate = innermostPlate(source);
    if (plate == PlateIr.TOP) {
      diagnostics.report(CheckErrors.transformNeedsPlate(c.span(), text));
      return null;
    }
    int lag = 0;
    double init = Double.NaN;
    if (f == Function.LAG) {
      Double k = literalValue(c.arguments().get(1).value());
      if (k == null || k != Math.rint(k) || k < 1 || k > 1e6) {
        diagnostics.report(CheckErrors.transformBadLag(c.arguments().get(1).span(),
            AstPrinter.expression(c.arguments().get(1).value())));
        return null;
      }
      lag = k.intValue();
      if (c.arguments().size() == 3) {
        Double given = literalValue(c.arguments().get(2).value());
        if (given == null) {
          diagnostics.report(CheckErrors.transformBadInit(c.arguments().get(2).span(),
              AstPrinter.expression(c.arguments().get(2).value())));
          return null;
        }
        init = given;
      }
    } else if (missing > 0) {
      diagnostics.report(CheckErrors.cumsumOfMissing(c.span(), text, missingFrom));
      return null;
    }
    // a lag without init leaves its first k elements empty; one with init only those its source left empty, k later
    int leaves = f == Function.CUMSUM ? 0 : Double.isNaN(init) || missing > 0 ? missing + lag : 0;
    TransformIr.Kind kind = f == Function.LAG ? TransformIr.Kind.LAG : TransformIr.Kind.CUMSUM;
    return transformInput(kind, source, lag, init, plate, leaves, text, c.span(), null, null);
  }

  private Ex guideParameter(Call c, GuideParameter kind, Context context) {
    String marker = kind.alanName();
    if (context.side() != Side.GUIDE) {
      diagnostics.report(CheckErrors.guideParameterInModel(c.span(), marker));
      return null;
    }
    Double init = c.arguments().size() == 1 && c.arguments().get(0).name().isEmpty()
        ? literalValue(c.arguments().get(0).value()) : null;
    if (init == null) {
      diagnostics.report(CheckErrors.guideParameterInit(c.span(), marker));
      return null;
    }
    if (kind == GuideParameter.QEM && !context.wholeArgument()) {
      diagnostics.report(CheckErrors.qemNotWholeArgument(c.span()));
      return null;
    }
    if (context.variable() < 0) {
      // a let binding in the guide: the parameter has no variable to take its plates and shape from
      diagnostics.report(CheckErrors.guideParameterInLet(c.span(), marker));
      return null;
    }
    int id = params.size();
    String base = context.variableName() + "_" + context.parameterName();
    String name = base;
    for (int i = 2; nameTaken(name); i++) {
      name = base + "_" + i;
    }
    ModelChecker.Decl owner = variables.get(context.variable());
    params.add(new ParamIr(id, name, kind, init, context.variable(), owner.plate, context.paramShape(), c.span()));
    return new Ex.ParamRef(id, context.paramShape());
  }

  private boolean nameTaken(String name) {
    return params.stream().anyMatch(p -> p.name().equals(name));
  }

  private static Double literalValue(Expr e) {
    if (e instanceof NumberLit n) {
      return n.value();
    }
    if (e instanceof Unary u && u.operand() instanceof NumberLit n) {
      return -n.value();
    }
    return null;
  }
}
