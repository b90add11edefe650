/**
 * Packaging: compiles generated Java in process (javax.tools) and writes model jars, with the runtime bundled
 * so that {@code java -jar Model.jar} runs on its own.
 */
package org.alan.compiler.packaging;
