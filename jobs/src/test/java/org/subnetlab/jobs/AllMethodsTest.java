package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.mask.MaskMethods;
import org.subnetlab.mask.SparseDelta;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/** Every mask method through the Spark pipeline; LT-SFT's Δ rebuilt from Parquet. */
class AllMethodsTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Settings settings;
  static OutputLayout out;

  @BeforeAll
  static void runPipeline() {
    spark = SparkSessions.local("all-methods-test", "local[2]");
    TestConfigs.copy("tiny.conf", dir);
    settings = ConfigLoader.load(TestConfigs.copy("tiny-all.conf", dir), List.of());
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings, out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Set<String> methodsIn(String table, String column) {
    Set<String> s = new TreeSet<>();
    spark.read().parquet(out.table(table).toString()).select(column).distinct().collectAsList()
        .forEach(r -> s.add(r.getString(0)));
    return s;
  }

  @Test
  void everyTableIsFilledForEveryMethod() {
    Set<String> all = new TreeSet<>(MaskMethods.IDS);
    assertThat(methodsIn("masks", "method")).isEqualTo(all);
    assertThat(methodsIn("sparsity", "method")).isEqualTo(all);
    assertThat(methodsIn("ablation", "method")).isEqualTo(all);
    assertThat(methodsIn("overlap", "method_a")).isEqualTo(all);
    assertThat(methodsIn("summary", "method")).isEqualTo(all);
    // Random-control statistics sit on the subnetwork and removed rows.
    List<Row> sub = spark.read().parquet(out.table("ablation").toString())
        .where("mode = 'subnetwork'")
        .select("run_id", "eval_subtask", "accuracy", "random_n", "random_mean",
            "random_percentile").collectAsList();
    assertThat(sub).hasSize((20 + 8) * 2);
    // Recomputed from the random_subnetwork rows of the same mask and evaluated subtask:
    // percentile = 100 × (controls with accuracy ≤ the mask's) / controls.
    java.util.Map<String, List<Double>> controls = new java.util.HashMap<>();
    for (Row r : spark.read().parquet(out.table("ablation").toString())
        .where("mode = 'random_subnetwork'").select("run_id", "eval_subtask", "accuracy")
        .collectAsList()) {
      controls.computeIfAbsent(r.getString(0) + "|" + r.getString(1),
          k -> new java.util.ArrayList<>()).add(r.getDouble(2));
    }
    for (Row r : sub) {
      List<Double> c = controls.get(r.getString(0) + "|" + r.getString(1));
      assertThat(c).hasSize(3);
      assertThat(r.getInt(3)).isEqualTo(3);
      double acc = r.getDouble(2);
      assertThat(r.getDouble(4)).isCloseTo(c.stream().mapToDouble(d -> d).average()
          .orElseThrow(), org.assertj.core.data.Offset.offset(1e-12));
      assertThat(r.getDouble(5)).isCloseTo(100.0 * c.stream().filter(d -> d <= acc).count() / 3,
          org.assertj.core.data.Offset.offset(1e-9));
    }
    Row density = spark.read().parquet(out.table("summary").toString())
        .where("method = 'magnitude' AND layer = 'ALL' AND hyperparameters['matched'] IS NULL"
            + " AND selection = 'grid'")
        .select("density.mean", "n_seeds")
        .first();
    assertThat(density.getDouble(0)).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.001));
    assertThat(density.getInt(1)).isEqualTo(2);
  }

  @Test
  void matchedRunsKeepExactlyAsManyParametersAsTheReferenceMask() {
    List<Row> rows = spark.sql("SELECT m.method, m.subtask, m.seed, m.n_kept, r.n_kept"
        + " FROM parquet.`" + out.table("sparsity") + "` m JOIN parquet.`" + out.table("sparsity")
        + "` r ON m.subtask = r.subtask AND m.seed = r.seed AND m.layer = r.layer"
        + " WHERE m.layer = 'ALL' AND r.method = 'csordas' AND m.hyperparameters['matched'] = '1'")
        .collectAsList();
    assertThat(rows).hasSize(8);
    for (Row r : rows) {
      assertThat(r.getLong(3)).as("%s %s s%d", r.get(0), r.get(1), r.get(2))
          .isEqualTo(r.getLong(4));
    }
  }

  @Test
  void thetaZeroPlusDeltaFromParquetReproducesThePhaseTwoModel() {
    org.subnetlab.model.Network model = new ModelStore(out.model()).load(settings.modelFingerprint());
    Task task = Tasks.create(settings);
    RunSpec spec = SweepGrid.expand(settings, task.subtasks()).stream()
        .filter(r -> r.method().equals("lt-sft")).findFirst().orElseThrow();
    float[] theta0 = ParamBridge.toFloats(model.params());
    ParamLayout layout = ParamLayout.of(model);

    float[] rebuilt = theta0.clone();
    for (Row r : spark.read().parquet(out.table("masks").toString())
        .where("run_id = '" + spec.runId() + "'")
        .select("layer_index", "bits", "delta").collectAsList()) {
      int l = r.getInt(0);
      SparseDelta.addTo(rebuilt, layout.offset(l), layout.size(l), r.getAs(1), r.getAs(2));
    }
    MaskRunner.Finished phase2 =
        MaskRunner.run(spec, model, new ModelStore(out.model()).initialParams(), task);
    float[] expected = theta0.clone();
    int changed = 0;
    for (int i = 0; i < expected.length; i++) {
      expected[i] += phase2.result().delta()[i];
      changed += phase2.result().delta()[i] != 0f ? 1 : 0;
      if (!phase2.result().mask().kept(i)) {
        assertThat(phase2.result().delta()[i]).isZero();
      }
    }
    assertThat(changed).isPositive();
    assertThat(rebuilt).isEqualTo(expected);
    Dl4jObjective net = new Dl4jObjective(model);
    assertThat(net.evaluate(rebuilt, task.evalSplit()))
        .isEqualTo(net.evaluate(expected, task.evalSplit()));
  }
}
