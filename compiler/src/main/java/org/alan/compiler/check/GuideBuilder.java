package org.alan.compiler.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.alan.compiler.ast.Call;
import org.alan.compiler.ast.DataStmt;
import org.alan.compiler.ast.GroupStmt;
import org.alan.compiler.ast.GuideDecl;
import org.alan.compiler.ast.Identifier;
import org.alan.compiler.ast.InputStmt;
import org.alan.compiler.ast.LatentStmt;
import org.alan.compiler.ast.LetStmt;
import org.alan.compiler.ast.PlateStmt;
import org.alan.compiler.ast.Statement;
import org.alan.compiler.diag.Diagnostics;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ExWalker;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.PlateIr;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.VariableIr;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.SupportKind;

/**
 * Builds the guide: the latent groups (each a K dimension) in sampling order and every latent's proposal,
 * either from a {@code guide} block or, without one, the automatic guide (a fitted mean-field proposal per latent,
 * one group per plate). A guide block may mix: the latents it leaves out get the automatic proposal, as in a
 * guide without a block (Pyro's {@code AutoGuideList}, with the automatic part implied).
 */
final class GuideBuilder {
  private final Diagnostics diagnostics;
  private final ExpressionChecker expressions;
  private final List<PlateIr> plates;
  private final Map<String, ModelChecker.Decl> modelNames;
  private final List<VariableIr> variables;
  private final Map<Integer, DistIr> proposals = new TreeMap<>();
  private final List<ParamIr> params;
  private final Set<Integer> automaticProposals = new java.util.TreeSet<>();

  GuideBuilder(Diagnostics diagnostics, ExpressionChecker expressions, List<PlateIr> plates,
      Map<String, ModelChecker.Decl> modelNames, List<VariableIr> variables, List<ParamIr> params) {
    this.diagnostics = diagnostics;
    this.expressions = expressions;
    this.plates = plates;
    this.modelNames = modelNames;
    this.variables = variables;
    this.params = params;
  }

  Map<Integer, DistIr> proposals() {
    return proposals;
  }

  /** A group before ordering: its name, plate, members in appearance order and where it was written. */
  private record PendingGroup(String name, int plate, List<Integer> members, SourceSpan span) {}

  /**
   * The automatic guide: each latent gets a mean-field proposal of the family that matches its support, with QEM
   * parameters per plate element and coordinate ({@link AutomaticProposals}); the latents of one plate share one
   * group (one K dimension), so that a factor has one K dimension per enclosing plate whatever the number of
   * latents, and the contraction stays small. The runtime starts the parameters from the prior and fits them.
   */
  List<GroupIr> automatic() {
    List<PendingGroup> pending = new ArrayList<>();
    addAutomatic(pending);
    return order(pending, SourceSpan.NONE);
  }

  private Set<Integer> inputs() {
    Set<Integer> out = new java.util.HashSet<>();
    for (VariableIr v : variables) {
      if (v.kind() == org.alan.compiler.ir.VarKind.INPUT) {
        out.add(v.id());
      }
    }
    return out;
  }

  /** The latents whose proposal is the automatic one. */
  Set<Integer> automaticProposals() {
    return automaticProposals;
  }

  /**
   * Gives every latent without a proposal yet the automatic one, and puts those of each plate into one group
   * (named after the latent when it is alone, else after the plate), after the groups already pending.
   */
  private void addAutomatic(List<PendingGroup> pending) {
    Map<Integer, List<Integer>> byPlate = new TreeMap<>();
    Set<Integer> inputs = inputs();
    for (VariableIr v : variables) {
      if (v.isLatent() && !proposals.containsKey(v.id())) {
        proposals.put(v.id(), AutomaticProposals.proposal(v, params, inputs));
        automaticProposals.add(v.id());
        byPlate.computeIfAbsent(v.plate(), p -> new ArrayList<>()).add(v.id());
      }
    }
    Set<String> names = new java.util.HashSet<>();
    pending.forEach(g -> names.add(g.name()));
    for (Map.Entry<Integer, List<Integer>> e : byPlate.entrySet()) {
      List<Integer> members = e.getValue();
      String name = members.size() == 1 ? variables.get(members.get(0)).name()
          : e.getKey() == PlateIr.TOP ? "global" : plates.get(e.getKey()).name();
      while (!names.add(name)) {
        name = name + "_latents";
      }
      pending.add(new PendingGroup(name, e.getKey(), members, variables.get(members.get(0)).span()));
    }
  }

