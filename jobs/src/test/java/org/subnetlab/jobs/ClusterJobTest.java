package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;

/** {@code subnetlab cluster} on a real SparkSession, both backends. */
class ClusterJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path conf;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("cluster-test", "local[2]");
    conf = TestConfigs.copy("tiny.conf", dir);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static List<Row> table(OutputLayout out, String name) {
    return spark.read().parquet(out.table(name).toString()).collectAsList();
  }

  @Test
  void writesTheClusterTablesWithShufflesOnSpark() {
    Settings s = ConfigLoader.load(conf, List.of("cluster.k=3", "cluster.shuffles=6",
        "cluster.modules=4", "cluster.random-controls=5"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("exact"));
    TrainModelJob.run(spark, s, out);
    ClusterJob.run(spark, s, out);
    // tiny model: 12 inputs (2·5 operands + 2 operations), 32 hidden, 5 outputs.
    List<Row> clusters = table(out, "clusters");
    assertThat(clusters.stream().filter(r -> r.getString(0).equals("spectral"))).hasSize(49);
    assertThat(clusters.stream().filter(r -> r.getString(0).equals("hierarchical"))).hasSize(32);
    Row c = table(out, "clusterability").get(0);
    assertThat(c.<Integer>getAs("n_shuffles")).isEqualTo(6);
    assertThat(c.<Double>getAs("p_value")).isBetween(1.0 / 7, 1.0);
    assertThat(c.<Double>getAs("n_cut")).isPositive();
    assertThat(table(out, "cluster_tree")).hasSize(31);
    List<Row> spec = table(out, "cluster_specialisation");
    assertThat(spec).isNotEmpty();
    for (Row r : spec) {
      assertThat(r.<Double>getAs("drop"))
          .isEqualTo(r.<Double>getAs("full_accuracy") - r.<Double>getAs("accuracy"));
    }
    assertThat(out.table("cluster_masks")).doesNotExist(); // no mask sweep in this directory
    assertThat(out.report().resolve("clusters.md")).exists();
  }

  @Test
  void powerIterationBackendPartitionsEveryUnit() {
    Settings s = ConfigLoader.load(conf, List.of("cluster.k=3", "cluster.shuffles=2",
        "cluster.backend=spark-pic", "cluster.random-controls=0"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("pic"));
    TrainModelJob.run(spark, s, out);
    ClusterJob.run(spark, s, out);
    List<Row> spectral = table(out, "clusters").stream()
        .filter(r -> r.getString(0).equals("spectral")).toList();
    assertThat(spectral).hasSize(49);
    assertThat(spectral.stream().mapToInt(r -> r.getInt(4)).max().orElseThrow()).isLessThan(3);
    assertThat(table(out, "clusterability").get(0).<String>getAs("backend"))
        .isEqualTo("spark-pic");
  }

  @Test
  void rejectsMoreClustersThanUnits() {
    Settings s = ConfigLoader.load(conf, List.of("cluster.k=500"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("big-k"));
    TrainModelJob.run(spark, s, out);
    assertThatThrownBy(() -> ClusterJob.run(spark, s, out))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Cannot set cluster.k to 500: the model has only 49 units.");
  }
}
