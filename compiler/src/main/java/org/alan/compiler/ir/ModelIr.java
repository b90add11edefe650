package org.alan.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.alan.compiler.source.SourceSpan;

/**
 * A checked model with its guide: plates (plate 0 is the top level), variables, the guide's groups in sampling
 * order, the guide's learnable parameters and each latent's proposal distribution.
 *
 * @param groups the latent groups in the order the guide samples them
 * @param proposals latent variable id to its guide distribution
 * @param automaticGuide true when the source has no guide block: every latent has the automatic proposal
 * @param automaticProposals the latents whose proposal is the automatic one (all of them without a guide block,
 *     those a guide block leaves out with one), which the runtime starts at the prior's moments
 * @param derived the model's lets that read a latent, in declaration order, reported beside the latents
 * @param targets the {@code target += ...} terms, each a factor of the estimator
 * @param transforms the inputs computed from the data when they are bound ({@code lag}, {@code cumsum}), each a
 *     hidden input variable
 * @param shears the automatic guide's linear decorrelations, at most one per latent ({@link ShearIr}); the
 *     variables' priors and the derived values already read the sheared latents' model values
 */
public record ModelIr(String name, SourceSpan span, List<PlateIr> plates, List<VariableIr> variables,
    List<GroupIr> groups, List<ParamIr> params, Map<Integer, DistIr> proposals, boolean automaticGuide,
    java.util.Set<Integer> automaticProposals, List<DerivedIr> derived, List<ShearIr> shears,
    List<TransformIr> transforms, List<TargetIr> targets) {
  public ModelIr {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(span, "span is null");
    plates = List.copyOf(plates);
    variables = List.copyOf(variables);
    groups = List.copyOf(groups);
    params = List.copyOf(params);
    proposals = Collections.unmodifiableMap(new TreeMap<>(proposals));
    automaticProposals = Collections.unmodifiableSet(new java.util.TreeSet<>(automaticProposals));
    derived = List.copyOf(derived);
    shears = List.copyOf(shears);
    transforms = List.copyOf(transforms);
    targets = List.copyOf(targets);
  }

  /** Whether a variable is an input computed from the data ({@link TransformIr}), not one the data give. */
  public boolean isComputedInput(int variable) {
    return transforms.stream().anyMatch(t -> t.input() == variable);
  }

  /** Whether a variable is observed, or a computed input that reads an observed variable. */
  public boolean readsObserved(int variable) {
    if (variable(variable).kind() == VarKind.DATA) {
      return true;
    }
    return transforms.stream().anyMatch(t -> t.input() == variable && t.source() != null
        && ExWalker.variables(t.source()).stream().anyMatch(this::readsObserved));
  }

  /**
   * The 0/1 mask inputs an observation's log density is multiplied by: it reads a lag without an initial value, so
   * the first elements of each series are not modelled ({@link TransformIr}).
   */
  public List<Integer> observationMasks(int variable) {
    List<Integer> out = new java.util.ArrayList<>();
    TransformIr.missingByPlate(variable(variable).prior(), transforms).forEach((plate, missing) -> out.add(
        transforms.stream().filter(t -> t.kind() == TransformIr.Kind.MASK && t.plate() == plate && t.lag() == missing)
            .findFirst().orElseThrow(() -> new IllegalStateException("no mask for " + variable(variable).name()))
            .input()));
    return out;
  }

  /**
   * The value at which a variable's prior is evaluated: its particle, or for a sheared latent its decorrelated
   * value ({@link ShearIr#standardValue}). Everything else already reads the sheared latents' model values.
   */
  public Ex priorValue(int variable) {
    for (ShearIr s : shears) {
      if (s.variable() == variable) {
        return s.standardValue(this);
      }
    }
    return new Ex.VarRef(variable, variable(variable).eventShape());
  }

  public PlateIr plate(int id) {
    return plates.get(id);
  }

  public VariableIr variable(int id) {
    return variables.get(id);
  }

  public GroupIr group(int id) {
    return groups.get(id);
  }

  /** The group a latent variable belongs to. */
  public int groupOf(int variable) {
    for (GroupIr g : groups) {
      if (g.members().contains(variable)) {
        return g.id();
      }
    }
    throw new IllegalArgumentException(variable(variable).name() + " is not a latent");
  }

  /** The plates from the top level down to {@code plate}, inclusive. */
  public List<Integer> plateChain(int plate) {
    List<Integer> chain = new ArrayList<>();
    for (int p = plate; p >= 0; p = plates.get(p).parent()) {
      chain.add(0, p);
    }
    return chain;
  }

  /**
   * Whether the elements of {@code plate} lie in those of {@code ancestor} as a regular array (no plate grouped by an
   * index input in between), so that dividing the element number by the sizes in between finds the ancestor's.
   */
  public boolean regularBetween(int plate, int ancestor) {
    for (int p = plate; p >= 0 && p != ancestor; p = plates.get(p).parent()) {
      if (plates.get(p).grouped()) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code ancestor} is {@code plate} or encloses it. */
  public boolean encloses(int ancestor, int plate) {
    for (int p = plate; p >= 0; p = plates.get(p).parent()) {
      if (p == ancestor) {
        return true;
      }
    }
    return false;
  }

  /** Direct children of a plate, in declaration order. */
  public List<Integer> childPlates(int plate) {
    List<Integer> out = new ArrayList<>();
    for (PlateIr p : plates) {
      if (p.parent() == plate) {
        out.add(p.id());
      }
    }
    return out;
  }

  public List<VariableIr> variablesIn(int plate) {
    return variables.stream().filter(v -> v.plate() == plate).toList();
  }

  public List<VariableIr> latents() {
    return variables.stream().filter(VariableIr::isLatent).toList();
  }

  public DistIr proposal(int variable) {
    return proposals.get(variable);
  }

  /** The {@link org.alan.stdlib.GuideParameter#SURROGATE} weight of a latent with an improper prior. */
  public int surrogateWeight(int variable) {
    return params.stream()
        .filter(p -> p.kind() == org.alan.stdlib.GuideParameter.SURROGATE && p.variable() == variable)
        .mapToInt(ParamIr::id).findFirst()
        .orElseThrow(() -> new IllegalStateException("'" + variable(variable).name() + "' has no surrogate weight"));
  }
}
