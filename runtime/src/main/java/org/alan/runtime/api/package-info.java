/**
 * The API apps use: {@link org.alan.runtime.api.Model} binds a compiled model to data and samples it. Generated
 * model classes add typed data builders that end in {@code model()}.
 */
package org.alan.runtime.api;
