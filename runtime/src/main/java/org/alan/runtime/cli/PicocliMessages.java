package org.alan.runtime.cli;

/** Touches up picocli's own error messages for alanc and the model jars. */
public final class PicocliMessages {
  private PicocliMessages() {}

  /** The message without picocli's doubled word ("Value for option option '--size' ..."). */
  public static String clean(String message) {
    return message == null ? "" : message.replace("option option '", "option '");
  }
}
