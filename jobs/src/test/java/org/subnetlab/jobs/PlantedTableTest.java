package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * The planted-truth table task (conf/planted-table.conf, docs/tasks.md "planted table task"): with
 * the shipped regulariser defaults, the masks of each subtask are recovered from a base model that
 * subnetlab trains, measured from the Parquet tables by {@link PlantedTruth}, independently of the
 * summary code.
 */
class PlantedTableTest {
  /** Issue 22's acceptance: subnetwork accuracy at least 95 % of the full model's. */
  static final double TOLERANCE = 0.05;

  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("planted-table-test", "local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The repository root: the first parent of the working directory holding the shipped config. */
  static Path repo() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("conf/planted-table.conf"))) {
      p = p.getParent();
    }
    assertThat(p).as("repository root above the working directory").isNotNull();
    return p;
  }

  @Test
  void shippedCsvHoldsThePlantedLabelsAndIndicators() throws Exception {
    List<String> lines = Files.readAllLines(repo().resolve("conf/data/planted-table.csv"));
    assertThat(lines.get(0))
        .isEqualTo("a0,a1,a2,a3,b0,b1,b2,b3,n0,n1,n2,n3,task_a,task_b,label,subtask,split");
    Map<String, Integer> counts = new java.util.TreeMap<>();
    int[] onesPerColumn = new int[12];
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      int[] x = new int[15];
      for (int i = 0; i < 15; i++) {
        x[i] = Integer.parseInt(f[i]);
      }
      int o = f[15].equals("a") ? 0 : 4;
      int planted = (x[o] & x[o + 1]) | (x[o + 2] & x[o + 3]);
      assertThat(x[14]).as(line).isEqualTo(planted);
      assertThat(new int[] {x[12], x[13]})
          .as(line)
          .containsExactly(f[15].equals("a") ? new int[] {1, 0} : new int[] {0, 1});
      for (int i = 0; i < 12; i++) {
        onesPerColumn[i] += x[i];
      }
      counts.merge(f[15] + "/" + f[16], 1, Integer::sum);
    }
    assertThat(counts)
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.of("a/eval", 500, "a/train", 1500, "b/eval", 500, "b/train", 1500)));
    // fair bits: 4000 draws each, far inside 5 standard deviations (±158) of 2000
    for (int c : onesPerColumn) {
      assertThat(c).isBetween(1842, 2158);
    }
  }

  @Test
  void shippedDefaultsRecoverThePlantedSplitWithBothMethods() throws Exception {
    Path root = repo();
    // The shipped config as it is (model, steps, alpha and lambda from reference.conf), with one
    // mask seed instead of three and no random controls (they do not change the masks), for time.
    Settings settings =
        ConfigLoader.load(
            root.resolve("conf/planted-table.conf"),
            List.of(
                "task.table.path=\"" + root.resolve("conf/data/planted-table.csv") + "\"",
                "masks.seeds=[0]",
                "aggregate.random-controls=0"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings, out);

    List<PlantedTruth.Figures> all = PlantedTruth.measure(spark, dir.resolve("out"));
    Map<String, PlantedTruth.Figures> selected =
        PlantedTruth.selectSparsestWithinTolerance(all, TOLERANCE);
    assertThat(selected)
        .containsOnlyKeys(
            "continuous-sparsification/a/0",
            "continuous-sparsification/b/0",
            "csordas/a/0",
            "csordas/b/0");
    for (PlantedTruth.Figures f : selected.values()) {
      String what = f.method() + " " + f.gridPoint() + " subtask " + f.subtask();
      assertThat(f.firstKept()).as(what).isPositive();
      assertThat(f.own()).as(what + " own share").isGreaterThanOrEqualTo(0.90);
      assertThat(f.other()).as(what + " other share").isLessThanOrEqualTo(0.05);
      // the stricter reading: among the kept weights that read a feature (no indicator)
      assertThat(f.ownOfFeatures())
          .as(what + " own share of features")
          .isGreaterThanOrEqualTo(0.90);
      assertThat(f.relativeAccuracy())
          .as(what + " accuracy / full")
          .isGreaterThanOrEqualTo(1 - TOLERANCE);
    }
    for (String method : List.of("csordas", "continuous-sparsification")) {
      double j = PlantedTruth.jaccard(selected.get(method + "/a/0"), selected.get(method + "/b/0"));
      assertThat(j).as(method + " Jaccard a-b").isLessThanOrEqualTo(0.1);
    }
  }
}
