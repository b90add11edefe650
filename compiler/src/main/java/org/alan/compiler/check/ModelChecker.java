package org.alan.compiler.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.alan.compiler.ast.Call;
import org.alan.compiler.ast.DataStmt;
import org.alan.compiler.ast.Declaration;
import org.alan.compiler.ast.GroupStmt;
import org.alan.compiler.ast.GuideDecl;
import org.alan.compiler.ast.Identifier;
import org.alan.compiler.ast.InputStmt;
import org.alan.compiler.ast.IntLiteral;
import org.alan.compiler.ast.LatentStmt;
import org.alan.compiler.ast.LetStmt;
import org.alan.compiler.ast.ModelDecl;
import org.alan.compiler.ast.NumberLit;
import org.alan.compiler.ast.ParamStmt;
import org.alan.compiler.ast.PlateStmt;
import org.alan.compiler.ast.Program;
import org.alan.compiler.ast.Statement;
import org.alan.compiler.ast.TargetStmt;
import org.alan.compiler.ast.Unary;
import org.alan.compiler.diag.Diagnostics;
import org.alan.compiler.ir.DerivedIr;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ExWalker;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.PlateIr;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.TransformIr;
import org.alan.compiler.ir.TargetIr;
import org.alan.compiler.ir.Exprs;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.GuideParameter;

/**
 * Checks a program and lowers each model (with its guide, or the automatic one) to a {@link ModelIr}.
 *
 * <p>Guarantees on success: every name resolves to a declaration visible from its use (its own plate or an
 * enclosing one); shapes broadcast; distribution calls match a signature; the model's dependency graph is
 * acyclic; the guide proposes every latent exactly once, in the latent's plate, with the model's support,
 * and can be sampled in an order where each group comes after the groups it reads; every plate's size is
 * fixed in the source or can be read from the data.
 */
public final class ModelChecker {
  private final Diagnostics diagnostics;

