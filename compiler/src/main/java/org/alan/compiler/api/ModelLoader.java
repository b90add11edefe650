package org.alan.compiler.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.alan.runtime.model.CompiledModel;

/**
 * Loads a compiled model straight from its jar bytes, without writing files: for tests, notebooks and tools
 * that compile and run in one process. Runtime classes come from the caller's class loader, so a thin jar is
 * enough.
 */
public final class ModelLoader {
  private ModelLoader() {}

  public static CompiledModel instantiate(CompiledArtifact artifact) {
    if (artifact.jar() == null) {
      throw new IllegalArgumentException("model " + artifact.modelName() + " was compiled without a jar");
    }
    Map<String, byte[]> classes = new HashMap<>();
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(artifact.jar()))) {
      JarEntry e;
      while ((e = in.getNextJarEntry()) != null) {
        // parent-first delegation: runtime classes the caller already has are never redefined from the jar
        if (e.getName().endsWith(".class")) {
          classes.put(e.getName().substring(0, e.getName().length() - 6).replace('/', '.'), in.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ClassLoader loader = new ClassLoader(ModelLoader.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
    try {
      return (CompiledModel) loader.loadClass(artifact.className()).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + artifact.className(), e);
    }
  }
}
