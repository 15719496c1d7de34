package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
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
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.Network;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.sweep.RunSpec;

/**
 * {@code model.seeds = [0, 1]} through the whole pipeline on a real SparkSession: two base models,
 * the sweep (with matched-density runs) and every table on each, and model seed 0 exactly as a run
 * with the default {@code [0]}.
 */
class ModelSeedsJobTest {
  private static final String CONF =
      """
      task.arithmetic { modulus = 5, operations = [add, mul], train-examples-per-subtask = 512 }
      model { hidden = [32], epochs = 40 }
      masks {
        methods = [continuous-sparsification, magnitude]
        seeds = [0]
        # Strong enough to drop well over the weights no subtask example reaches, so that the
        # matched magnitude masks of the two models differ.
        continuous-sparsification { steps = 300, lambda = 5e-3 }
        matched-density { reference = continuous-sparsification, methods = [magnitude] }
      }
      aggregate.random-controls = 3
      pipeline.compose = true
      """;

  /** Per model seed: 2 methods x 2 subtasks x 1 seed, and 2 matched magnitude runs. */
  private static final int RUNS_PER_MODEL = 6;

  private static final int BLOCKS = 4; // 0_W, 0_b, 1_W, 1_b

  @TempDir static Path dir;
  static SparkSession spark;
  static Settings two;
  static Settings one;
  static OutputLayout out;
  static OutputLayout single;

