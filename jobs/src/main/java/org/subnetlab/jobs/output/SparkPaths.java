package org.subnetlab.jobs.output;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The one place where a local path becomes a path string for Spark and Hadoop.
 *
 * <p>Hadoop's {@code Path(String)} takes its argument as unescaped text: a scheme before the first
 * colon (only if that colon comes before the first slash), then the path, which it escapes itself.
 * So {@code Path.toUri().toString()} ({@code file:///a%20b}) comes back as the directory {@code
 * a%20b}, and a relative path with a colon in its first segment ({@code a:b/out}) reads as scheme
 * {@code a}. {@code file:} followed by the absolute, normalised path reads back as exactly that
 * path for spaces, non-ASCII characters, {@code %}, {@code #} and {@code :}. Spark's readers also
 * expand glob patterns ({@code * ? [ ] { } \}) in the paths they are given; {@link #read} turns
 * that off, so that a directory named {@code run[1]} is read as itself.
 */
public final class SparkPaths {
  /** Spark's (internal, stable since 3.1) option of its file readers: "false" = no globbing. */
  static final String GLOB_PATHS = "__globPaths__";

  private SparkPaths() {}

  /** The string Spark and Hadoop read as exactly the local path {@code p}. */
  public static String of(Path p) {
    return "file:" + p.toAbsolutePath().normalize();
  }

  /** A reader that takes the paths it is given literally (no glob patterns). */
  public static DataFrameReader read(SparkSession spark) {
    return spark.read().option(GLOB_PATHS, "false");
  }

  /** The Parquet files or directories {@code paths}, read literally. */
  public static Dataset<Row> parquet(SparkSession spark, Path... paths) {
    return parquet(read(spark), paths);
  }

  /**
   * {@code paths} read with {@code reader} (e.g. {@code read(spark).option("mergeSchema", ..)}).
   */
  public static Dataset<Row> parquet(DataFrameReader reader, Path... paths) {
    String[] all = Arrays.stream(paths).map(SparkPaths::of).toArray(String[]::new);
    if (all.length > 1 && Arrays.stream(all).anyMatch(SparkPaths::looksLikeGlob)) {
      // SPARK-58518: with globbing off, Spark 3.5 returns the whole path list once for every
      // path that looks like a glob, so each file is read that many times. Read one at a time.
      Dataset<Row> union = null;
      for (String p : all) {
        Dataset<Row> one = reader.parquet(p);
        union = union == null ? one : union.unionByName(one, true);
      }
      return union;
    }
    return reader.parquet(all);
  }

  /** What Spark takes for a glob pattern (SparkHadoopUtil.isGlobPath). */
  static boolean looksLikeGlob(String path) {
    return path.chars().anyMatch(c -> "{}[]*?\\".indexOf(c) >= 0);
  }
}
