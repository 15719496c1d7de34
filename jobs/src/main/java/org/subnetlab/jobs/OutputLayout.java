package org.subnetlab.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.subnetlab.config.BadInputException;

/**
 * The output directory of an experiment: {@code model/} (base model), {@code masks/} (one committed
 * Parquet file per finished run), {@code tables/<name>/} (Parquet tables), {@code report/}.
 */
public record OutputLayout(Path root) {

  /** Checks that the output directory exists or can be made, and is writable. */
  public static OutputLayout prepare(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new BadInputException("Cannot use output directory " + abs + ": it is a file.");
    }
    try {
      Files.createDirectories(abs);
      Path probe = Files.createTempFile(abs, ".write-probe", "");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new BadInputException(
          "Cannot write to output directory " + abs + ": " + describe(e) + ".", e);
    }
    return new OutputLayout(abs);
  }

  public Path model() {
    return root.resolve("model");
  }

  public Path masks() {
    return root.resolve("masks");
  }

  public Path tables() {
    return root.resolve("tables");
  }

  public Path table(String name) {
    return tables().resolve(name);
  }

  public Path report() {
    return root.resolve("report");
  }

  public static String describe(Exception e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
