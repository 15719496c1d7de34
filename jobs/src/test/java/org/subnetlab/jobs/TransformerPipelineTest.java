package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.mask.Mask;
import org.subnetlab.model.Evaluation;
import org.subnetlab.model.Gpt2Objective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Task;
import org.subnetlab.transformer.Gpt2Import;

/**
 * model.kind = transformer through the whole pipeline (issue 25): base model, the mask sweep on the
 * executors, every aggregate table, composition and the report. The tables' accuracies are checked
 * against the stored GPT-2 evaluated here, outside Spark, with the stored masks applied by hand.
 */
class TransformerPipelineTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static OutputLayout out;
  static Settings settings;

  static final String CONF =
      String.join(
          "\n",
          "model.kind = transformer",
          "task.arithmetic.modulus = 5",
          "task.arithmetic.train-examples-per-subtask = 64",
          "model.transformer.layers = 1",
          "model.transformer.width = 16",
          "model.transformer.heads = 2",
          "model.transformer.mlp-width = 32",
          "model.transformer.steps = 60",
          "model.transformer.warmup-steps = 5",
          "model.transformer.batch-size = 16",
          "masks.methods = [csordas, continuous-sparsification, hard-concrete]",
          "masks.seeds = [0]",
          "masks.csordas.steps = 15",
          "masks.csordas.batch-size = 16",
          "masks.continuous-sparsification.steps = 15",
          "masks.continuous-sparsification.batch-size = 16",
          "masks.hard-concrete.steps = 15",
          "masks.hard-concrete.batch-size = 16",
          "aggregate.random-controls = 1",
          "pipeline.compose = true",
          "");

  @BeforeAll
  static void runPipeline() throws Exception {
    spark = SparkSessions.local("transformer-pipeline-test", "local[2]");
    Path conf = dir.resolve("t.conf");
    Files.writeString(conf, CONF);
    settings = ConfigLoader.load(conf, List.of());
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings, out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void ablationAccuraciesAreThoseOfTheStoredGpt2WithItsMasks() {
    assertThat(checkAblation(spark, settings, out, Gpt2Import.read(out.model()), 3)).isEqualTo(81);
  }

  /**
   * Checks every full/subnetwork/removed row of the ablation table against {@code model} evaluated
   * here with the run's stored mask; returns the rows checked.
   */
  static int checkAblation(
      SparkSession spark,
      Settings settings,
      OutputLayout out,
      Gpt2Import.Checkpoint model,
      int methods) {
    Gpt2Objective objective = new Gpt2Objective(model.config());
    ParamLayout layout = Gpt2Objective.layout(model.config());
    Task task = org.subnetlab.jobs.spark.SparkTasks.create(spark, settings);
    float[] theta = model.params();
    List<Row> rows =
        spark
            .read()
            .parquet(out.table("ablation").toString())
            .where("mode IN ('full', 'subnetwork', 'removed')")
            .collectAsList();
    // methods x 3 subtasks x 1 seed, each on 3 eval subtasks, 3 modes
    assertThat(rows).hasSize(methods * 3 * 3 * 3);
    int checked = 0;
    for (Row r : rows) {
      String runId = r.getAs("run_id");
      Mask mask =
          AggregateJob.masksByRun(
                  layout, spark.read().parquet(MaskFiles.file(out.masks(), runId).toString()))
              .get(runId);
      float[] eff = new float[theta.length];
      String mode = r.getAs("mode");
      switch (mode) {
        case "full" -> System.arraycopy(theta, 0, eff, 0, theta.length);
        case "subnetwork" -> mask.apply(theta, eff);
        default -> mask.complement().apply(theta, eff);
      }
      Evaluation e = objective.evaluate(eff, task.evalExamples(r.getAs("eval_subtask")));
      assertThat((double) r.getAs("accuracy")).as(runId + " " + mode).isEqualTo(e.accuracy());
      assertThat((double) r.getAs("loss")).as(runId + " " + mode).isCloseTo(e.loss(), within(1e-6));
      checked++;
    }
    return checked;
  }

  @Test
  void tablesNameTheCheckpointsTensorsAndEveryMethodRan() {
    List<Row> sparsity =
        spark
            .read()
            .parquet(out.table("sparsity").toString())
            .select("layer")
            .distinct()
            .collectAsList();
    assertThat(sparsity.stream().map(r -> r.getString(0)).toList())
        .contains("h.0.attn.c_attn.weight", "h.0.mlp.c_fc.weight", "wte.weight", "ALL");
    assertThat(
            spark
                .read()
                .parquet(out.table("masks").toString())
                .select("method")
                .distinct()
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList())
        .containsExactlyInAnyOrder("csordas", "continuous-sparsification", "hard-concrete");
    // every pair of the 9 runs, per tensor and ALL
    long pairs = 9 * 8 / 2;
    assertThat(spark.read().parquet(out.table("overlap").toString()).where("layer = 'ALL'").count())
        .isEqualTo(pairs);
    assertThat(spark.read().parquet(out.table("summary").toString()).count()).isPositive();
    assertThat(spark.read().parquet(out.table("composition").toString()).count()).isPositive();
    assertThat(out.report().resolve("index.html")).exists();
  }
}