  /**
   * A guide from source, the latents it does not propose given the automatic proposal; null when it has errors
   * (already reported).
   */
  List<GroupIr> fromSource(GuideDecl guide) {
    int errorsBefore = diagnostics.errorCount();
    Map<String, ModelChecker.Decl> guideNames = new LinkedHashMap<>();
    Map<Integer, LatentStmt> latentStatements = new LinkedHashMap<>();
    List<PendingGroup> pending = new ArrayList<>();
    walk(guide.body(), PlateIr.TOP, null, guideNames, latentStatements, pending);
    expressions.setGuideNames(guideNames);
    Map<Integer, Integer> categories = new HashMap<>();
    for (VariableIr v : variables) {
      if (v.isLatent() && v.prior().family().support() == SupportKind.CATEGORY) {
        categories.put(v.id(), v.prior().arguments().get(0).shape().last());
      }
    }
    expressions.setCategories(categories);

    for (Map.Entry<Integer, LatentStmt> e : latentStatements.entrySet()) {
      VariableIr v = variables.get(e.getKey());
      LatentStmt s = e.getValue();
      DistIr q = expressions.bindDistribution(s.distribution(), v.plate(), v.eventShape(), v.name(),
          ExpressionChecker.Side.GUIDE);
      if (s.truncation().isPresent()) {
        diagnostics.report(CheckErrors.truncationInGuide(s.truncation().get().span()));
        continue;
      }
      if (q != null && q.family().isImproper()) {
        diagnostics.report(CheckErrors.improperProposal(s.distribution().function().span(), v.name(),
            q.family().alanName()));
      } else if (q != null && verifySameSupport(v, q, s.distribution())) {
        proposals.put(v.id(), q);
      }
    }
    expressions.checkLets(guideNames.values());
    if (diagnostics.errorCount() > errorsBefore) {
      return null;
    }
    addAutomatic(pending);
    return order(pending, guide.name().span());
  }

  private void walk(List<Statement> body, int plate, GroupStmt inGroup, Map<String, ModelChecker.Decl> guideNames,
      Map<Integer, LatentStmt> latents, List<PendingGroup> pending) {
    for (Statement s : body) {
      if (inGroup != null && !(s instanceof LatentStmt)) {
        diagnostics.report(CheckErrors.groupMember(s.span()));
        continue;
      }
      if (s instanceof PlateStmt p) {
        int child = findPlate(p.name().text(), plate);
        if (child < 0) {
          diagnostics.report(CheckErrors.guideUnknownPlate(p.name().span(), p.name().text(),
              plates.get(plate).name()));
          continue;
        }
        if (p.size().isPresent()) {
          diagnostics.report(CheckErrors.guidePlateSize(p.size().get().span()));
        }
        walk(p.body(), child, null, guideNames, latents, pending);
      } else if (s instanceof GroupStmt g) {
        if (!declareGuideName(g.name(), ModelChecker.Decl.Kind.GROUP, plate, g, guideNames)) {
          continue;
        }
        List<PendingGroup> members = new ArrayList<>();
        walk(g.body(), plate, g, guideNames, latents, members);
        List<Integer> ids = new ArrayList<>();
        members.forEach(m -> ids.addAll(m.members()));
        if (ids.size() == 1) {
          diagnostics.report(CheckErrors.singleMemberGroup(g.name().span(), g.name().text()));
        } else if (g.body().isEmpty()) {
          diagnostics.report(CheckErrors.emptyGroup(g.name().span(), g.name().text()));
        }
        if (!ids.isEmpty()) {
          pending.add(new PendingGroup(g.name().text(), plate, ids, g.name().span()));
        }
      } else if (s instanceof LatentStmt l) {
        Integer id = latentFor(l, plate, latents);
        if (id != null) {
          latents.put(id, l);
          pending.add(new PendingGroup(l.name().text(), plate, List.of(id), l.name().span()));
        }
      } else if (s instanceof org.alan.compiler.ast.TargetStmt t) {
        diagnostics.report(CheckErrors.targetInGuide(t.span()));
      } else if (s instanceof LetStmt l) {
        if (modelNames.containsKey(l.name().text())) {
          diagnostics.report(CheckErrors.letInGuideShadowsModel(l.name().span(), l.name().text()));
        } else {
          declareGuideName(l.name(), ModelChecker.Decl.Kind.GUIDE_LET, plate, l, guideNames);
        }
      } else if (s instanceof DataStmt d) {
        diagnostics.report(CheckErrors.guideDataStatement(d.name().span(), d.name().text()));
      } else if (s instanceof InputStmt i) {
        diagnostics.report(CheckErrors.guideInput(i.span()));
      } else if (s instanceof org.alan.compiler.ast.ParamStmt p) {
        diagnostics.report(CheckErrors.paramStatementInGuide(p.name().span(), p.name().text()));
      }
    }
  }

