package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
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
    spark
        .read()
        .parquet(out.table(table).toString())
        .select(column)
        .distinct()
        .collectAsList()
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
    // Recomputed here from the control rows of the same table (mean, sample std, z, and the
    // share of controls at or below the found mask's accuracy), not by the code that wrote them.
    List<Row> ablation = spark.read().parquet(out.table("ablation").toString()).collectAsList();
    List<Row> sub = ablation.stream().filter(r -> r.getAs("mode").equals("subnetwork")).toList();
    assertThat(sub).hasSize((24 + 8) * 2);
    for (Row r : sub) {
      double[] controls =
          ablation.stream()
              .filter(
                  c ->
                      c.getAs("mode").equals("random_subnetwork")
                          && c.getAs("run_id").equals(r.getAs("run_id"))
                          && c.getAs("eval_subtask").equals(r.getAs("eval_subtask")))
              .mapToDouble(c -> c.<Double>getAs("accuracy"))
              .toArray();
      assertThat(controls).hasSize(3);
      double acc = r.getAs("accuracy");
      double mean = (controls[0] + controls[1] + controls[2]) / 3;
      double ss = 0;
      int atOrBelow = 0;
      for (double c : controls) {
        ss += (c - mean) * (c - mean);
        atOrBelow += c <= acc ? 1 : 0;
      }
      double std = Math.sqrt(ss / 2);
      assertThat(r.<Integer>getAs("random_n")).isEqualTo(3);
      assertThat(r.<Double>getAs("random_mean")).isCloseTo(mean, within(1e-12));
      assertThat(r.<Double>getAs("random_std")).isCloseTo(std, within(1e-12));
      assertThat(r.<Double>getAs("random_percentile")).isEqualTo(100.0 * atOrBelow / 3);
      if (std > 0) {
        assertThat(r.<Double>getAs("z_score")).isCloseTo((acc - mean) / std, within(1e-9));
      } else {
        assertThat(r.isNullAt(r.fieldIndex("z_score"))).isTrue();
      }
    }
    Row density =
        spark
            .read()
            .parquet(out.table("summary").toString())
            .where(
                "method = 'magnitude' AND layer = 'ALL' AND hyperparameters['matched'] IS NULL"
                    + " AND selection = 'grid'")
            .select("density.mean", "n_seeds")
            .first();
    // magnitude's defaults: top-k 0.2 in each weight matrix (per-layer 1), biases not masked and
    // so all kept (mask-biases 0), counted as kept in the density
    ParamLayout layout =
        ParamLayout.of(new ModelStore(out.model()).load(settings.modelFingerprint()));
    long kept = 0;
    for (int l = 0; l < layout.layers(); l++) {
      kept += layout.name(l).endsWith("_b") ? layout.size(l) : Math.round(0.2 * layout.size(l));
    }
    assertThat(density.getDouble(0))
        .isCloseTo((double) kept / layout.total(), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(density.getInt(1)).isEqualTo(2);
  }

  @Test
  void matchedRunsKeepExactlyAsManyParametersAsTheReferenceMask() {
    List<Row> rows =
        spark
            .sql(
                "SELECT m.method, m.subtask, m.seed, m.n_kept, r.n_kept"
                    + " FROM parquet.`"
                    + out.table("sparsity")
                    + "` m JOIN parquet.`"
                    + out.table("sparsity")
                    + "` r ON m.subtask = r.subtask AND m.seed = r.seed AND m.layer = r.layer"
                    + " WHERE m.layer = 'ALL' AND r.method = 'csordas' AND m.hyperparameters['matched'] = '1'")
            .collectAsList();
    assertThat(rows).hasSize(8);
    for (Row r : rows) {
      assertThat(r.getLong(3))
          .as("%s %s s%d", r.get(0), r.get(1), r.get(2))
          .isEqualTo(r.getLong(4));
    }
  }

  @Test
  void thetaZeroPlusDeltaFromParquetReproducesThePhaseTwoModel() {
    org.subnetlab.model.Network model =
        new ModelStore(out.model()).load(settings.modelFingerprint());
    Task task = Tasks.create(settings);
    RunSpec spec =
        SweepGrid.expand(settings, task.subtasks()).stream()
            .filter(r -> r.method().equals("lt-sft"))
            .findFirst()
            .orElseThrow();
    float[] theta0 = ParamBridge.toFloats(model.params());
    ParamLayout layout = ParamLayout.of(model);

    float[] rebuilt = theta0.clone();
    for (Row r :
        spark
            .read()
            .parquet(out.table("masks").toString())
            .where("run_id = '" + spec.runId() + "'")
            .select("layer_index", "bits", "delta")
            .collectAsList()) {
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
