package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.alan.compiler.source.SourceSpan;

/**
 * {@code plate NAME { ... }}, {@code plate NAME(8) { ... }} or {@code plate NAME(ragged) { ... }}: a block
 * replicated over the plate's elements.
 *
 * @param option the word in parentheses instead of a size ({@code ragged}: each element of the enclosing plate has
 *     its own number of elements), which the checker validates
 */
public record PlateStmt(SourceSpan span, Identifier name, Optional<IntLiteral> size, Optional<Identifier> option,
    List<Statement> body) implements Statement {
  public PlateStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(size, "size is null");
    Objects.requireNonNull(option, "option is null");
    body = List.copyOf(body);
  }
}
