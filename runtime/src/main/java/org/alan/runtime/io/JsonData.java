package org.alan.runtime.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads data files: a JSON object from variable names to numbers or nested arrays of numbers. */
public final class JsonData {
  private JsonData() {}

  public static DataSet read(Path file) {
    String origin = file.toString();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(reader, origin);
    } catch (NoSuchFileException e) {
      throw new DataException(origin + ": no such file");
    } catch (IOException e) {
      throw new DataException(origin + ": cannot read: " + e.getMessage());
    }
  }

  public static DataSet parse(String json, String origin) {
    return parse(new StringReader(json), origin);
  }

  private static DataSet parse(Reader reader, String origin) {
    JsonElement root;
    try {
      JsonReader json = new JsonReader(reader);
      // lenient, so that NaN and Infinity are read and then reported by name instead of as a syntax error
      json.setStrictness(Strictness.LENIENT);
      root = JsonParser.parseReader(json);
    } catch (JsonParseException e) {
      throw new DataException(origin + ": not valid JSON: " + cleanMessage(e));
    }
    if (!root.isJsonObject()) {
      throw new DataException(origin + ": expected a JSON object mapping variable names to arrays");
    }
    DataSet out = new DataSet(origin);
    for (Map.Entry<String, JsonElement> e : ((JsonObject) root).entrySet()) {
      out.put(e.getKey(), NestedArrays.flatten(e.getKey(), toJava(e.getValue(), e.getKey(), origin), origin));
    }
    return out;
  }

  private static Object toJava(JsonElement e, String path, String origin) {
    if (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      List<Object> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        out.add(toJava(a.get(i), path + "[" + i + "]", origin));
      }
      return out;
    }
    if (e.isJsonPrimitive()) {
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isNumber()) {
        return p.getAsDouble();
      }
      if (p.isBoolean()) {
        return p.getAsBoolean();
      }
      String s = p.getAsString();
      if (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity")) {
        return Double.parseDouble(s);
      }
      throw new DataException(origin + ": " + path + " should be a number, found the string \"" + s + "\"");
    }
    if (e.isJsonNull()) {
      throw new DataException(origin + ": " + path + " is null; missing values are not supported");
    }
    throw new DataException(origin + ": " + path + " should be a number or an array, found an object");
  }

  /** Writes a data set as JSON in the format {@link #read} reads: name to nested arrays. */
  public static String write(DataSet data) {
    java.io.StringWriter text = new java.io.StringWriter();
    try (com.google.gson.stream.JsonWriter w = new com.google.gson.stream.JsonWriter(text)) {
      w.beginObject();
      for (Map.Entry<String, Array> e : data.arrays().entrySet()) {
        w.name(e.getKey());
        nested(w, e.getValue().values(), e.getValue().dims(), 0, new int[] {0});
      }
      w.endObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return text + "\n";
  }

  private static void nested(com.google.gson.stream.JsonWriter w, double[] values, int[] dims, int axis, int[] cursor)
      throws IOException {
    if (axis == dims.length) {
      double v = values[cursor[0]++];
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        w.value((long) v);
      } else {
        w.value(v);
      }
      return;
    }
    w.beginArray();
    for (int i = 0; i < dims[axis]; i++) {
      nested(w, values, dims, axis + 1, cursor);
    }
    w.endArray();
  }

  private static String cleanMessage(JsonParseException e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String m = cause.getMessage();
    int see = m == null ? -1 : m.indexOf("\nSee ");
    return see >= 0 ? m.substring(0, see) : String.valueOf(m);
  }
}
