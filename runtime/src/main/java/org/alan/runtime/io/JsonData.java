package org.alan.runtime.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
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
    if (origin.isEmpty()) {
      throw new DataException("no data file named (an empty file name)");
    }
    if (Files.isDirectory(file)) {
      throw new DataException(origin + ": is a directory, not a JSON data file");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new DataException(origin + ": not valid JSON: the file is not UTF-8 text");
    } catch (NoSuchFileException e) {
      throw new DataException(origin + ": no such file");
    } catch (IOException e) {
      throw new DataException("cannot read " + IoErrors.describe(e));
    }
    return parse(text, origin);
  }

  public static DataSet parse(String json, String origin) {
    String body = json.startsWith("\uFEFF") ? json.substring(1) : json;
    JsonStrictness.verify(body, origin);
    return parse(new StringReader(body), origin);
  }

  private static DataSet parse(Reader reader, String origin) {
    DataSet out = new DataSet(origin);
    try {
      JsonReader json = new JsonReader(reader);
      // lenient, so that NaN and Infinity are read and then reported by name instead of as a syntax error; what
      // else only a lenient reader accepts was refused by JsonStrictness
      json.setStrictness(Strictness.LENIENT);
      if (json.peek() != JsonToken.BEGIN_OBJECT) {
        throw new DataException(origin + ": expected a JSON object mapping variable names to arrays");
      }
      json.beginObject();
      while (json.hasNext()) {
        String name = json.nextName();
        JsonElement value = JsonParser.parseReader(json);
        if (out.get(name) != null) {
          throw new DataException(origin + ": '" + name + "' is given twice");
        }
        out.put(name, NestedArrays.flatten(name, toJava(value, "'" + name + "'", origin), origin));
      }
      json.endObject();
      if (json.peek() != JsonToken.END_DOCUMENT) {
        throw new DataException(origin + ": unexpected content after the data object, near " + position(json));
      }
    } catch (JsonParseException e) {
      throw new DataException(origin + ": not valid JSON: " + cleanMessage(e));
    } catch (IOException | IllegalStateException e) {
      throw new DataException(origin + ": not valid JSON: " + clean(e.getMessage()));
    }
    return out;
  }

  /** "line 3 column 5" from a reader's description of where it is. */
  private static String position(JsonReader json) {
    String where = json.toString();
    int at = where.indexOf(" at line ");
    String position = at >= 0 ? where.substring(at + 4) : "the end";
    int path = position.indexOf(" path ");
    return path >= 0 ? position.substring(0, path) : position;
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
        Array a = e.getValue();
        if (a.runs() == null) {
          nested(w, a.values(), a.dims(), 0, new int[] {0});
        } else {
          // ragged along its second axis: each run of rows as an array of its own
          int[] row = java.util.Arrays.copyOf(a.dims(), a.dims().length);
          int[] cursor = {0};
          w.beginArray();
          for (int run : a.runs()) {
            row[0] = run;
            nested(w, a.values(), row, 0, cursor);
          }
          w.endArray();
        }
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
    return clean(cause.getMessage());
  }

  /** Gson's message without its trailing troubleshooting link. */
  private static String clean(String m) {
    int see = m == null ? -1 : m.indexOf("\nSee ");
    return see >= 0 ? m.substring(0, see) : String.valueOf(m);
  }
}