  private ModelChecker(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** Checks the program; returns one IR per model, or an empty list when any error was reported. */
  public static List<ModelIr> run(Program program, Diagnostics diagnostics) {
    return new ModelChecker(diagnostics).check(program);
  }

  private List<ModelIr> check(Program program) {
    Map<String, ModelDecl> models = new LinkedHashMap<>();
    Map<String, GuideDecl> guides = new LinkedHashMap<>();
    for (Declaration d : program.declarations()) {
      if (d instanceof ModelDecl m) {
        ModelDecl previous = models.putIfAbsent(m.name().text(), m);
        if (previous != null) {
          diagnostics.report(CheckErrors.duplicateDefinition(m.name().span(), "model", m.name().text(),
              previous.name().span().line()));
        }
      }
    }
    for (Declaration d : program.declarations()) {
      if (d instanceof GuideDecl g) {
        if (!models.containsKey(g.name().text())) {
          diagnostics.report(CheckErrors.noGuideForModel(g.name().span(), g.name().text(), models.keySet()));
          continue;
        }
        GuideDecl previous = guides.putIfAbsent(g.name().text(), g);
        if (previous != null) {
          diagnostics.report(CheckErrors.twoGuides(g.name().span(), g.name().text(), previous.name().span().line()));
        }
      }
    }
    if (models.isEmpty()) {
      diagnostics.report(CheckErrors.noModel(program.span().isNone() ? SourceSpan.NONE
          : new SourceSpan(0, 0, 1, 1)));
    }
    List<ModelIr> out = new ArrayList<>();
    for (ModelDecl m : models.values()) {
      ModelIr ir = new SingleModel(m, guides.get(m.name().text())).check();
      if (ir != null) {
        out.add(ir);
      }
    }
    return diagnostics.hasErrors() ? List.of() : out;
  }

  /** Everything known about one declared name of a model or its guide. */
  static final class Decl {
    final String name;
    final Kind kind;
    final int plate;
    final SourceSpan span;
    final Statement statement;
    int variable = -1;
    /** The parameter a {@code param} statement declares. */
    int param = -1;
    /**
     * For an index input ({@code input county : counties;}): the plate it points into; {@link #REPORTED_INDEX} for
     * one already reported (a second, crossed index), whose uses are not reported again.
     */
    int indexInto = -1;

    static final int REPORTED_INDEX = -2;

    Decl(String name, Kind kind, int plate, SourceSpan span, Statement statement) {
      this.name = name;
      this.kind = kind;
      this.plate = plate;
      this.span = span;
      this.statement = statement;
    }

    enum Kind { PLATE, INPUT, DATA, LATENT, LET, GROUP, GUIDE_LET, PARAM }
  }

  private final class SingleModel {
    private final ModelDecl model;
    private final GuideDecl guide;
    private final List<PlateIr> plates = new ArrayList<>();
    private final Map<String, Decl> names = new LinkedHashMap<>();
    private final List<Decl> variableDecls = new ArrayList<>();
    private final List<ParamIr> params = new ArrayList<>();
    private final List<PlacedTarget> targetStatements = new ArrayList<>();
    private final List<TargetIr> targets = new ArrayList<>();
    /** Plates grouped by an index input, waiting for the plate their index points into, by that plate's name. */
    private final Map<String, List<GroupedPlate>> waiting = new LinkedHashMap<>();
    /** Index inputs reported as a second, crossed index of their plate. */
    private final Set<Statement> crossed = new java.util.HashSet<>();
    private final int errorsBefore;

    SingleModel(ModelDecl model, GuideDecl guide) {
      this.model = model;
      this.guide = guide;
      this.errorsBefore = diagnostics.errorCount();
    }

    ModelIr check() {
      verifyModelName(model.name());
      plates.add(new PlateIr(PlateIr.TOP, "", -1, 0, OptionalInt.of(1), model.span()));
      collect(model.body(), PlateIr.TOP);
      reportUnresolvedIndexes();
      for (Decl d : names.values()) {
        if (crossed.contains(d.statement)) {
          d.indexInto = Decl.REPORTED_INDEX;
        }
      }

      ExpressionChecker expressions = new ExpressionChecker(diagnostics, plates, names, variableDecls, params);
      List<VariableIr> variables = new ArrayList<>();
      for (Decl d : variableDecls) {
        variables.add(null);
      }
      // distributions are bound after every variable has an id and a shape, so that order does not matter
      List<Shape> shapes = new ArrayList<>();
      for (Decl d : variableDecls) {
        shapes.add(checkedShape(d));
      }
      expressions.setShapes(shapes);
      for (Decl d : variableDecls) {
        DistIr prior = null;
        Call call = distributionOf(d.statement);
        if (call != null) {
          prior = expressions.bindDistribution(call, d.plate, shapes.get(d.variable), d.name,
              ExpressionChecker.Side.MODEL);
          Optional<org.alan.compiler.ast.Truncation> truncation = truncationOf(d.statement);
          if (prior != null && truncation.isPresent()) {
            prior = expressions.truncate(prior, truncation.get(), d.plate, shapes.get(d.variable), d.name);
          }
        }
        if (prior == null && d.kind != Decl.Kind.INPUT) {
          continue;
        }
        if (prior != null && d.kind == Decl.Kind.DATA && prior.family().isImproper()) {
          diagnostics.report(CheckErrors.improperObserved(call.function().span(), d.name, prior.family().alanName()));
          continue;
        }
        VarKind kind = switch (d.kind) {
          case INPUT -> VarKind.INPUT;
          case DATA -> VarKind.DATA;
          default -> VarKind.LATENT;
        };
        variables.set(d.variable, new VariableIr(d.variable, d.name, kind, d.plate, shapes.get(d.variable), prior,
            d.span));
      }
      expressions.checkLets(names.values());
      checkTargets(expressions);
      addComputedInputs(expressions, variables);
      if (variableDecls.stream().allMatch(d -> d.kind == Decl.Kind.INPUT) && diagnostics.errorCount() == errorsBefore) {
        diagnostics.report(CheckErrors.nothingToInfer(model.name().span(), model.name().text()));
      }
      if (diagnostics.errorCount() > errorsBefore) {
        return null;
      }
      verifyPlateSizes();
      verifyModelAcyclic(variables);
      if (diagnostics.errorCount() > errorsBefore) {
        return null;
      }

      GuideBuilder guideBuilder = new GuideBuilder(diagnostics, expressions, plates, names, variables, params);
      List<GroupIr> groups;
      Map<Integer, org.alan.compiler.ir.DistIr> proposals;
      if (guide == null) {
        groups = guideBuilder.automatic();
        proposals = guideBuilder.proposals();
      } else {
        groups = guideBuilder.fromSource(guide);
        proposals = guideBuilder.proposals();
      }
      if (diagnostics.errorCount() > errorsBefore || groups == null) {
        return null;
      }
      addComputedVariables(expressions, variables);
      addSurrogateWeights(variables);
      return Decorrelation.run(new ModelIr(model.name().text(), model.span(), plates, variables, groups, params,
          proposals, guide == null, guideBuilder.automaticProposals(), derived(expressions, variables), List.of(),
          expressions.transforms(), targets));
    }

    /** A {@code target +=} statement and the plate it is written in. */
    private record PlacedTarget(TargetStmt statement, int plate) {}

    /**
     * The {@code target +=} terms, each masked like an observation where it reads a lag without an initial value
     * (it starts after the elements the lag has no value for).
     */
    private void checkTargets(ExpressionChecker expressions) {
      for (PlacedTarget p : targetStatements) {
        Ex value = expressions.checkTarget(p.statement(), p.plate());
        if (value == null) {
          continue;
        }
        for (Map.Entry<Integer, Integer> e : TransformIr.missingByPlate(value, expressions.transforms()).entrySet()) {
          int mask = expressions.maskInput(e.getKey(), e.getValue());
          value = Exprs.binary(org.alan.compiler.ir.BinaryOp.MASKED, new Ex.VarRef(mask, Shape.of()), value);
        }
        targets.add(new TargetIr("target (line " + p.statement().span().line() + ", column "
            + p.statement().span().column() + ")", p.plate(), value,
            p.statement().span()));
      }
    }

    /**
     * The hidden inputs of the model's {@code lag} and {@code cumsum} calls, and the masks that start an observation
     * reading a lag without an initial value after the elements it has no value for. A latent cannot start later.
     */
    private void addComputedInputs(ExpressionChecker expressions, List<VariableIr> variables) {
      for (VariableIr v : new ArrayList<>(variables)) {
        if (v == null || v.prior() == null) { // null: reported already
          continue;
        }
        for (Map.Entry<Integer, Integer> e : TransformIr.missingByPlate(v.prior(), expressions.transforms())
            .entrySet()) {
          if (v.isLatent()) {
            TransformIr read = expressions.transforms().stream()
                .filter(t -> t.plate() == e.getKey() && t.missing() > 0
                    && ExWalker.variables(v.prior()).contains(t.input()))
                .findFirst().orElseThrow();
            diagnostics.report(CheckErrors.latentReadsMissingLag(read.span(), v.name(), read.text(), read.missing(),
                "plate '" + plates.get(read.plate()).name() + "'"));
          } else {
            expressions.maskInput(e.getKey(), e.getValue());
          }
        }
      }
      addComputedVariables(expressions, variables);
    }

    /** The hidden input variables of the computed inputs made since the last call (the guide's vector literals). */
    private void addComputedVariables(ExpressionChecker expressions, List<VariableIr> variables) {
      for (TransformIr t : expressions.transforms()) {
        if (t.input() >= variables.size()) {
          variables.add(new VariableIr(t.input(), t.text(), VarKind.INPUT, t.plate(), t.shape(), null, t.span()));
        }
      }
    }

    /**
     * One {@link GuideParameter#SURROGATE} weight per latent with an improper prior: the engine sets it to 1 - t,
     * so that tempering at temperature t targets a proper stand-in for the prior (see {@link
     * org.alan.stdlib.Distribution#SURROGATE_SCALE}), and to 0 at the posterior.
     */
    private void addSurrogateWeights(List<VariableIr> variables) {
      for (VariableIr v : variables) {
        if (v.isLatent() && v.prior().family().isImproper()) {
          String name = v.name() + "_surrogate_weight";
          for (int n = 2; AutomaticProposals.taken(params, name); n++) {
            name = v.name() + "_surrogate_weight_" + n;
          }
          params.add(new ParamIr(params.size(), name, GuideParameter.SURROGATE, 0, v.id(), PlateIr.TOP, Shape.of(),
              v.span()));
        }
      }
    }

    /** The model's lets whose values read a latent, in declaration order: the derived quantities it reports. */
    private List<DerivedIr> derived(ExpressionChecker expressions, List<VariableIr> variables) {
      List<DerivedIr> out = new ArrayList<>();
      for (Decl d : names.values()) {
        if (d.kind != Decl.Kind.LET) {
          continue;
        }
        Ex value = expressions.checkedLet(d.name);
        boolean[] readsLatent = {false};
        ExWalker.forEach(value, e -> readsLatent[0] |= e instanceof Ex.VarRef r
            && variables.get(r.variable()).isLatent());
        if (readsLatent[0]) {
          out.add(new DerivedIr(d.name, d.plate, value, d.span));
        }
      }
      return out;
    }

    /** The declared shape, or a scalar after reporting one whose elements no Java array could hold. */
    private Shape checkedShape(Decl d) {
      double elements = 1;
      for (IntLiteral n : declaredDims(d.statement)) {
        elements *= n.value();
      }
      if (elements > MAX_EVENT_ELEMENTS) {
        diagnostics.report(CheckErrors.shapeTooLarge(d.span, d.name, elements, MAX_EVENT_ELEMENTS));
        return Shape.of();
      }
      return declaredShape(d.statement);
    }

    private void verifyModelName(Identifier name) {
      String text = name.text();
      if (JavaNames.isKeyword(text)) {
        diagnostics.report(CheckErrors.invalidJavaName(name.span(), "model", text,
            "it is a Java keyword, and the model becomes a Java class of that name"));
      } else if (JavaNames.clashesWithJavaLang(text)) {
        diagnostics.report(CheckErrors.invalidJavaName(name.span(), "model", text,
            "the generated class would hide java.lang." + text));
      } else if (JavaNames.clashWithGeneratedCode(text) != null) {
        diagnostics.report(CheckErrors.invalidJavaName(name.span(), "model", text,
            JavaNames.clashWithGeneratedCode(text)));
      } else if (text.startsWith("__")) {
        diagnostics.report(CheckErrors.reservedName(name.span(), text));
      }
    }

    private void collect(List<Statement> body, int plate) {
      for (Statement s : body) {
        if (s instanceof PlateStmt p) {
          InputStmt index = indexInputOf(p, plate);
          if (index != null && p.option().isPresent()) {
            diagnostics.report(CheckErrors.raggedWithIndex(index.name().span(), p.name().text(), index.name().text()));
          }
          if (index != null) {
            // its rows nest in the plate the index points into, which may be declared later
            String target = index.index().get().plate().text();
            waiting.computeIfAbsent(target, t -> new ArrayList<>()).add(new GroupedPlate(p, plate, index));
            int declared = findPlate(target, plate);
            if (declared >= 0) {
              releaseWaiting(target, declared);
            }
            continue;
          }
          boolean ragged = raggedOption(p, plate);
          if (!declare(p.name(), Decl.Kind.PLATE, plate, s)) {
            continue;
          }
          int id = addPlate(p, plate);
          if (ragged) {
            addRaggedIndex(p, id);
          }
          collect(p.body(), id);
          releaseWaiting(p.name().text(), id);
        } else if (s instanceof GroupStmt g) {
          diagnostics.report(CheckErrors.groupInModel(g.span()));
          collect(g.body(), plate);
        } else if (s instanceof InputStmt i) {
          if (i.index().isPresent() && plate == PlateIr.TOP) {
            diagnostics.report(CheckErrors.indexAtTopLevel(i.index().get().span(), i.name().text()));
          } else if (i.index().isPresent() && !i.shape().isEmpty()) {
            diagnostics.report(CheckErrors.indexWithShape(i.name().span(), i.name().text()));
          }
          declareVariable(i.name(), Decl.Kind.INPUT, plate, s);
        } else if (s instanceof DataStmt d) {
          declareVariable(d.name(), Decl.Kind.DATA, plate, s);
        } else if (s instanceof LatentStmt l) {
          declareVariable(l.name(), Decl.Kind.LATENT, plate, s);
        } else if (s instanceof LetStmt l) {
          declare(l.name(), Decl.Kind.LET, plate, s);
        } else if (s instanceof TargetStmt t) {
          targetStatements.add(new PlacedTarget(t, plate));
        } else if (s instanceof ParamStmt p && declare(p.name(), Decl.Kind.PARAM, plate, s)) {
          declareParam(names.get(p.name().text()), p);
        }
      }
    }

    /**
     * Whether a plate is declared {@code plate NAME(ragged)} where that is allowed: inside a top-level plate (whose
     * elements then each have their own number of its elements), with no plates inside it (one grouped by an index
     * input is refused where the index is found).
     */
    private boolean raggedOption(PlateStmt p, int parent) {
      if (p.option().isEmpty()) {
        return false;
      }
      Identifier option = p.option().get();
      if (!option.text().equals("ragged")) {
        diagnostics.report(CheckErrors.plateOption(option.span(), option.text()));
        return false;
      }
      if (parent == PlateIr.TOP || plates.get(parent).parent() != PlateIr.TOP || plates.get(parent).grouped()) {
        diagnostics.report(CheckErrors.raggedPlacement(option.span(), p.name().text()));
        return false;
      }
      for (Statement inner : p.body()) {
        if (inner instanceof PlateStmt nested) {
          diagnostics.report(CheckErrors.raggedWithPlates(nested.name().span(), p.name().text()));
          return false;
        }
      }
      return true;
    }

    /**
     * The hidden index of a ragged plate: an input of the plate naming each element's parent element, which the
     * data binder fills from the nested arrays' lengths, so that the rows nest as an index input's rows do.
     */
    private void addRaggedIndex(PlateStmt p, int plate) {
      Identifier name = new Identifier(p.name().span(), "__parent_of_" + p.name().text());
      InputStmt statement = new InputStmt(p.name().span(), name, List.of(), Optional.empty());
      Decl d = new Decl(name.text(), Decl.Kind.INPUT, plate, p.name().span(), statement);
      d.variable = variableDecls.size();
      variableDecls.add(d);
      plates.set(plate, plates.get(plate).asRagged(d.variable));
    }

    /** Adds the plate a statement declares, nested in {@code parent}; returns its id. */
    private int addPlate(PlateStmt p, int parent) {
      int id = plates.size();
      OptionalInt size = p.size().map(IntLiteral::value).map(OptionalInt::of).orElse(OptionalInt.empty());
      plates.add(new PlateIr(id, p.name().text(), parent, plates.get(parent).depth() + 1, size, p.name().span()));
      return id;
    }

    /** A plate of rows grouped by an index input, before the plate it points into is known. */
    private record GroupedPlate(PlateStmt plate, int userParent, InputStmt index) {}

    /**
     * The index input among a plate's own statements, or null. Two of them (crossed effects) are reported, and the
     * plate is then treated as ungrouped by the second.
     */
    private InputStmt indexInputOf(PlateStmt p, int parent) {
      InputStmt found = null;
      for (Statement s : p.body()) {
        if (s instanceof InputStmt i && i.index().isPresent()) {
          if (found == null) {
            found = i;
          } else {
            diagnostics.report(CheckErrors.crossedIndexes(i.index().get().span(), p.name().text(),
                found.name().text(), found.index().get().plate().text(), i.name().text(),
                i.index().get().plate().text()));
            crossed.add(i);
          }
        }
      }
      return found;
    }

    /** The plate of this name declared directly in {@code parent}, or -1. */
    private int findPlate(String name, int parent) {
      for (PlateIr p : plates) {
        if (p.parent() == parent && p.name().equals(name) && !p.isTop()) {
          return p.id();
        }
      }
      return -1;
    }

    /** Collects the plates grouped into plate {@code target} (now declared, with id {@code id}) inside it. */
    private void releaseWaiting(String name, int id) {
      List<GroupedPlate> ready = waiting.remove(name);
      if (ready == null) {
        return;
      }
      for (GroupedPlate g : ready) {
        InputStmt.IndexTarget t = g.index().index().get();
        String indexName = g.index().name().text();
        if (plates.get(id).parent() != g.userParent()) {
          diagnostics.report(CheckErrors.indexTargetNotBeside(t.plate().span(), indexName, name,
              g.plate().name().text()));
          continue;
        }
        if (plates.get(id).grouped()) {
          diagnostics.report(CheckErrors.indexIntoGroupedPlate(t.plate().span(), indexName, name));
          continue;
        }
        int base = indexBase(t);
        PlateStmt p = g.plate();
        if (!declare(p.name(), Decl.Kind.PLATE, g.userParent(), p)) {
          continue;
        }
        int plate = addPlate(p, id);
        for (Statement inner : p.body()) {
          if (inner instanceof PlateStmt nested) {
            diagnostics.report(CheckErrors.indexedPlateWithPlates(nested.name().span(), p.name().text(), indexName));
          }
        }
        collect(p.body().stream().filter(st -> !(st instanceof PlateStmt)).toList(), plate);
        Decl index = names.get(indexName);
        if (index != null && index.statement == g.index()) {
          index.indexInto = id;
          plates.set(plate, plates.get(plate).withIndex(index.variable, base));
        }
      }
    }

    private int indexBase(InputStmt.IndexTarget t) {
      if (t.option() == null) {
        return 1;
      }
      if (!t.option().text().equals("base")) {
        diagnostics.report(CheckErrors.indexBadOption(t.option().span(), t.option().text()));
        return 1;
      }
      if (t.value().value() != 0 && t.value().value() != 1) {
        diagnostics.report(CheckErrors.indexBadBase(t.value().span(), t.value().text()));
        return 1;
      }
      return (int) t.value().value();
    }

    /** Index inputs whose plate was never declared, or that are misplaced. */
    private void reportUnresolvedIndexes() {
      List<String> known = plates.stream().filter(p -> !p.isTop()).map(PlateIr::name).toList();
      for (Map.Entry<String, List<GroupedPlate>> e : waiting.entrySet()) {
        for (GroupedPlate g : e.getValue()) {
          InputStmt.IndexTarget t = g.index().index().get();
          String indexName = g.index().name().text();
          if (e.getKey().equals(g.plate().name().text())) {
            diagnostics.report(CheckErrors.indexIntoItself(t.plate().span(), indexName, e.getKey()));
          } else if (known.contains(e.getKey())) {
            diagnostics.report(CheckErrors.indexTargetNotBeside(t.plate().span(), indexName, e.getKey(),
                g.plate().name().text()));
          } else {
            diagnostics.report(CheckErrors.indexIntoUnknownPlate(t.plate().span(), indexName, e.getKey(), known));
          }
        }
      }
      waiting.clear();
    }

    /** A model parameter: its initial value must be a number, as a guide parameter's must. */
    private void declareParam(Decl d, ParamStmt p) {
      Double init = p.init() instanceof NumberLit n ? Double.valueOf(n.value())
          : p.init() instanceof Unary u && u.operand() instanceof NumberLit n ? Double.valueOf(-n.value()) : null;
      if (init == null) {
        diagnostics.report(CheckErrors.modelParameterInit(p.init().span(), p.name().text()));
        return;
      }
      d.param = params.size();
      params.add(new ParamIr(d.param, p.name().text(), GuideParameter.MODEL, init, -1, d.plate, checkedShape(d),
          p.name().span()));
    }

    private void declareVariable(Identifier name, Decl.Kind kind, int plate, Statement s) {
      if (declare(name, kind, plate, s)) {
        Decl d = names.get(name.text());
        d.variable = variableDecls.size();
        variableDecls.add(d);
      }
    }

    private boolean declare(Identifier name, Decl.Kind kind, int plate, Statement s) {
      if (name.text().startsWith("__")) {
        diagnostics.report(CheckErrors.reservedName(name.span(), name.text()));
        return false;
      }
      Decl previous = names.get(name.text());
      if (previous != null) {
        diagnostics.report(CheckErrors.duplicateDefinition(name.span(), describe(kind), name.text(),
            previous.span.line()));
        return false;
      }
      names.put(name.text(), new Decl(name.text(), kind, plate, name.span(), s));
      return true;
    }

    private void verifyPlateSizes() {
      Set<Integer> sized = new LinkedHashSet<>();
      for (Decl d : variableDecls) {
        if (d.kind == Decl.Kind.INPUT || d.kind == Decl.Kind.DATA) {
          for (int p = d.plate; p >= 0; p = plates.get(p).parent()) {
            sized.add(p);
          }
        }
      }
      for (PlateIr p : plates) {
        if (!p.isTop() && p.fixedSize().isEmpty() && !sized.contains(p.id())) {
          diagnostics.report(CheckErrors.unsizedPlate(p.span(), p.name()));
        }
      }
    }

    private void verifyModelAcyclic(List<VariableIr> variables) {
      Map<Integer, Set<Integer>> edges = new HashMap<>();
      for (VariableIr v : variables) {
        if (v.prior() != null) {
          edges.put(v.id(), ExWalker.variables(v.prior()));
        }
      }
      List<Integer> cycle = Cycles.find(variables.size(), id -> edges.getOrDefault(id, Set.of()));
      if (cycle != null) {
        List<String> path = cycle.stream().map(id -> variables.get(id).name()).toList();
        diagnostics.report(CheckErrors.cycle(variables.get(cycle.get(0)).span(), "model", path));
      }
    }
  }

  static String describe(Decl.Kind kind) {
    return switch (kind) {
      case PLATE -> "plate";
      case INPUT -> "input";
      case DATA -> "data variable";
      case LATENT -> "variable";
      case LET, GUIDE_LET -> "let binding";
      case GROUP -> "group";
      case PARAM -> "parameter";
    };
  }

  /**
   * Most elements one value of a variable may have: its K particles and every plate element are stored in one array,
   * which Java limits to 2^31 entries.
   */
  static final long MAX_EVENT_ELEMENTS = 1 << 24;

  static Shape declaredShape(Statement s) {
    return Shape.of(declaredDims(s).stream().mapToInt(IntLiteral::value).toArray());
  }

  private static List<IntLiteral> declaredDims(Statement s) {
    List<IntLiteral> dims;
    if (s instanceof InputStmt i) {
      dims = i.shape();
    } else if (s instanceof DataStmt d) {
      dims = d.shape();
    } else if (s instanceof LatentStmt l) {
      dims = l.shape();
    } else if (s instanceof ParamStmt p) {
      dims = p.shape();
    } else {
      dims = List.of();
    }
    return dims;
  }

  static Optional<org.alan.compiler.ast.Truncation> truncationOf(Statement s) {
    if (s instanceof DataStmt d) {
      return d.truncation();
    } else if (s instanceof LatentStmt l) {
      return l.truncation();
    }
    return Optional.empty();
  }

  static Call distributionOf(Statement s) {
    if (s instanceof DataStmt d) {
      return d.distribution();
    } else if (s instanceof LatentStmt l) {
      return l.distribution();
    } else {
      return null;
    }
  }
}
