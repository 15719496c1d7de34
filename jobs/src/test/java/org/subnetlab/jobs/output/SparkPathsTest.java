package org.subnetlab.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * Issue 23, defect 1: local paths with spaces, non-ASCII characters, {@code % # : = \} and glob
 * characters reach Spark and Hadoop as themselves ({@link SparkPaths}): Hadoop's Path maps the
 * string back to the same file, and a table Spark writes there lands in that directory (checked
 * with java.nio) and is read back from it, not from a sibling a glob pattern would match.
 */
class SparkPathsTest {
  /** Directory names with every character Hadoop or Spark treats specially. */
  static final List<String> NAMES =
      List.of(
          "with space",
          "ü",
          "日本 語",
          "a%20b",
          "100%",
          "a#b",
          "a:b",
          "c:",
          "a=b",
          "run[1]",
          "a*b",
          "a?b",
          "{x,y}",
          "back\\slash",
          "semi;colon",
          "'q\"");

  /** The same characters in fewer names, for the (slower) writes and reads of Spark. */
  static final List<String> SPARK_NAMES =
      List.of("with space ü 日本 語", "a%20b 100% #1;'q\"", "a:b=c c:", "back\\slash");

  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("spark-paths-test", "local[1]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void hadoopPathIsTheSameFile() {
    for (String n : NAMES) {
      Path p = dir.resolve("h").resolve(n).resolve("t " + n);
      org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(SparkPaths.of(p));
      assertThat(hp.toUri().getScheme()).as(n).isEqualTo("file");
      assertThat(new File(hp.toUri().getPath())).as(n).isEqualTo(p.toFile());
      // a relative path resolves against the working directory, as java.nio does
      assertThat(SparkPaths.of(Path.of(n))).isEqualTo("file:" + Path.of(n).toAbsolutePath());
    }
  }

  @Test
  void sparkWritesAndReadsEachDirectoryLiterally() throws Exception {
    for (String n : SPARK_NAMES) {
      Path parent = Files.createDirectories(dir.resolve("s").resolve(n));
      Path table = parent.resolve("table " + n);
      spark
          .createDataset(List.of(n, n + "-2"), Encoders.STRING())
          .toDF("v")
          .coalesce(1)
          .write()
          .parquet(SparkPaths.of(table));
      assertThat(table.resolve("_SUCCESS")).as(n).isRegularFile();
      try (var s = Files.list(parent)) {
        assertThat(s.map(f -> f.getFileName().toString()).toList())
            .as(n)
            .containsExactly("table " + n);
      }
      List<String> back = SparkPaths.parquet(spark, table).as(Encoders.STRING()).collectAsList();
      assertThat(back).as(n).containsExactlyInAnyOrder(n, n + "-2");
    }
  }

  @Test
  void globCharactersAreNotPatterns() throws Exception {
    // "r[1] a* {x,y}?" as a glob pattern matches "r1 ab xq"; both exist, each reads as itself.
    Path base = Files.createDirectories(dir.resolve("g"));
    for (String n : List.of("r[1] a* {x,y}?", "r1 ab xq")) {
      spark
          .createDataset(List.of(n), Encoders.STRING())
          .toDF("v")
          .coalesce(1)
          .write()
          .parquet(SparkPaths.of(base.resolve(n)));
    }
    for (String n : List.of("r[1] a* {x,y}?", "r1 ab xq")) {
      List<Row> rows = SparkPaths.parquet(spark, base.resolve(n)).collectAsList();
      assertThat(rows).as(n).extracting(r -> r.getString(0)).containsExactly(n);
    }
  }

  @Test
  void theUriFormIsReadAsAnotherDirectory() {
    // The defect: Path.toUri().toString() escapes the space, and Hadoop takes "%20" literally.
    Path p = dir.resolve("with space");
    org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(p.toUri().toString());
    assertThat(new File(hp.toUri().getPath()).getName()).isEqualTo("with%20space");
  }
}
