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
 * A GPT-2 written by PyTorch in Hugging Face's layout ({@code model.transformer.import}) through
 * the whole pipeline (issue 25): the fixture common/src/test/resources/gpt2-tiny (2 layers, width
 * 32, 4 heads, vocabulary 50, written by common/src/test/python/make_gpt2_fixture.py), masked on
 * the arithmetic task's tokens (a broken checkpoint through the CLI: TransformerCliTest).
 */
class ImportedGpt2PipelineTest {
  static final Path FIXTURE = Path.of("..", "common", "src", "test", "resources", "gpt2-tiny");

  @TempDir static Path dir;
  static SparkSession spark;
  static OutputLayout out;
  static Settings settings;

  static String conf(Path checkpoint) {
    return String.join(
        "\n",
        "model.kind = transformer",
        "model.transformer.import = \"" + checkpoint.toAbsolutePath() + "\"",
        "task.arithmetic.modulus = 5",
        "task.arithmetic.train-examples-per-subtask = 64",
        "masks.methods = [csordas, hard-concrete]",
        "masks.seeds = [0]",
        "masks.csordas.steps = 10",
        "masks.csordas.batch-size = 16",
        "masks.hard-concrete.steps = 10",
        "masks.hard-concrete.batch-size = 16",
        "aggregate.random-controls = 1",
        "");
  }

  @BeforeAll
  static void runPipeline() throws Exception {
    spark = SparkSessions.local("imported-gpt2-test", "local[2]");
    Path conf = dir.resolve("t.conf");
    Files.writeString(conf, conf(FIXTURE));
    settings = ConfigLoader.load(conf, List.of());
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings, out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void theImportedWeightsAreTheBaseModelAndTheTablesNameTheirTensors() {
    Gpt2Import.Checkpoint fixture = Gpt2Import.read(FIXTURE);
    Gpt2Import.Checkpoint stored = Gpt2Import.read(out.model());
    assertThat(stored.config()).isEqualTo(fixture.config());
    assertThat(stored.params()).containsExactly(fixture.params());
    assertThat(TransformerPipelineTest.checkAblation(spark, settings, out, fixture, 2))
        .isEqualTo(2 * 3 * 3 * 3);
    // 2 methods x 3 subtasks x 3 eval subtasks x 8 heads x 2 modes
    assertThat(TransformerPipelineTest.checkHeads(spark, settings, out, fixture, 2))
        .isEqualTo(2 * 3 * 3 * 8 * 2);
    assertThat(
            spark
                .read()
                .parquet(out.table("sparsity").toString())
                .where("layer = 'h.1.attn.c_attn.weight'")
                .count())
        .isEqualTo(2 * 3);
  }
}