  @BeforeAll
  static void runBoth() throws IOException {
    spark = SparkSessions.local("model-seeds-test", "local[2]");
    Path conf = dir.resolve("seeds.conf");
    Files.writeString(conf, CONF);
    two = ConfigLoader.load(conf, List.of("model.seeds=[0,1]"));
    one = ConfigLoader.load(conf, List.of());
    out = OutputLayout.prepare(dir.resolve("two"));
    PipelineJob.run(spark, two, out);
    single = OutputLayout.prepare(dir.resolve("one"));
    TrainMasksJob.sweep(spark, one, single, TrainModelJob.run(spark, one, single));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> table(String name) {
    return spark.read().parquet(out.table(name).toString());
  }

  private static float[] params(Path modelDir) {
    return ParamBridge.toFloats(ModelStore.read(modelDir.resolve(ModelStore.MODEL_FILE)).params());
  }

  @Test
  void trainsOneBaseModelPerSeedInItsOwnDirectory() {
    assertThat(out.model(0)).isEqualTo(out.root().resolve("model"));
    assertThat(out.model(1)).isEqualTo(out.root().resolve("model-seed-1"));
    float[] m0 = params(out.model(0));
    float[] m1 = params(out.model(1));
    assertThat(m1).hasSameSizeAs(m0).isNotEqualTo(m0);
    assertThat(new ModelStore(out.model(0)).initialParams())
        .isNotEqualTo(new ModelStore(out.model(1)).initialParams());
    assertThat(new ModelStore(out.model(1)).storedFingerprint())
        .isEqualTo(two.modelFingerprint(1))
        .isNotEqualTo(two.modelFingerprint(0));
    // Both models learned the task.
    for (long seed : List.of(0L, 1L)) {
      assertThat(new ModelStore(out.model(seed)).metadata().getDouble("eval.ALL.accuracy"))
          .isGreaterThan(0.9);
    }
  }

  @Test
  void modelSeedZeroIsExactlyTheRunOfTheDefaultSeeds() {
    assertThat(params(out.model(0))).isEqualTo(params(single.model()));
    Set<String> defaultIds = MaskFiles.committed(single.masks());
    assertThat(defaultIds).hasSize(RUNS_PER_MODEL);
    Map<String, byte[]> defaultBits = new HashMap<>();
    for (Row r :
        spark
            .read()
            .parquet(single.masks().resolve("*.parquet").toString())
            .select("run_id", "layer", "bits")
            .collectAsList()) {
      defaultBits.put(r.getString(0) + "/" + r.getString(1), (byte[]) r.get(2));
    }
    List<Row> seed0 =
        table("masks").where("model_seed = 0").select("run_id", "layer", "bits").collectAsList();
    Set<String> seed0Ids = new TreeSet<>();
    for (Row r : seed0) {
      seed0Ids.add(r.getString(0));
      assertThat((byte[]) r.get(2))
          .as(r.getString(0) + "/" + r.getString(1))
          .isEqualTo(defaultBits.get(r.getString(0) + "/" + r.getString(1)));
    }
    assertThat(seed0Ids).isEqualTo(defaultIds);
    assertThat(seed0).hasSize(RUNS_PER_MODEL * BLOCKS);
  }

  @Test
  void everyTableCarriesBothModelSeedsWithTheRightCounts() {
    assertThat(counts(table("masks"), "model_seed"))
        .isEqualTo(Map.of(0L, (long) RUNS_PER_MODEL * BLOCKS, 1L, (long) RUNS_PER_MODEL * BLOCKS));
    assertThat(counts(table("sparsity"), "model_seed"))
        .isEqualTo(
            Map.of(
                0L,
                (long) RUNS_PER_MODEL * (BLOCKS + 1),
                1L,
                (long) RUNS_PER_MODEL * (BLOCKS + 1)));
    // 2 eval subtasks x (full, subnetwork, removed, removed_exclusive, 3 x 2 random) per mask.
    assertThat(counts(table("ablation"), "model_seed"))
        .isEqualTo(Map.of(0L, RUNS_PER_MODEL * 2 * 10L, 1L, RUNS_PER_MODEL * 2 * 10L));
    // Pairs within each model, and every pair across the two models.
    Map<String, Long> pairs = new TreeMap<>();
    for (Row r : table("overlap").select("model_seed_a", "model_seed_b").collectAsList()) {
      long a = r.getLong(0);
      long b = r.getLong(1);
      pairs.merge(Math.min(a, b) + "-" + Math.max(a, b), 1L, Long::sum);
    }
    long within = RUNS_PER_MODEL * (RUNS_PER_MODEL - 1) / 2 * (BLOCKS + 1L);
    assertThat(pairs)
        .isEqualTo(
            Map.of(
                "0-0",
                within,
                "1-1",
                within,
                "0-1",
                (long) RUNS_PER_MODEL * RUNS_PER_MODEL * (BLOCKS + 1)));
    // Composition: the same groups on each model.
    Map<Long, Long> composition = counts(table("composition"), "model_seed");
    assertThat(composition.keySet()).containsExactly(0L, 1L);
    assertThat(composition.get(1L)).isEqualTo(composition.get(0L)).isPositive();
    // Training curves: every trained run's curve, under its own model seed.
    Map<String, Long> runSeed = new HashMap<>();
    for (Row r : table("masks").select("run_id", "model_seed").distinct().collectAsList()) {
      runSeed.put(r.getString(0), r.getLong(1));
    }
    Set<String> curved = new TreeSet<>();
    for (Row r :
        table("training_curves").select("run_id", "model_seed").distinct().collectAsList()) {
      assertThat(r.getLong(1)).as(r.getString(0)).isEqualTo(runSeed.get(r.getString(0)));
      curved.add(r.getString(0));
    }
    // continuous sparsification trains (2 subtasks per model); magnitude has no curve.
    assertThat(curved).hasSize(4);
    assertThat(curved.stream().filter(id -> id.contains("-m1-"))).hasSize(2);
  }

  @Test
  void eachMaskIsEvaluatedAndMatchedOnItsOwnBaseModel() {
    // The "full" ablation rows are the full model of the run's own model seed.
    for (Row r :
        table("ablation")
            .where("mode = 'full'")
            .select("model_seed", "eval_subtask", "accuracy")
            .collectAsList()) {
      double stored =
          new ModelStore(out.model(r.getLong(0)))
              .metadata()
              .getDouble("eval." + r.getString(1) + ".accuracy");
      assertThat(r.getDouble(2)).isCloseTo(stored, org.assertj.core.data.Offset.offset(1e-6));
    }
    // A matched run takes its top-k from the reference run of the same subtask and base model.
    Map<String, Long> keptByRef = new HashMap<>();
    Map<String, Long> keptByMatched = new HashMap<>();
    for (Row r :
        table("sparsity")
            .where("layer = 'ALL'")
            .select("method", "subtask", "model_seed", "hyperparameters", "n_kept")
            .collectAsList()) {
      String key = r.getString(1) + "/" + r.getLong(2);
      Map<String, String> hp = r.getJavaMap(3);
      if (r.getString(0).equals("continuous-sparsification")) {
        keptByRef.put(key, r.getLong(4));
      } else if ("1".equals(hp.get("matched"))) {
        keptByMatched.put(key, r.getLong(4));
        assertThat(Long.parseLong(hp.get("top-k"))).isEqualTo(r.getLong(4));
      }
    }
    assertThat(keptByMatched).hasSize(4).isEqualTo(keptByRef);
    // ... and is trained on that model: its mask is the top-K of |θ| of its own model's
    // weights (every kept |θ| at least every dropped one), which the other model's are not.
    Network model0 = ModelStore.read(out.model(0).resolve(ModelStore.MODEL_FILE));
    org.subnetlab.model.ParamLayout layout = org.subnetlab.model.ParamLayout.of(model0);
    Dataset<Row> matched = table("masks").where("hyperparameters['matched'] = '1'");
    Map<String, org.subnetlab.mask.Mask> masks = AggregateJob.masksByRun(layout, matched);
    Map<String, Long> seedOf = new HashMap<>();
    for (Row r : matched.select("run_id", "model_seed").distinct().collectAsList()) {
      seedOf.put(r.getString(0), r.getLong(1));
    }
    assertThat(masks).hasSize(4);
    Map<String, org.subnetlab.mask.Mask> bySubtaskAndSeed = new HashMap<>();
    for (Row r : matched.select("run_id", "subtask", "model_seed").distinct().collectAsList()) {
      bySubtaskAndSeed.put(r.getString(1) + "/" + r.getLong(2), masks.get(r.getString(0)));
    }
    assertThat(bySubtaskAndSeed.get("add/0")).isNotEqualTo(bySubtaskAndSeed.get("add/1"));
    for (Map.Entry<String, org.subnetlab.mask.Mask> e : masks.entrySet()) {
      long own = seedOf.get(e.getKey());
      assertThat(isTopMagnitude(e.getValue(), params(out.model(own)))).as(e.getKey()).isTrue();
      assertThat(isTopMagnitude(e.getValue(), params(out.model(1 - own)))).as(e.getKey()).isFalse();
    }
  }

  private static boolean isTopMagnitude(org.subnetlab.mask.Mask mask, float[] theta) {
    float minKept = Float.POSITIVE_INFINITY;
    float maxDropped = 0;
    for (int i = 0; i < theta.length; i++) {
      if (mask.kept(i)) {
        minKept = Math.min(minKept, Math.abs(theta[i]));
      } else {
        maxDropped = Math.max(maxDropped, Math.abs(theta[i]));
      }
    }
    return minKept >= maxDropped;
  }

  @Test
  void aRemovedModelIsRetrainedAloneAndIdentically() throws IOException {
    float[] before = params(out.model(1));
    FileTime seed0Time = Files.getLastModifiedTime(out.model(0).resolve(ModelStore.MODEL_FILE));
    ModelStore.deleteQuietly(out.model(1));
    Map<Long, Network> models = TrainModelJob.runAll(spark, two, out);
    assertThat(models.keySet()).containsExactly(0L, 1L);
    assertThat(params(out.model(1))).isEqualTo(before);
    assertThat(Files.getLastModifiedTime(out.model(0).resolve(ModelStore.MODEL_FILE)))
        .isEqualTo(seed0Time);
    // Nothing left to train: every run of both models is committed.
    TrainMasksJob.SweepOutcome o = TrainMasksJob.sweep(spark, two, out, models);
    assertThat(o)
        .isEqualTo(new TrainMasksJob.SweepOutcome(2 * RUNS_PER_MODEL, 2 * RUNS_PER_MODEL, 0));
    List<RunSpec> grid = SweepPlan.all(spark, two, out);
    assertThat(grid.stream().filter(r -> r.modelSeed() == 1).count()).isEqualTo(RUNS_PER_MODEL);
  }

  private static Map<Long, Long> counts(Dataset<Row> t, String column) {
    Map<Long, Long> m = new TreeMap<>();
    for (Row r : t.groupBy(column).count().collectAsList()) {
      m.put(r.getLong(0), r.getLong(1));
    }
    return m;
  }
}