  private boolean declareGuideName(Identifier name, ModelChecker.Decl.Kind kind, int plate, Statement s,
      Map<String, ModelChecker.Decl> guideNames) {
    if (name.text().startsWith("__")) {
      diagnostics.report(CheckErrors.reservedName(name.span(), name.text()));
      return false;
    }
    ModelChecker.Decl clash = guideNames.get(name.text());
    if (clash != null) {
      diagnostics.report(CheckErrors.duplicateDefinition(name.span(), ModelChecker.describe(kind), name.text(),
          clash.span.line()));
      return false;
    }
    clash = modelNames.get(name.text());
    if (clash != null) {
      diagnostics.report(CheckErrors.guideNameTakenByModel(name.span(), ModelChecker.describe(kind), name.text(),
          ModelChecker.describe(clash.kind), clash.span.line()));
      return false;
    }
    guideNames.put(name.text(), new ModelChecker.Decl(name.text(), kind, plate, name.span(), s));
    return true;
  }

  /** A plate declared in {@code parent} (a plate grouped by an index input is declared where its rows are). */
  private int findPlate(String name, int parent) {
    for (PlateIr p : plates) {
      if (p.declaredIn(plates) == parent && p.name().equals(name)) {
        return p.id();
      }
    }
    return -1;
  }

  private Integer latentFor(LatentStmt l, int plate, Map<Integer, LatentStmt> seen) {
    String name = l.name().text();
    ModelChecker.Decl d = modelNames.get(name);
    if (d == null || d.kind == ModelChecker.Decl.Kind.PLATE) {
      List<String> latentNames = variables.stream().filter(VariableIr::isLatent).map(VariableIr::name).toList();
      diagnostics.report(CheckErrors.guideUnknownLatent(l.name().span(), name, latentNames));
      return null;
    }
    switch (d.kind) {
      case DATA -> {
        diagnostics.report(CheckErrors.guideDefinesData(l.name().span(), name));
        return null;
      }
      case INPUT -> {
        diagnostics.report(CheckErrors.inputShapeAsLatent(l.name().span(), name));
        return null;
      }
      case LET -> {
        diagnostics.report(CheckErrors.latentWithoutDistributionInGuide(l.name().span(), name));
        return null;
      }
      default -> { }
    }
    VariableIr v = variables.get(d.variable);
    if (v.plate() != plate) {
      diagnostics.report(CheckErrors.guideWrongPlate(l.name().span(), name, plates.get(v.plate()).name(),
          plates.get(plate).name()));
      return null;
    }
    LatentStmt previous = seen.get(v.id());
    if (previous != null) {
      diagnostics.report(CheckErrors.duplicateDefinition(l.name().span(), "guide proposal", name,
          previous.name().span().line()));
      return null;
    }
    Shape restated = ModelChecker.declaredShape(l);
    if (!l.shape().isEmpty() && !restated.equals(v.eventShape())) {
      diagnostics.report(CheckErrors.guideShapeMismatch(l.name().span(), name, v.eventShape(), restated));
      return null;
    }
    return v.id();
  }

  private boolean verifySameSupport(VariableIr v, DistIr q, Call call) {
    DistIr p = v.prior();
    if (supportClass(p).equals(supportClass(q))) {
      return true;
    }
    if (p.support() == q.support()) {
      diagnostics.report(CheckErrors.supportBoundsMismatch(call.function().span(), v.name(), q.family(),
          p.family(), p.span().line(), boundsAreNumbers(p) && boundsAreNumbers(q)));
    } else {
      diagnostics.report(CheckErrors.supportMismatch(call.function().span(), v.name(), p.family().alanName()
          + (p.truncated() ? " T[...]" : ""), p.support().plural(), q.family().alanName(), q.support().plural()));
    }
    return false;
  }

