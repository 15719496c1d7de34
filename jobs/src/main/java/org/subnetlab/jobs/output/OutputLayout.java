package org.subnetlab.jobs.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.subnetlab.config.BadInputException;

/**
 * The output directory of an experiment: {@code model/} (base model; {@code model-seed-<n>/} for
 * further base-model seeds), {@code masks/} (one committed Parquet file per finished run), {@code
 * tables/<name>/} (Parquet tables), {@code report/}.
 */
public record OutputLayout(Path root) {

  /** Checks that the output directory exists or can be made, and is writable. */
  public static OutputLayout prepare(Path root) {
    return new OutputLayout(writableDirectory(root, "output directory"));
  }

  /**
   * Makes {@code dir} (with its parents) unless it exists, and checks that a file can be created in
   * it; returns its absolute, normalised path. On failure: a BadInputException "Cannot write to
   * {@code what} DIR: REASON." with the file system's reason ("read-only file system", "permission
   * denied", "not a directory", ...), or "Cannot use {@code what} DIR: it is a file."
   */
  public static Path writableDirectory(Path dir, String what) {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new BadInputException("Cannot use " + what + " " + abs + ": it is a file.");
    }
    try {
      Files.createDirectories(abs);
      Path probe = Files.createTempFile(abs, ".write-probe", "");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new BadInputException(
          "Cannot write to " + what + " " + abs + ": " + describe(e) + ".", e);
    }
    return abs;
  }

  /** The base model of model seed 0 (the only one unless {@code model.seeds} says more). */
  public Path model() {
    return root.resolve("model");
  }

  /**
   * The base model of one model seed ({@code model.seeds}): {@code model/} for model seed 0, as
   * always, and {@code model-seed-<n>/} for model seed n > 0; each is committed on its own.
   */
  public Path model(long modelSeed) {
    return modelSeed == 0 ? model() : root.resolve("model-seed-" + modelSeed);
  }

  public Path masks() {
    return root.resolve("masks");
  }

  /**
   * The masks {@code compose} trains on the random-init copy of the base model ({@code
   * composition.random-init-control}): mask files as under {@link #masks()}, named by the run id of
   * the sweep run they repeat.
   */
  public Path randomInitMasks() {
    return root.resolve("masks-random-init");
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

  /**
   * The reason of a failed file operation, for a message: the file system's reason ("read-only file
   * system", "permission denied", "not a directory", ...) and the file it concerns. Java reports
   * ENOENT without a reason; then the reason is "no such file or directory", and for a path whose
   * parent exists (creating {@code /proc/x}) also the file system that refused it.
   */
  public static String describe(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException a) {
      return "permission denied" + (a.getFile() == null ? "" : " (" + a.getFile() + ")");
    }
    if (e instanceof java.nio.file.NoSuchFileException n && n.getFile() != null) {
      return "no such file or directory (" + n.getFile() + ")" + refusedBy(Path.of(n.getFile()));
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      String reason = f.getReason();
      reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
      return reason + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /** "; DIR (a proc file system) does not allow creating it" when DIR, the parent, exists. */
  private static String refusedBy(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return "";
    }
    try {
      String type = Files.getFileStore(parent).type();
      return "; " + parent + " (a " + type + " file system) does not allow creating it";
    } catch (IOException | SecurityException ex) {
      return "; " + parent + " does not allow creating it";
    }
  }
}
