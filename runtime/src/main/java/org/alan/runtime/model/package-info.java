/**
 * The contract between generated code and the runtime: a {@link org.alan.runtime.model.ModelSpec} describing the
 * model as data, and {@link org.alan.runtime.model.CompiledModel}, which generated classes extend to provide guide
 * sampling and factor kernels. {@link org.alan.runtime.model.SeparableSoftplusKernel} and
 * {@link org.alan.runtime.model.SeparableSoftplusGradient} assemble a Bernoulli-logit factor the compiler split
 * into its logit's row and column parts from the parts' generated kernels and gradients.
 */
package org.alan.runtime.model;
