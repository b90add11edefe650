package org.alan.runtime.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** File-system failures in words; the exceptions' own messages are often just a path. */
public final class IoErrors {
  private IoErrors() {}

  /**
   * {@code e} naming {@code file} where it does not already: a write's "Input/output error" or "No space left on
   * device" carries no path.
   */
  public static IOException naming(Path file, IOException e) {
    if (e instanceof FileSystemException f && f.getFile() != null) {
      return e;
    }
    FileSystemException named = new FileSystemException(file.toString(), null,
        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    named.initCause(e);
    return named;
  }

  /** For example "out/draws.csv: no such file or directory". */
  public static String describe(IOException e) {
    if (e instanceof FileSystemException f) {
      String path = f.getFile() == null ? "" : f.getFile() + ": ";
      if (e instanceof NoSuchFileException) {
        return path + "no such file or directory";
      } else if (e instanceof AccessDeniedException) {
        return path + "permission denied";
      } else if (e instanceof FileAlreadyExistsException) {
        return path + "exists and is not a directory";
      } else if (e instanceof NotDirectoryException) {
        return path + "not a directory";
      } else if (f.getReason() != null) {
        return path + f.getReason();
      }
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
