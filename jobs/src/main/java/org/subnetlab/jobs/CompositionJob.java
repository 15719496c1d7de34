package org.subnetlab.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.Settings;
import org.subnetlab.config.TaskSettings;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.SparseDelta;
import org.subnetlab.metrics.Ablation;
import org.subnetlab.metrics.Composition;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.model.Network;

/**
 * {@code subnetlab compose}: the {@code composition} table from a finished sweep — set algebra of
 * the masks, the ablation test of structural compositionality, and θ⁰ + Δ_a + Δ_b for LT-SFT — each
 * (method, seed, hyperparameters) group evaluated as one Spark task.
 */
public final class CompositionJob {
  private static final Logger LOG = LoggerFactory.getLogger(CompositionJob.class);

  static final StructType SCHEMA = new StructType()
      .add("method", DataTypes.StringType, false)
      .add("seed", DataTypes.LongType, false)
      .add("operation", DataTypes.StringType, false)
      .add("operands", DataTypes.StringType, false)
      .add("eval_subtask", DataTypes.StringType, false)
      .add("n_kept", DataTypes.LongType, false)
      .add("accuracy", DataTypes.DoubleType, false)
      .add("random_n", DataTypes.IntegerType, true)
      .add("random_mean", DataTypes.DoubleType, true)
      .add("random_std", DataTypes.DoubleType, true)
      .add("z_score", DataTypes.DoubleType, true)
      .add("random_percentile", DataTypes.DoubleType, true)
      .add("model_seed", DataTypes.LongType, false);

  private CompositionJob() {}

  public static void main(String[] args) {
    System.exit(StageMain.execute("subnetlab compose", args,
        StageMain.thenReport(CompositionJob::run)));
  }

  public static void run(SparkSession spark, Settings s, OutputLayout out) {
    Map<Long, Network> models = TrainModelJob.load(s, out);
    List<RunSpec> runs = SweepPlan.all(spark, s, out);
    spark.sparkContext().setJobGroup("subnetlab-compose", "subnetlab: composition", false);
    Dataset<Row> masks = AggregateJob.committedMasks(spark, out, runs, "compose");
    ParamLayout layout = ParamLayout.of(models.values().iterator().next());
    Map<String, Mask> byRun = AggregateJob.masksByRun(layout, masks);
    Map<String, float[]> deltas = deltas(layout, masks);
    Map<String, List<Composition.Member>> groups = new LinkedHashMap<>();
    for (RunSpec r : runs) {
      groups.computeIfAbsent(r.groupKey(), k -> new ArrayList<>()).add(
          new Composition.Member(r, byRun.get(r.runId()), deltas.get(r.runId())));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // Each group is of one base model (RunSpec.groupKey): evaluated on that model.
    java.util.HashMap<Long, byte[]> bytes = new java.util.HashMap<>();
    java.util.HashMap<Long, float[]> initials = new java.util.HashMap<>();
    models.forEach((seed, net) -> {
      bytes.put(seed, ModelStore.toBytes(net));
      initials.put(seed, new ModelStore(out.model(seed)).initialParams());
    });
    Broadcast<java.util.HashMap<Long, byte[]>> modelBytes = jsc.broadcast(bytes);
    Broadcast<java.util.HashMap<Long, float[]>> initial = jsc.broadcast(initials);
    SparkTasks.Ref taskRef = SparkTasks.ref(spark, s);
    int controls = s.randomControls();
    List<List<Composition.Member>> work = new ArrayList<>(groups.values());
    JavaRDD<Row> rows = jsc.parallelize(work, Math.max(1, work.size())).flatMap(group -> {
      ExecutorCache.limitNativeThreads(1);
      List<Row> out2 = new ArrayList<>();
      RunSpec spec = group.get(0).spec();
      for (Composition.Row c : Composition.evaluate(
          ExecutorCache.model(spec.modelFingerprint(), modelBytes.value().get(spec.modelSeed())),
          initial.value().get(spec.modelSeed()), taskRef.get(), group, controls)) {
        Ablation.ControlStats st = c.controls();
        out2.add(RowFactory.create(c.method(), c.seed(), c.operation(), c.operands(),
            c.evalSubtask(), c.keptParams(), c.accuracy(), st == null ? null : st.n(),
            st == null ? null : st.mean(), st == null ? null : Reports.finite(st.std()),
            st == null ? null : Reports.finite(st.zScore()), st == null ? null : st.percentile(),
            spec.modelSeed()));
      }
      return out2.iterator();
    });
    Dataset<Row> table = spark.createDataFrame(rows, SCHEMA)
        .orderBy("method", "model_seed", "seed", "operation", "operands", "eval_subtask");
    Tables.replace(table, out, "composition");
    String report = report(spark, out);
    System.out.println(report);
    Reports.write(out, "composition.md", report);
    LOG.info("Wrote table composition under {}", out.tables());
  }

  /** Each run's Δ over all parameters, for the runs whose mask file holds one. */
  private static Map<String, float[]> deltas(ParamLayout layout, Dataset<Row> masks) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Row r : masks.where("delta IS NOT NULL")
        .select("run_id", "layer_index", "bits", "delta").collectAsList()) {
      float[] d = out.computeIfAbsent(r.getString(0), k -> new float[layout.total()]);
      int l = r.getInt(1);
      SparseDelta.addTo(d, layout.offset(l), layout.size(l), r.getAs(2), r.getAs(3));
    }
    return out;
  }

  /** Mean over seeds of every (method, operation, operands, eval subtask). */
  static String report(SparkSession spark, OutputLayout out) {
    spark.read().parquet(out.table("composition").toString())
        .createOrReplaceTempView("composition");
    StringBuilder sb = new StringBuilder("## Composition (mean over seeds; z against random masks "
        + "of the same per-layer size)\n\n| method | operation | operands | eval subtask "
        + "| accuracy | random | z |\n|---|---|---|---|---|---|---|\n");
    for (Row r : spark.sql("SELECT method, operation, operands, eval_subtask, avg(accuracy),"
        + " avg(random_mean), avg(z_score) FROM composition"
        + " GROUP BY method, operation, operands, eval_subtask"
        + " ORDER BY method, operation, operands, eval_subtask").collectAsList()) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.3f | %s | %s |%n",
          r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getDouble(4),
          r.isNullAt(5) ? "–" : String.format(Locale.ROOT, "%.3f", r.getDouble(5)),
          r.isNullAt(6) ? "–" : String.format(Locale.ROOT, "%.1f", r.getDouble(6))));
    }
    return sb.toString();
  }
}
