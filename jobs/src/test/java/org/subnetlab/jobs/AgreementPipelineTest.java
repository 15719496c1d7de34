package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.transformer.Gpt2Import;

/**
 * The agreement grammar (singular, plural, attractor) through the whole pipeline on a transformer
 * (issue 25): the executors rebuild the grammar's sentences, and every ablation row equals the
 * stored GPT-2 evaluated here with the run's mask.
 */
class AgreementPipelineTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static OutputLayout out;
  static Settings settings;

  @BeforeAll
  static void runPipeline() throws Exception {
    spark = SparkSessions.local("agreement-pipeline-test", "local[2]");
    Path conf = dir.resolve("a.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "model.kind = transformer",
            "task.name = agreement",
            "task.agreement.train-examples-per-subtask = 200",
            "task.agreement.eval-examples-per-subtask = 40",
            "model.transformer.layers = 1",
            "model.transformer.width = 16",
            "model.transformer.heads = 2",
            "model.transformer.mlp-width = 32",
            "model.transformer.steps = 60",
            "model.transformer.warmup-steps = 5",
            "model.transformer.batch-size = 16",
            "masks.methods = [continuous-sparsification, hard-concrete]",
            "masks.seeds = [0]",
            "masks.continuous-sparsification.steps = 10",
            "masks.continuous-sparsification.batch-size = 16",
            "masks.hard-concrete.steps = 10",
            "masks.hard-concrete.batch-size = 16",
            "aggregate.random-controls = 1",
            ""));
    settings = ConfigLoader.load(conf, List.of());
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings, out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void everySubtaskIsMaskedAndTheAblationIsTheStoredModels() {
    assertThat(
            TransformerPipelineTest.checkAblation(
                spark, settings, out, Gpt2Import.read(out.model()), 2))
        .isEqualTo(2 * 3 * 3 * 3);
    assertThat(
            spark
                .read()
                .parquet(out.table("masks").toString())
                .select("subtask")
                .distinct()
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList())
        .containsExactlyInAnyOrder("singular", "plural", "attractor");
    assertThat(out.report().resolve("index.html")).exists();
  }
}
