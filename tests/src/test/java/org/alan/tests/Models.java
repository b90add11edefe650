package org.alan.tests;

import static org.junit.jupiter.api.Assertions.fail;

import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.api.ModelLoader;
import org.alan.runtime.api.Model;
import org.alan.runtime.io.DataSet;
import org.alan.runtime.io.JsonData;
import org.alan.runtime.model.CompiledModel;

/** Compiles .alan sources in memory and binds them to data, for tests. */
final class Models {
  private Models() {}

  static CompiledModel compile(String source) {
    CompilationResult result = AlanCompiler.compile(source, "test.alan", CompilerOptions.defaults().withBundleRuntime(false));
    if (!result.succeeded()) {
      fail("model does not compile:\n" + result.renderDiagnostics());
    }
    return ModelLoader.instantiate(result.artifacts().get(0));
  }

  static Model bind(String source, String json) {
    return Model.of(compile(source), JsonData.parse(json, "test-data.json"));
  }

  static Model bind(CompiledModel model, String json) {
    return Model.of(model, JsonData.parse(json, "test-data.json"));
  }

  static DataSet data(String json) {
    return JsonData.parse(json, "test-data.json");
  }

  /** A JSON array of numbers. */
  static String jsonArray(double[] values) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      out.append(i > 0 ? ", " : "").append(values[i]);
    }
    return out.append(']').toString();
  }
}
