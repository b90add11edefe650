package org.alan.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rewrites that make hoisting effective, and shape arithmetic. */
class ExprsTest {
  private static final Ex X = new Ex.VarRef(0, Shape.SCALAR);
  private static final Ex V = new Ex.VarRef(1, Shape.of(18));

  @Test
  void foldsAndSimplifies() {
    assertEquals(Exprs.constant(5), Exprs.add(Exprs.constant(2), Exprs.constant(3)));
    assertEquals(X, Exprs.log(Exprs.unary(UnaryOp.EXP, X)));
    assertEquals(Exprs.unary(UnaryOp.EXP, Exprs.neg(X)), Exprs.unary(UnaryOp.RECIPROCAL, Exprs.unary(UnaryOp.EXP, X)));
    assertEquals(Exprs.unary(UnaryOp.SQUARE, X), Exprs.binary(BinaryOp.POW, X, Exprs.constant(2)));
    assertEquals(Exprs.mul(X, Exprs.unary(UnaryOp.RECIPROCAL, V)), Exprs.div(X, V), "division by a reciprocal");
    assertEquals(Exprs.unary(UnaryOp.LOG_SIGMOID, X), Exprs.log(Exprs.unary(UnaryOp.SIGMOID, X)));
    assertEquals(X, Exprs.neg(Exprs.neg(X)));
  }

  @Test
  void sumOverDistributesAndCountsBroadcastTerms() {
    // sum over 18 coordinates of (v + x) = sum(v) + 18 x
    Ex s = Exprs.sumOver(Exprs.add(V, X), Shape.of(18));
    assertEquals(Exprs.add(Exprs.reduce(ReduceOp.SUM, V, 1), Exprs.mul(Exprs.constant(18), X)), s);
  }

  @Test
  void broadcastFollowsNumpy() {
    assertEquals(Shape.of(3, 4), Shape.broadcast(Shape.of(3, 1), Shape.of(4)).orElseThrow());
    assertTrue(Shape.broadcast(Shape.of(3), Shape.of(4)).isEmpty());
    assertTrue(Shape.of(4).broadcastsTo(Shape.of(2, 4)));
    assertTrue(!Shape.of(2, 4).broadcastsTo(Shape.of(4)));
  }
}
