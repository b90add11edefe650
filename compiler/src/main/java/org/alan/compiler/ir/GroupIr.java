package org.alan.compiler.ir;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * A set of latent variables that share one K dimension: sampled jointly from the guide, particle k of a later
 * member conditioned on particle k of the earlier ones. A latent outside any {@code group} block is a group of
 * its own, named after it.
 *
 * @param members variable ids in sampling order
 */
public record GroupIr(int id, String name, int plate, List<Integer> members, SourceSpan span) {
  public GroupIr {
    Objects.requireNonNull(name, "name is null");
    members = List.copyOf(members);
    Objects.requireNonNull(span, "span is null");
  }
}
