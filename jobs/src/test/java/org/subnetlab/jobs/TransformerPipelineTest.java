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
      Mask mask = storedMask(spark, layout, out, runId);
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

  /** Run {@code runId}'s mask as its committed mask file stores it. */
  static Mask storedMask(SparkSession spark, ParamLayout layout, OutputLayout out, String runId) {
    return AggregateJob.masksByRun(
            layout, spark.read().parquet(MaskFiles.file(out.masks(), runId).toString()))
        .get(runId);
  }

  @Test
  void headRowsAreThoseOfTheStoredGpt2WithTheHeadSilencedByHand() {
    // 3 methods x 3 subtasks x 3 eval subtasks x 2 heads x 2 modes
    assertThat(checkHeads(spark, settings, out, Gpt2Import.read(out.model()), 3)).isEqualTo(108);
  }

  /**
   * Checks every full_without_head/subnetwork_without_head row of the ablation table against {@code
   * model} evaluated here with the stored mask and the head's output silenced by hand (its rows of
   * c_proj.weight zeroed: with them zeroed the head contributes nothing, whatever its q, k and v),
   * and each head's row of the sparsity table against a count by hand over the head's q, k, v
   * columns, biases and c_proj rows; returns the ablation rows checked.
   */
  static int checkHeads(
      SparkSession spark,
      Settings settings,
      OutputLayout out,
      Gpt2Import.Checkpoint model,
      int methods) {
    Gpt2Objective objective = new Gpt2Objective(model.config());
    ParamLayout layout = Gpt2Objective.layout(model.config());
    Task task = org.subnetlab.jobs.spark.SparkTasks.create(spark, settings);
    float[] theta = model.params();
    int d = model.config().width();
    int hd = model.config().headWidth();
    int heads = model.config().heads() * model.config().layers();
    List<Row> rows =
        spark
            .read()
            .parquet(out.table("ablation").toString())
            .where("mode IN ('full_without_head', 'subnetwork_without_head')")
            .collectAsList();
    assertThat(rows).hasSize(methods * 3 * 3 * heads * 2);
    java.util.Map<String, Mask> masks = new java.util.HashMap<>();
    int checked = 0;
    for (Row r : rows) {
      String runId = r.getAs("run_id");
      Mask mask = masks.computeIfAbsent(runId, id -> storedMask(spark, layout, out, id));
      String[] name = ((String) r.getAs("head")).split("\\.");
      int block = Integer.parseInt(name[1]);
      int k = Integer.parseInt(name[4]);
      float[] eff = new float[theta.length];
      if (r.getAs("mode").equals("full_without_head")) {
        System.arraycopy(theta, 0, eff, 0, theta.length);
      } else {
        mask.apply(theta, eff);
      }
      int proj = layout.offset(layout.names().indexOf("h." + block + ".attn.c_proj.weight"));
      for (int i = k * hd * d; i < (k + 1) * hd * d; i++) {
        eff[proj + i] = 0f;
      }
      Evaluation e = objective.evaluate(eff, task.evalExamples(r.getAs("eval_subtask")));
      assertThat((double) r.getAs("accuracy"))
          .as(runId + " " + r.getAs("head"))
          .isEqualTo(e.accuracy());
      checked++;
    }
    List<Row> sparsity =
        spark
            .read()
            .parquet(out.table("sparsity").toString())
            .where("layer LIKE '%.attn.head.%'")
            .collectAsList();
    assertThat(sparsity).hasSize(masks.size() * heads);
    for (Row r : sparsity) {
      Mask mask = masks.get((String) r.getAs("run_id"));
      String[] name = ((String) r.getAs("layer")).split("\\.");
      String p = "h." + name[1] + ".attn.";
      int k = Integer.parseInt(name[4]);
      int w = layout.offset(layout.names().indexOf(p + "c_attn.weight"));
      int b = layout.offset(layout.names().indexOf(p + "c_attn.bias"));
      int proj = layout.offset(layout.names().indexOf(p + "c_proj.weight"));
      long kept = 0;
      long n = 0;
      for (int part = 0; part < 3; part++) {
        for (int j = part * d + k * hd; j < part * d + (k + 1) * hd; j++) {
          for (int row = 0; row < d; row++) {
            kept += mask.kept(w + row * 3 * d + j) ? 1 : 0;
            n++;
          }
          kept += mask.kept(b + j) ? 1 : 0;
          n++;
        }
      }
      for (int i = k * hd * d; i < (k + 1) * hd * d; i++) {
        kept += mask.kept(proj + i) ? 1 : 0;
        n++;
      }
      assertThat((long) r.getAs("n_kept")).as((String) r.getAs("layer")).isEqualTo(kept);
      assertThat((long) r.getAs("n_params")).isEqualTo(n);
    }
    return checked;
  }

  @Test
  void headOverlapsCountTheHeadsParametersAndAllCountsTheTensorsOnly() {
    ParamLayout layout = Gpt2Objective.layout(Gpt2Import.read(out.model()).config());
    List<Row> overlap = spark.read().parquet(out.table("overlap").toString()).collectAsList();
    java.util.Map<String, Mask> masks = new java.util.HashMap<>();
    java.util.function.Function<String, Mask> mask =
        id -> masks.computeIfAbsent(id, x -> storedMask(spark, layout, out, x));
    int heads = 0;
    for (Row r : overlap) {
      Mask a = mask.apply(r.getAs("run_a"));
      Mask b = mask.apply(r.getAs("run_b"));
      String layer = r.getAs("layer");
      if (layer.equals("ALL")) {
        assertThat((long) r.getAs("n_kept_a")).isEqualTo(a.kept());
        assertThat((long) r.getAs("intersection")).isEqualTo(a.and(b).kept());
      } else if (layer.contains(".attn.head.")) {
        // the head's intersection = the parameters it loses from a ∧ b when removed
        org.subnetlab.model.ParamGroup g =
            org.subnetlab.model.ParamGroup.attentionHeads(layout, 1, 16, 2).stream()
                .filter(x -> x.name().equals(layer))
                .findFirst()
                .orElseThrow();
        Mask both = a.and(b);
        assertThat((long) r.getAs("intersection")).isEqualTo(both.kept() - both.without(g).kept());
        assertThat((long) r.getAs("n_kept_a")).isEqualTo(a.kept() - a.without(g).kept());
        heads++;
      }
    }
    assertThat(heads).isEqualTo(9 * 8 / 2 * 2);
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
    assertThat(readReport()).contains("Density per attention head");
  }

  private static String readReport() {
    try {
      return Files.readString(out.report().resolve("index.html"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
