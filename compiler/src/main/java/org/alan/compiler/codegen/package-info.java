/**
 * Java code generation with JavaPoet. {@link org.alan.compiler.codegen.ModelEmitter} writes one class per model:
 * its {@code ModelSpec} as data, guide sampling ({@link org.alan.compiler.codegen.SamplerEmitter}), one kernel
 * class per factor ({@link org.alan.compiler.codegen.KernelEmitter}) and the typed data API. Generated code
 * contains only generated identifiers; user names appear only in escaped string literals.
 */
package org.alan.compiler.codegen;
