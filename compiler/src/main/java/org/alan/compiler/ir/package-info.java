/**
 * The model IR: a checked program with names resolved to indices, lets substituted, shapes inferred and the
 * guide merged in (or synthesised). {@link org.alan.compiler.ir.ModelIr} is the input of every analysis and of
 * code generation; {@link org.alan.compiler.ir.IrPrinter} dumps it for {@code --debug-ir}.
 */
package org.alan.compiler.ir;
