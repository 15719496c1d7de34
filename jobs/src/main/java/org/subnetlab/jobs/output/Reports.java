package org.subnetlab.jobs.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files under {@code report/}, each replaced atomically (written aside, then renamed). */
public final class Reports {
  private Reports() {}

  public static void write(OutputLayout out, String name, String text) {
    try {
      Files.createDirectories(out.report());
      // not createTempFile: its owner-only permissions would stay on the renamed file
      Path tmp = out.report().resolve("." + name + "." + java.util.UUID.randomUUID() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(
          tmp,
          out.report().resolve(name),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + out.report().resolve(name), e);
    }
  }

  /**
   * Deletes the files a failed or killed write left under {@code report/} ({@code .<name>.*.tmp}).
   * Only for the holder of the output lock.
   */
  static void cleanLeftovers(OutputLayout out) {
    if (!Files.isDirectory(out.report())) {
      return;
    }
    try (java.util.stream.Stream<Path> s = Files.list(out.report())) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // best effort: a leftover costs space only
    }
  }

  /** A double for a nullable table column: NaN and infinities (undefined values) become null. */
  public static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
