package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.mask.Mask;
import org.subnetlab.model.InitDraws;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.Network;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;

/** {@code run} with {@code pipeline.compose} on the composite task: the composition table. */
class CompositionJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static OutputLayout out;
  static Settings settings;

  @BeforeAll
  static void runPipeline() {
    spark = SparkSessions.local("composition-test", "local[2]");
    Settings s = ConfigLoader.load(TestConfigs.copy("tiny-composite.conf", dir), List.of());
    settings = s;
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, s, out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void compositionTableHoldsEveryOperationWithControls() {
    var table = spark.read().parquet(out.table("composition").toString());
    assertThat(table.columns())
        .contains(
            "method",
            "seed",
            "hyperparameters",
            "base",
            "operation",
            "ablation",
            "operands",
            "eval_subtask",
            "accuracy",
            "random_mean",
            "random_std",
            "z_score");
    Set<String> ops = new TreeSet<>();
    table
        .select("method", "operation")
        .distinct()
        .collectAsList()
        .forEach(r -> ops.add(r.getString(0) + ":" + r.getString(1)));
    assertThat(ops)
        .contains(
            "continuous-sparsification:union",
            "continuous-sparsification:intersection",
            "continuous-sparsification:difference",
            "continuous-sparsification:subnetwork",
            "continuous-sparsification:ablate",
            "lt-sft:delta",
            "lt-sft:delta_sum");
    assertThat(ops).doesNotContain("continuous-sparsification:delta");
    // 3 subtasks -> 3 pairs and all three; each result on add, mul, composite and ALL; per grid
    // point (two lambdas) and base model (trained, random-init).
    for (String lambda : List.of("5.0E-5", "5.0E-4")) {
      for (String base : List.of("trained", "random-init")) {
        assertThat(
                table
                    .where(
                        "method = 'continuous-sparsification' AND operation = 'union'"
                            + " AND hyperparameters['lambda'] = '"
                            + lambda
                            + "' AND base = '"
                            + base
                            + "'")
                    .count())
            .as("%s %s", lambda, base)
            .isEqualTo((3 + 1) * 4);
      }
    }
    for (Row r : table.where("operation = 'union'").select("random_n").collectAsList()) {
      assertThat(r.getInt(0)).isEqualTo(3);
    }
    for (Row r : table.where("operation = 'delta_sum'").select("random_n").collectAsList()) {
      assertThat(r.isNullAt(0)).isTrue();
    }
    assertThat(out.report().resolve("composition.md")).exists();
  }

  @Test
  void everyAblationModeHasItsOwnRowsAndRewindOnlyOnTheTrainedModel() {
    var table = spark.read().parquet(out.table("composition").toString());
    Set<String> modes = new TreeSet<>();
    table
        .where("operation = 'ablate'")
        .select("base", "ablation")
        .distinct()
        .collectAsList()
        .forEach(r -> modes.add(r.getString(0) + ":" + r.getString(1)));
    assertThat(modes)
        .containsExactly(
            "random-init:reinit",
            "random-init:zero",
            "trained:reinit",
            "trained:rewind",
            "trained:zero");
    // 3 grid points (2 CS lambdas + lt-sft) x 3 subtasks x 4 eval sets per mode.
    assertThat(
            table
                .where("operation = 'ablate' AND base = 'trained' AND ablation = 'reinit'")
                .count())
        .isEqualTo(3 * 3 * 4);
    assertThat(table.where("operation <> 'ablate' AND ablation <> 'none'").count()).isZero();
  }

  @Test
  void reinitAndRewindAblationEqualTheModelWithTheSubnetworkReplacedByHand() {
    ModelStore store = new ModelStore(out.model());
    Network model = store.load(settings.modelFingerprint());
    float[] theta = ParamBridge.toFloats(model.params());
    float[] thetaInit = store.initialParams();
    Task task = SparkTasks.create(spark, settings);
    float[] fresh =
        InitDraws.ofSettings(
            task, settings.model(), Seeds.stream(settings.seed(), "compose/reinit/s0"));
    assertThat(fresh).isNotEqualTo(thetaInit);
    List<RunSpec> runs = SweepPlan.all(spark, settings, out);
    RunSpec run =
        runs.stream()
            .filter(
                r ->
                    r.method().equals("continuous-sparsification")
                        && r.subtask().equals("add")
                        && r.hyperparameters().get("lambda") == 5e-4)
            .findFirst()
            .orElseThrow();
    Mask m =
        AggregateJob.masksByRun(
                ParamLayout.of(model), AggregateJob.committedMasks(spark, out, runs, "test"))
            .get(run.runId());
    var table = spark.read().parquet(out.table("composition").toString());
    for (String mode : List.of("zero", "reinit", "rewind")) {
      float[] p = theta.clone();
      for (int i = 0; i < p.length; i++) {
        if (m.kept(i)) {
          p[i] =
              switch (mode) {
                case "zero" -> 0f;
                case "reinit" -> fresh[i];
                default -> thetaInit[i];
              };
        }
      }
      for (String eval : List.of("add", "mul")) {
        double stored =
            table
                .where(
                    "method = 'continuous-sparsification' AND base = 'trained'"
                        + " AND hyperparameters['lambda'] = '5.0E-4' AND operation = 'ablate' AND operands ="
                        + " 'add' AND ablation = '"
                        + mode
                        + "' AND eval_subtask = '"
                        + eval
                        + "'")
                .select("accuracy")
                .first()
                .getDouble(0);
        assertThat(stored)
            .as("%s ablation on %s", mode, eval)
            .isEqualTo(byHand(model, p, task.evalExamples(eval)));
      }
    }
  }

  @Test
  void randomInitControlRetrainsTheRunOnASeededRandomCopyOfTheModel() {
    ModelStore store = new ModelStore(out.model());
    Network model = store.load(settings.modelFingerprint());
    float[] theta = ParamBridge.toFloats(model.params());
    Task task = SparkTasks.create(spark, settings);
    float[] random =
        InitDraws.ofSettings(
            task, settings.model(), Seeds.stream(settings.seed(), "compose/random-init/s0"));
    assertThat(random).hasSameSizeAs(theta).isNotEqualTo(theta).isNotEqualTo(store.initialParams());
    Network copy = model.copy();
    ParamBridge.write(random, copy.params());
    // Trained: the full model solves the task; the random copy is near chance (1/4).
    assertThat(byHand(model, theta, task.evalSplit())).isGreaterThan(0.9);
    assertThat(byHand(copy, random, task.evalSplit())).isLessThan(0.45);
    RunSpec run =
        SweepPlan.all(spark, settings, out).stream()
            .filter(
                r ->
                    r.method().equals("continuous-sparsification")
                        && r.subtask().equals("mul")
                        && r.hyperparameters().get("lambda") == 5e-5)
            .findFirst()
            .orElseThrow();
    Mask m = MaskRunner.run(run, copy, random, task).result().mask();
    // The control's masks are stored: one ordinary mask file per run under masks-random-init/,
    // named by the run id, holding the mask retrained here by hand (not the sweep's mask).
    assertThat(MaskFiles.committed(out.randomInitMasks()))
        .isEqualTo(
            new TreeSet<>(
                SweepPlan.all(spark, settings, out).stream().map(RunSpec::runId).toList()));
    ParamLayout layout = ParamLayout.of(model);
    Mask stored =
        AggregateJob.masksByRun(
                layout,
                spark.read().parquet(MaskFiles.file(out.randomInitMasks(), run.runId()).toString()))
            .get(run.runId());
    Mask trained =
        AggregateJob.masksByRun(
                layout, spark.read().parquet(MaskFiles.file(out.masks(), run.runId()).toString()))
            .get(run.runId());
    assertThat(stored).isEqualTo(m).isNotEqualTo(trained);
    var row =
        spark
            .read()
            .parquet(out.table("composition").toString())
            .where(
                "method = 'continuous-sparsification' AND base = 'random-init' AND"
                    + " hyperparameters['lambda'] = '5.0E-5' AND operation = 'subnetwork' AND operands ="
                    + " 'mul' AND eval_subtask = 'mul'")
            .select("accuracy", "n_kept")
            .first();
    assertThat(row.getLong(1)).isEqualTo(m.kept());
    float[] sub = new float[random.length];
    m.apply(random, sub);
    assertThat(row.getDouble(0)).isEqualTo(byHand(copy, sub, task.evalExamples("mul")));
  }

  @Test
  void markdownKeepsGridPointsApartAndRecomputesThePapersDifferences() throws Exception {
    String md = java.nio.file.Files.readString(out.report().resolve("composition.md"));
    assertThat(md)
        .contains(
            "| continuous-sparsification | lambda=5.0E-5 | trained | ablate |"
                + " zero | add | add | 1 |",
            "| continuous-sparsification | lambda=5.0E-4 | trained |"
                + " ablate | zero | add | add | 1 |",
            "| lt-sft | – | trained | delta |");
    var table =
        spark
            .read()
            .parquet(out.table("composition").toString())
            .where(
                "method = 'continuous-sparsification' AND hyperparameters['lambda'] = '5.0E-4'"
                    + " AND base = 'trained' AND ablation IN ('none', 'reinit')");
    double c = 0.25;
    double subA = acc(table, "subnetwork", "add", "add");
    double subB = acc(table, "subnetwork", "add", "mul");
    double ablA = acc(table, "ablate", "add", "add");
    double ablB = acc(table, "ablate", "add", "mul");
    String expected =
        String.format(
            java.util.Locale.ROOT,
            "| continuous-sparsification | lambda=5.0E-4 | trained | reinit | add | mul | 1 | %+.3f"
                + " | %+.3f |",
            Math.max(subA, c) - Math.max(subB, c),
            Math.max(ablB, c) - Math.max(ablA, c));
    assertThat(md).contains(expected);
  }

  private static double acc(
      org.apache.spark.sql.Dataset<Row> t, String op, String operands, String eval) {
    return t.where(
            "operation = '"
                + op
                + "' AND operands = '"
                + operands
                + "' AND eval_subtask = '"
                + eval
                + "'")
        .select("accuracy")
        .first()
        .getDouble(0);
  }

  /** Accuracy of {@code net} with parameters p on d: DL4J's forward pass, argmax by hand. */
  private static double byHand(Network net, float[] p, org.subnetlab.task.Dataset d) {
    Network copy = net.copy();
    ParamBridge.write(p, copy.params());
    float[] x = new float[d.size() * d.inputSize()];
    for (int i = 0; i < d.size(); i++) {
      d.copyFeatures(i, x, i * d.inputSize());
    }
    org.nd4j.linalg.api.ndarray.INDArray o =
        copy.output(
            org.nd4j.linalg.factory.Nd4j.create(x, new long[] {d.size(), d.inputSize()}, 'c'));
    int correct = 0;
    for (int i = 0; i < d.size(); i++) {
      int best = 0;
      for (int k = 1; k < o.columns(); k++) {
        if (o.getDouble(i, k) > o.getDouble(i, best)) {
          best = k;
        }
      }
      correct += best == d.label(i) ? 1 : 0;
    }
    return (double) correct / d.size();
  }

  @Test
  void reportAndNotebooksShowTheComposition() throws Exception {
    Browser.Page page = Browser.open(out.report().resolve("index.html"), dir);
    List<String> ids = ReportBrowserTest.figureIds(page.dom());
    assertThat(ids).contains("fig-composition-continuous-sparsification", "fig-composition-lt-sft");
    assertThat(page.bodyAttribute("data-figures-rendered")).isEqualTo(String.valueOf(ids.size()));
    assertThat(page.bodyAttribute("data-errors")).isEqualTo("0");
    assertThat(page.consoleMessages()).isEmpty();
    for (Path nb : Notebooks.all(ReportBrowserTest.REPO)) {
      String executed = Notebooks.execute(nb, out.root(), dir.resolve("notebooks"));
      assertThat(executed)
          .contains("composition: continuous-sparsification: ")
          .doesNotContain("no composition table in " + out.root());
    }
  }
}
