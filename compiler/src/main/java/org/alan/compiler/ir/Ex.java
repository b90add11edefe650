package org.alan.compiler.ir;

import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A typed expression. Nodes are immutable and compare structurally, so equal subexpressions are recognised
 * (and computed once) by the code generator. Every node has an event {@link #shape()}; plate and K
 * dependencies are derived from the variables it reads. Build nodes through {@link Exprs}, which checks shapes
 * and simplifies. A node with children keeps its hash code ({@code hash}, computed once from theirs by the
 * constructors without it): the passes key maps by subexpressions, and a recomputed hash would walk the whole
 * subtree at every lookup, quadratic in the length of an expression.
 */
public sealed interface Ex {
  Shape shape();

  /** A number. */
  record Const(double value) implements Ex {
    @Override
    public Shape shape() {
      return Shape.SCALAR;
    }
  }

  /** The value of a variable: a latent's particle, an observed value or an input. */
  record VarRef(int variable, Shape shape) implements Ex {
    public VarRef {
      Objects.requireNonNull(shape, "shape is null");
    }
  }

  /** The current value of a learnable guide parameter. */
  record ParamRef(int param, Shape shape) implements Ex {
    public ParamRef {
      Objects.requireNonNull(shape, "shape is null");
    }
  }

  /** An elementwise function of one argument. */
  record Unary(UnaryOp op, Ex arg, int hash) implements Ex {
    public Unary {
      Objects.requireNonNull(op, "op is null");
      Objects.requireNonNull(arg, "arg is null");
    }

    public Unary(UnaryOp op, Ex arg) {
      this(op, arg, Objects.hash(op, arg));
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public Shape shape() {
      return arg.shape();
    }
  }

  /** An elementwise function of two broadcast arguments. */
  record Binary(BinaryOp op, Ex left, Ex right, Shape shape, int hash) implements Ex {
    public Binary {
      Objects.requireNonNull(op, "op is null");
      Objects.requireNonNull(left, "left is null");
      Objects.requireNonNull(right, "right is null");
      Objects.requireNonNull(shape, "shape is null");
    }

    public Binary(BinaryOp op, Ex left, Ex right, Shape shape) {
      this(op, left, right, shape, Objects.hash(op, left, right, shape));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A reduction over the last {@code axes} axes of {@code arg}. */
  record Reduce(ReduceOp op, Ex arg, int axes, Shape shape, int hash) implements Ex {
    public Reduce {
      Objects.requireNonNull(op, "op is null");
      Objects.requireNonNull(arg, "arg is null");
      Objects.requireNonNull(shape, "shape is null");
    }

    public Reduce(ReduceOp op, Ex arg, int axes, Shape shape) {
      this(op, arg, axes, shape, Objects.hash(op, arg, axes, shape));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** {@code vector[..., index]}: picks along the last axis of {@code vector} by the integer value of {@code index}. */
  record Select(Ex vector, Ex index, Shape shape, int hash) implements Ex {
    public Select {
      Objects.requireNonNull(vector, "vector is null");
      Objects.requireNonNull(index, "index is null");
      Objects.requireNonNull(shape, "shape is null");
    }

    public Select(Ex vector, Ex index, Shape shape) {
      this(vector, index, shape, Objects.hash(vector, index, shape));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * {@code log (1/K^n) sum exp(arg)} over the K dimensions of the given groups: the log density of the mixture
   * proposal over parent particles (spec section 2.3). Only factor expressions contain it.
   */
  record LogMeanExpK(Ex arg, SortedSet<Integer> groups, int hash) implements Ex {
    public LogMeanExpK {
      Objects.requireNonNull(arg, "arg is null");
      groups = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(groups));
    }

    public LogMeanExpK(Ex arg, SortedSet<Integer> groups) {
      this(arg, groups, Objects.hash(arg, groups));
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public Shape shape() {
      return arg.shape();
    }

    public static LogMeanExpK of(Ex arg, Set<Integer> groups) {
      return new LogMeanExpK(arg, new TreeSet<>(groups));
    }
  }
}
