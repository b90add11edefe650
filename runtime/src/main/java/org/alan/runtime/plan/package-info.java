/**
 * The contraction plan as data: which tensors each plate element combines, in which elimination steps, and what it
 * hands to its parent plate. The compiler's planner builds it, generated code embeds it, and the engine's forward
 * pass, backward pass, importance resampling and {@code explain} all walk the same structure.
 *
 * <p>Dimensions are latent groups (one K dimension each). Every dimension list is in the plan's canonical order,
 * which puts a plate's groups in elimination order and deeper plates' groups before their ancestors'. That order
 * makes the dimensions summed at a step a prefix of every input's layout, so a step can stream over them.
 */
package org.alan.runtime.plan;
