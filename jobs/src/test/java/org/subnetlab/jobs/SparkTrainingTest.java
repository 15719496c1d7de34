package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.model.ModelStore;

/**
 * {@code model.trainer = spark}: the demo base model trained with DL4J's Spark training (parameter
 * averaging) on local[2] reaches the bar the locally trained demo model reaches, and is a different
 * model with a different fingerprint. The cluster run is in StandaloneClusterIT.
 */
class SparkTrainingTest {
  /** The locally trained demo model gets 1.000 on every subtask; Spark training must reach 0.99. */
  static final double BAR = 0.99;

  @TempDir Path dir;

  @Test
  void dl4jSparkTrainingOnLocal2ReachesTheLocalBar() {
    Path demo = StandaloneCluster.PROJECT.resolve("conf/demo.conf");
    Settings spark = ConfigLoader.load(demo, List.of("model.trainer=spark", "model.seeds=[0]"));
    Settings local = ConfigLoader.load(demo, List.of("model.seeds=[0]"));
    assertThat(spark.modelFingerprint()).isNotEqualTo(local.modelFingerprint());
    SparkSession session = SparkSessions.local("spark-training-test", "local[2]");
    try {
      TrainModelJob.run(session, spark, OutputLayout.prepare(dir.resolve("spark")));
      TrainModelJob.run(session, local, OutputLayout.prepare(dir.resolve("local")));
    } finally {
      session.stop();
    }
    assertReachesTheLocalBar(dir.resolve("spark"));
    assertReachesTheLocalBar(dir.resolve("local"));
  }

  /** Every subtask's eval accuracy of the model in {@code out} is at least {@link #BAR}. */
  static void assertReachesTheLocalBar(Path out) {
    Config eval = new ModelStore(out.resolve("model")).metadata().getConfig("eval");
    assertThat(eval.root().keySet()).contains("ALL", "add", "sub", "mul");
    for (String subtask : eval.root().keySet()) {
      assertThat(eval.getDouble(subtask + ".accuracy"))
          .as("eval accuracy of %s", subtask)
          .isGreaterThanOrEqualTo(BAR);
    }
  }
}
