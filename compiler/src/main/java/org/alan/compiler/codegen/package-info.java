/**
 * Java code generation with JavaPoet. {@link org.alan.compiler.codegen.ModelEmitter} writes one class per model:
 * its {@code ModelSpec} as data, guide sampling ({@link org.alan.compiler.codegen.SamplerEmitter}), one kernel
 * class per factor ({@link org.alan.compiler.codegen.KernelEmitter}), with extra kernels for the parts of a factor
 * that {@link org.alan.compiler.codegen.SoftplusSplit} splits so that its plate's elements are summed without an
 * exponential per entry, the gradients ({@link org.alan.compiler.codegen.GradientEmitter}) and the typed data
 * API. Generated code
 * contains only generated identifiers; user names appear only in escaped string literals.
 */
package org.alan.compiler.codegen;
