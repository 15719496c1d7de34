package org.subnetlab.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.subnetlab.config.BadInputException;

/**
 * The output directory of an experiment: {@code model/} (base model; {@code model-seed-<n>/} for
 * further base-model seeds), {@code masks/} (one committed
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
   * The masks {@code compose} trains on the random-init copy of the base model
   * ({@code composition.random-init-control}): mask files as under {@link #masks()}, named by the
   * run id of the sweep run they repeat.
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

  public static String describe(Exception e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
