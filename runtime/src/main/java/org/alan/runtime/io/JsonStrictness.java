package org.alan.runtime.io;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rejects what only a lenient JSON reader accepts (comments, single quotes, unquoted names, trailing commas, {@code
 * =} and {@code ;} separators), before the data are parsed leniently for one reason: to read {@code NaN} and
 * {@code Infinity}, which Python's json module writes, and report them by variable name.
 */
final class JsonStrictness {
  private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
  private static final Set<String> WORDS = Set.of("true", "false", "null", "NaN", "Infinity", "-Infinity");

  private JsonStrictness() {}

  static void verify(String text, String origin) {
    int line = 1;
    int lineStart = 0;
    char previous = 0;
    int commaLine = 0;
    int commaColumn = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        lineStart = i + 1;
        i++;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        i++;
      } else if (c == '"') {
        i = endOfString(text, i);
        previous = '"';
      } else if ("{}[]:,".indexOf(c) >= 0) {
        if ((c == ']' || c == '}') && previous == ',') {
          throw error(origin, commaLine, commaColumn, "a comma before '" + c + "' (trailing commas are not JSON)");
        }
        if (c == ',' && (previous == ',' || previous == '[' || previous == '{')) {
          throw error(origin, line, i - lineStart, "a missing value before ','");
        }
        if (c == ',') {
          commaLine = line;
          commaColumn = i - lineStart;
        }
        previous = c;
        i++;
      } else if (Character.isLetterOrDigit(c) || c == '-' || c == '+' || c == '.') {
        int end = i;
        while (end < text.length()
            && (Character.isLetterOrDigit(text.charAt(end)) || "+-._".indexOf(text.charAt(end)) >= 0)) {
          end++;
        }
        String word = text.substring(i, end);
        if (!WORDS.contains(word) && !NUMBER.matcher(word).matches()) {
          throw error(origin, line, i - lineStart, (Character.isLetter(c) ? "unquoted text '" : "'") + word
              + (Character.isLetter(c) ? "' (names and strings need double quotes)" : "' is not a JSON number"));
        }
        previous = 'a';
        i = end;
      } else {
        String what = switch (c) {
          case '/', '#' -> "a comment (JSON has none)";
          case '\'' -> "a single quote (JSON strings take double quotes)";
          default -> "the character '" + c + "'";
        };
        throw error(origin, line, i - lineStart, what);
      }
    }
  }

  /** The index just after the string that starts at {@code start} (a double quote); the parser reports bad ones. */
  private static int endOfString(String text, int start) {
    int i = start + 1;
    while (i < text.length() && text.charAt(i) != '"' && text.charAt(i) != '\n') {
      i += text.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(i + 1, text.length());
  }

  private static DataException error(String origin, int line, int column, String what) {
    return new DataException(origin + ": not valid JSON: " + what + " at line " + line + " column " + (column + 1));
  }
}
