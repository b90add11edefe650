package org.alan.compiler.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Finds a cycle in a directed graph over {@code 0..n-1}. */
final class Cycles {
  private Cycles() {}

  /**
   * Returns one cycle as a path that starts and ends at the same node, or null when the graph is acyclic.
   * Nodes are tried in increasing order, so the reported cycle is deterministic.
   */
  static List<Integer> find(int n, IntFunction<? extends Iterable<Integer>> successors) {
    int[] state = new int[n];
    List<Integer> stack = new ArrayList<>();
    for (int start = 0; start < n; start++) {
      if (state[start] == 0) {
        List<Integer> cycle = visit(start, successors, state, stack);
        if (cycle != null) {
          return cycle;
        }
      }
    }
    return null;
  }

  private static List<Integer> visit(int node, IntFunction<? extends Iterable<Integer>> successors, int[] state,
      List<Integer> stack) {
    state[node] = 1;
    stack.add(node);
    for (int next : successors.apply(node)) {
      if (state[next] == 1) {
        List<Integer> cycle = new ArrayList<>(stack.subList(stack.indexOf(next), stack.size()));
        cycle.add(next);
        return cycle;
      }
      if (state[next] == 0) {
        List<Integer> cycle = visit(next, successors, state, stack);
        if (cycle != null) {
          return cycle;
        }
      }
    }
    stack.remove(stack.size() - 1);
    state[node] = 2;
    return null;
  }
}
