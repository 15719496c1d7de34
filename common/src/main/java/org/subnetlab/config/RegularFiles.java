package org.subnetlab.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Why a path the user named as an input file (the config file, {@code model.import}) cannot be read
 * as one: it is missing, or it is a directory, a FIFO, a device, ... — said as what it is, not as
 * "no such file".
 */
public final class RegularFiles {
  private RegularFiles() {}

  /**
   * Null if {@code file} is a readable regular file (symbolic links followed); otherwise the
   * reason, e.g. "no such file", "it is a directory", "it is a FIFO (named pipe), not a regular
   * file", "it is a character device, not a regular file".
   */
  public static String problem(Path file) {
    if (Files.isRegularFile(file)) {
      return Files.isReadable(file) ? null : "permission denied";
    }
    if (!Files.exists(file)) {
      return Files.exists(file, LinkOption.NOFOLLOW_LINKS)
          ? "no such file (a symbolic link to a missing file)"
          : "no such file";
    }
    if (Files.isDirectory(file)) {
      return "it is a directory";
    }
    return "it is " + kind(file) + ", not a regular file";
  }

  /** "a FIFO (named pipe)", "a character device", ... for a path that is none of file or dir. */
  static String kind(Path file) {
    int mode;
    try {
      mode = (Integer) Files.getAttribute(file, "unix:mode");
    } catch (IOException
        | UnsupportedOperationException
        | IllegalArgumentException
        | SecurityException e) {
      return "a special file";
    }
    return switch (mode & 0170000) {
      case 0010000 -> "a FIFO (named pipe)";
      case 0020000 -> "a character device";
      case 0060000 -> "a block device";
      case 0140000 -> "a socket";
      default -> "a special file";
    };
  }
}