  private static boolean boundsAreNumbers(DistIr d) {
    return switch (d.support()) {
      case INTERVAL -> d.low() instanceof Ex.Const && d.high() instanceof Ex.Const;
      case BOUNDED_INTEGER -> d.argument("total_count") instanceof Ex.Const;
      default -> true;
    };
  }

  /** A value identifying a support up to measure-zero differences ([0, inf) and (0, inf) are one class). */
  private static Object supportClass(DistIr d) {
    SupportKind k = d.support();
    return switch (k) {
      case POSITIVE, NONNEGATIVE -> SupportKind.POSITIVE;
      case UNIT_INTERVAL -> SupportKind.UNIT_INTERVAL;
      case INTERVAL -> {
        if (d.low() instanceof Ex.Const lo && lo.value() == 0 && d.high() instanceof Ex.Const hi && hi.value() == 1) {
          yield SupportKind.UNIT_INTERVAL;
        }
        yield List.of(k, d.low(), d.high());
      }
      case BOUNDED_INTEGER -> List.of(k, d.argument("total_count"));
      case CATEGORY -> List.of(k, d.arguments().get(0).shape().last());
      default -> k;
    };
  }

  /**
   * Orders groups so that each comes after every group its proposals read (a topological order, ties broken by
   * appearance), and orders each group's members the same way.
   */
  private List<GroupIr> order(List<PendingGroup> pending, SourceSpan guideSpan) {
    Map<Integer, Integer> groupOfVariable = new HashMap<>();
    for (int g = 0; g < pending.size(); g++) {
      for (int v : pending.get(g).members()) {
        groupOfVariable.put(v, g);
      }
    }
    List<Set<Integer>> dependsOn = new ArrayList<>();
    for (int g = 0; g < pending.size(); g++) {
      Set<Integer> deps = new LinkedHashSet<>();
      for (int v : pending.get(g).members()) {
        for (int read : ExWalker.variables(proposals.get(v))) {
          Integer h = groupOfVariable.get(read);
          if (h != null && h != g) {
            deps.add(h);
          }
        }
      }
      dependsOn.add(deps);
    }
    List<Integer> cycle = Cycles.find(pending.size(), dependsOn::get);
    if (cycle != null) {
      List<String> path = cycle.stream().map(g -> pending.get(g).name()).toList();
      diagnostics.report(CheckErrors.cycle(pending.get(cycle.get(0)).span(), "guide", path));
      return null;
    }
    List<Integer> sorted = topological(pending.size(), dependsOn);
    List<GroupIr> out = new ArrayList<>();
    for (int g : sorted) {
      PendingGroup p = pending.get(g);
      List<Integer> members = orderMembers(p);
      if (members == null) {
        return null;
      }
      out.add(new GroupIr(out.size(), p.name(), p.plate(), members, p.span()));
    }
    return out;
  }

  private List<Integer> orderMembers(PendingGroup group) {
    List<Integer> members = group.members();
    List<Set<Integer>> dependsOn = new ArrayList<>();
    for (int v : members) {
      Set<Integer> deps = new LinkedHashSet<>();
      for (int read : ExWalker.variables(proposals.get(v))) {
        int index = members.indexOf(read);
        if (index >= 0 && read != v) {
          deps.add(index);
        }
      }
      if (ExWalker.variables(proposals.get(v)).contains(v)) {
        VariableIr self = variables.get(v);
        diagnostics.report(CheckErrors.cycle(self.span(), "guide", List.of(self.name(), self.name())));
        return null;
      }
      dependsOn.add(deps);
    }
    List<Integer> cycle = Cycles.find(members.size(), dependsOn::get);
    if (cycle != null) {
      List<String> path = cycle.stream().map(i -> variables.get(members.get(i)).name()).toList();
      diagnostics.report(CheckErrors.cycle(group.span(), "guide", path));
      return null;
    }
    return topological(members.size(), dependsOn).stream().map(members::get).toList();
  }

  /** Kahn's algorithm, always taking the earliest ready node: deterministic and close to source order. */
  private static List<Integer> topological(int n, List<Set<Integer>> dependsOn) {
    List<Integer> out = new ArrayList<>();
    boolean[] done = new boolean[n];
    while (out.size() < n) {
      for (int i = 0; i < n; i++) {
        if (!done[i] && dependsOn.get(i).stream().allMatch(d -> done[d])) {
          done[i] = true;
          out.add(i);
          break;
        }
      }
    }
    return out;
  }
}
