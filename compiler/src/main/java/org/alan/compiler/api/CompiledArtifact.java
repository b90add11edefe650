package org.alan.compiler.api;

import org.alan.runtime.model.ModelSpec;

/**
 * One compiled model.
 *
 * @param className the fully qualified name of the generated class
 * @param javaSource the generated Java source
 * @param spec the model as data (what the generated class's {@code SPEC} holds)
 * @param explain the human-readable contraction plan
 * @param jar the model jar's bytes, or null when no jar was asked for
 */
public record CompiledArtifact(String modelName, String className, String javaSource, ModelSpec spec, String explain,
    byte[] jar) {}
