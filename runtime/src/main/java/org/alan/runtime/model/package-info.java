/**
 * The contract between generated code and the runtime: a {@link org.alan.runtime.model.ModelSpec} describing the
 * model as data, and {@link org.alan.runtime.model.CompiledModel}, which generated classes extend to provide guide
 * sampling and factor kernels.
 */
package org.alan.runtime.model;
