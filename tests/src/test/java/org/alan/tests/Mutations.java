package org.alan.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutations of valid inputs for {@link FuzzTest}: programs by tokens (a program a keystroke or two away from one
 * that compiles is what an editor sends most), data files by JSON values (wrong numbers, types, shapes and names)
 * and by characters (broken syntax).
 */
final class Mutations {
  private static final Pattern TOKEN = Pattern.compile(
      "`?[A-Za-z_][A-Za-z_0-9]*`?|\\d+(\\.\\d*)?([eE][+-]?\\d+)?|\\.\\d+|[+<>=!]=|//[^\\n]*|/\\*|\\*/|\\s+|.",
      Pattern.DOTALL);
  private static final String[] INSERTS = {"{", "}", "(", ")", "[", "]", ";", ",", "~", "=", "+=", "|", ":", "data",
      "input", "plate", "group", "let", "param", "model", "guide", "T", "-", "^", "1e400", "0", "-1", "x", "mu",
      "Normal", "qem(0)", "/*", "*/", "//", "`", "\u00e9", "\n", "lag", "cumsum", "[1:2]", "2147483648"};
  private static final String[] VALUES = {"NaN", "Infinity", "-Infinity", "1e400", "-1e400", "0", "-1", "1.5",
      "2147483648", "-2147483649", "1e-320", "null", "true", "\"text\"", "[]", "[[]]", "{}", "[1, 2]", "[[1], [2, 3]]",
      "1e308", "9007199254740993", "\"1\"", "[NaN]", "0.0"};

  private Mutations() {}

  /** The program with one to four token edits: delete, duplicate, swap with its neighbour, or insert a token. */
  static String program(String source, Random random) {
    List<String> tokens = tokens(source);
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && !tokens.isEmpty(); e++) {
      int at = random.nextInt(tokens.size());
      switch (random.nextInt(5)) {
        case 0 -> tokens.remove(at);
        case 1 -> tokens.add(at, tokens.get(at));
        case 2 -> {
          if (at + 1 < tokens.size()) {
            String t = tokens.get(at);
            tokens.set(at, tokens.get(at + 1));
            tokens.set(at + 1, t);
          }
        }
        case 3 -> tokens.set(at, tokens.get(random.nextInt(tokens.size())));
        default -> tokens.add(at, " " + INSERTS[random.nextInt(INSERTS.length)] + " ");
      }
    }
    if (random.nextInt(20) == 0) {
      tokens = tokens.subList(0, random.nextInt(tokens.size() + 1)); // cut off, as an editor sends half-typed text
    }
    return String.join("", tokens);
  }

  /**
   * The data with one to three edits: a number replaced by an odd value, an array element dropped or doubled, a
   * name changed, or (rarely) a character deleted or inserted.
   */
  static String json(String json, Random random) {
    String out = json;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      out = switch (random.nextInt(7)) {
        case 0, 1 -> replaceNth(out, Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?"), random,
            VALUES[random.nextInt(VALUES.length)]);
        case 2 -> replaceNth(out, Pattern.compile(",\\s*-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?"), random, "");
        case 3 -> {
          Matcher m = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?").matcher(out);
          List<int[]> at = spans(m);
          if (at.isEmpty()) {
            yield out;
          }
          int[] s = at.get(random.nextInt(at.size()));
          String v = out.substring(s[0], s[1]);
          yield out.substring(0, s[1]) + ", " + v + out.substring(s[1]);
        }
        case 4 -> replaceNth(out, Pattern.compile("\"[A-Za-z_][A-Za-z_0-9]*\""), random,
            random.nextBoolean() ? "\"unknown\"" : "\"\"");
        case 5 -> replaceNth(out, Pattern.compile("\\[(\\s*-?[\\d.eE+-]+\\s*,?)+\\]"), random,
            random.nextBoolean() ? "[]" : "[[1, 2], [3]]");
        default -> {
          int at = random.nextInt(out.length() + 1);
          yield random.nextBoolean() && at < out.length() ? out.substring(0, at) + out.substring(at + 1)
              : out.substring(0, at) + "[{,\":]}".charAt(random.nextInt(7)) + out.substring(at);
        }
      };
    }
    return out;
  }

  private static String replaceNth(String text, Pattern pattern, Random random, String replacement) {
    List<int[]> at = spans(pattern.matcher(text));
    if (at.isEmpty()) {
      return text;
    }
    int[] s = at.get(random.nextInt(at.size()));
    return text.substring(0, s[0]) + replacement + text.substring(s[1]);
  }

  private static List<int[]> spans(Matcher m) {
    List<int[]> out = new ArrayList<>();
    while (m.find()) {
      out.add(new int[] {m.start(), m.end()});
    }
    return out;
  }

  private static List<String> tokens(String source) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(source);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }
}
