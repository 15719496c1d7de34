package org.subnetlab.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.subnetlab.model.ModelStore;

/**
 * Writes result tables atomically: Spark writes {@code tables/.<name>.tmp-<uuid>/}, which is then
 * renamed to {@code tables/<name>/}, replacing the previous version in one step. Readers never see a
 * half-written table; a table directory without Spark's {@code _SUCCESS} marker is not ours.
 */
public final class Tables {
  private Tables() {}

  public static void replace(Dataset<Row> table, OutputLayout out, String name) {
    Path dest = out.table(name);
    Path tmp = out.tables().resolve("." + name + ".tmp-" + UUID.randomUUID());
    Path old = out.tables().resolve("." + name + ".old-" + UUID.randomUUID());
    try {
      Files.createDirectories(out.tables());
      table.coalesce(1).write().parquet(SparkPaths.of(tmp));
      if (Files.exists(dest)) {
        Files.move(dest, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot write table " + dest, e);
    } finally {
      ModelStore.deleteQuietly(tmp);
      ModelStore.deleteQuietly(old);
    }
  }
}
