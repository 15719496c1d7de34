package org.subnetlab.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.MaskFileCheck;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.Reports;
import org.subnetlab.jobs.output.SparkPaths;
import org.subnetlab.jobs.output.Table;
import org.subnetlab.jobs.output.Tables;
import org.subnetlab.jobs.spark.ExecutorCache;
import org.subnetlab.jobs.spark.JobGroup;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.mask.Mask;
import org.subnetlab.metrics.Ablation;
import org.subnetlab.metrics.SummaryTable;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.ParamGroup;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.RunSpec;
import scala.Tuple2;

/**
 * Stage 3: the result tables, from the committed masks of this config's sweep: {@code masks},
 * {@code sparsity}, {@code overlap} (every pair of masks, per layer and {@code ALL}) and {@code
 * ablation}. Refuses to aggregate an incomplete sweep, or one with a mask file that fails its check
 * ({@link MaskFileCheck}; the file is moved aside for {@code train-masks}). The tables are written
 * as one generation ({@link Tables.Generation}): a killed aggregate leaves the previous tables, or
 * tables the manifest marks incomplete, which the next aggregate rewrites.
 */
public final class AggregateJob {
  private static final Logger LOG = LoggerFactory.getLogger(AggregateJob.class);
  static final String ALL = "ALL";

  private AggregateJob() {}

  public static void main(String[] args) {
    System.exit(
        StageMain.execute("subnetlab aggregate", args, StageMain.thenReport(AggregateJob::run)));
  }

  /**
   * Writes the aggregate tables; returns the wall seconds of each table's computation and write, by
   * table id, in the order written (the bench reports them).
   */
  public static Map<String, Double> run(SparkSession spark, Settings s, OutputLayout out) {
    Map<Long, BaseModel> models = TrainModelJob.load(s, out);
    BaseModel first = models.values().iterator().next(); // the models of a sweep share a layout
    MaskFileCheck.removeLeftovers(out);
    List<RunSpec> runs = SweepPlan.verified(spark, s, out, first.layout(), "aggregate");
    try (JobGroup group =
        JobGroup.enter(spark, "subnetlab-aggregate", "subnetlab: aggregate tables")) {
      Dataset<Row> withHistory = committedMasks(spark, out, runs, "aggregate");
      Map<String, Double> seconds = new LinkedHashMap<>();
      // one generation: every table is written aside first; the previous tables stay readable until
      // all are written, and tables/_MANIFEST.json names the new generation complete at the end
      try (Tables.Generation g = Tables.begin(out, Table.AGGREGATE)) {
        timed(
            seconds,
            Table.TRAINING_CURVES,
            () -> g.add(trainingCurves(withHistory), Table.TRAINING_CURVES));
        Dataset<Row> masks = withHistory.drop("history").cache();
        timed(seconds, Table.MASKS, () -> g.add(masks, Table.MASKS));
        List<ParamGroup> heads = first.groups();
        timed(seconds, Table.SPARSITY, () -> g.add(sparsity(masks, heads), Table.SPARSITY));
        int block = overlapBlock(spark, s, runs.size(), first);
        timed(
            seconds,
            Table.OVERLAP,
            () -> g.add(BlockOverlap.overlap(masks, block, heads), Table.OVERLAP));
        timed(
            seconds,
            Table.ABLATION,
            () -> g.add(ablation(spark, s, models, runs, masks), Table.ABLATION));
        masks.unpersist();
        timed(seconds, Table.SUMMARY, () -> g.add(summary(spark, s, g, runs), Table.SUMMARY));
        g.commit(generationDetails(s, runs));
      }
      LOG.info(
          "Wrote tables {} under {} (seconds: {})",
          Table.of(Table.AGGREGATE),
          out.tables(),
          seconds);
      return seconds;
    }
  }

  private static void timed(Map<String, Double> seconds, Table t, Runnable write) {
    long t0 = System.nanoTime();
    write.run();
    seconds.put(t.id(), (System.nanoTime() - t0) / 1e9);
  }

  /**
   * One row per stored point of each run's training curve: run_id, method, subtask, seed,
   * hyperparameters, step, loss, density, model_seed. Runs without training steps (magnitude) have
   * none; mask files written before curves were stored have none either.
   */
  static Dataset<Row> trainingCurves(Dataset<Row> masks) {
    if (!java.util.Arrays.asList(masks.columns()).contains("history")) {
      masks = masks.withColumn("history", lit(null).cast(HISTORY));
    }
    return masks
        .where(col("history").isNotNull())
        .select(
            col("run_id"),
            col("method"),
            col("subtask"),
            col("seed"),
            col("model_seed"),
            col("hyperparameters"),
            org.apache.spark.sql.functions.explode(col("history")).as("p"))
        .select(
            col("run_id"),
            col("method"),
            col("subtask"),
            col("seed"),
            col("hyperparameters"),
            col("p.step").as("step"),
            col("p.loss").cast("double").as("loss"),
            col("p.density").cast("double").as("density"),
            col("model_seed"))
        .orderBy("run_id", "step");
  }

  private static final org.apache.spark.sql.types.DataType HISTORY =
      DataTypes.createArrayType(
          new StructType()
              .add("step", DataTypes.IntegerType)
              .add("loss", DataTypes.FloatType)
              .add("density", DataTypes.FloatType));

  /**
   * The committed mask files of every run, read by Spark; refuses an incomplete sweep. Mask files
   * written before base-model seeds existed have no {@code model_seed}: they are of model seed 0.
   */
  static Dataset<Row> committedMasks(
      SparkSession spark, OutputLayout out, List<RunSpec> runs, String action) {
    Set<String> committed = MaskFiles.committed(out.masks());
    List<String> missing = new ArrayList<>();
    List<java.nio.file.Path> files = new ArrayList<>();
    for (RunSpec r : runs) {
      if (committed.contains(r.runId())) {
        files.add(MaskFiles.file(out.masks(), r.runId()));
      } else {
        missing.add(r.runId());
      }
    }
    if (!missing.isEmpty()) {
      throw new BadInputException(
          "Cannot "
              + action
              + " "
              + out.root()
              + ": "
              + missing.size()
              + " of "
              + runs.size()
              + " runs of this sweep are not finished (first: "
              + missing.get(0)
              + "); run `subnetlab train-masks` (or `run`) with this config and --out first.");
    }
    // mergeSchema: mask files from before training curves were stored lack the history column.
    Dataset<Row> read =
        SparkPaths.parquet(
                SparkPaths.read(spark).option("mergeSchema", "true"),
                files.toArray(java.nio.file.Path[]::new))
            .drop("model_fingerprint");
    Column modelSeed =
        java.util.Arrays.asList(read.columns()).contains("model_seed")
            ? org.apache.spark.sql.functions.coalesce(col("model_seed"), lit(0L))
            : lit(0L);
    // model_seed last, so that the columns before it are those of earlier versions, in order.
    List<Column> cols = new ArrayList<>();
    for (String c : read.columns()) {
      if (!c.equals("model_seed")) {
        cols.add(col(c));
      }
    }
    cols.add(modelSeed.as("model_seed"));
    return read.select(cols.toArray(Column[]::new)).orderBy("run_id", "layer_index");
  }

  /**
   * Each run's mask, from mask rows (run_id, layer_index, bits), checked against the model,
   * collected on the driver: for tests and small sweeps only. The stages read masks on the
   * executors ({@link RunMasks}).
   */
  static Map<String, Mask> masksByRun(ParamLayout layout, Dataset<Row> masks) {
    Map<String, byte[][]> bits = new LinkedHashMap<>();
    for (Row r : masks.select("run_id", "layer_index", "bits").collectAsList()) {
      bits.computeIfAbsent(r.getString(0), k -> new byte[layout.layers()][])[r.getInt(1)] =
          (byte[]) r.get(2);
    }
    Map<String, Mask> out = new LinkedHashMap<>();
    for (Map.Entry<String, byte[][]> e : bits.entrySet()) {
      try {
        out.put(e.getKey(), new Mask(layout, e.getValue()));
      } catch (IllegalArgumentException | NullPointerException ex) {
        throw new BadInputException(
            "Mask file of run " + e.getKey() + " does not fit the base model: " + ex.getMessage(),
            ex);
      }
    }
    return out;
  }

  static Dataset<Row> sparsity(Dataset<Row> masks) {
    return sparsity(masks, List.of());
  }

  private static final StructType SPARSITY_COUNTS =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("method", DataTypes.StringType, false)
          .add("subtask", DataTypes.StringType, false)
          .add("seed", DataTypes.LongType, false)
          .add(
              "hyperparameters",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
              false)
          .add("layer", DataTypes.StringType, false)
          .add("n_params", DataTypes.LongType, false)
          .add("n_kept", DataTypes.LongType, false)
          .add("model_seed", DataTypes.LongType, false);

  /**
   * The sparsity table: per run, one row per parameter block, one per parameter group of {@code
   * groups} (the model's attention heads, {@code h.i.attn.head.k}) and {@code ALL} (the blocks
   * only: a head's parameters are counted in their blocks).
   */
  static Dataset<Row> sparsity(Dataset<Row> masks, List<ParamGroup> groups) {
    Column[] runCols = {
      col("run_id"), col("method"), col("subtask"), col("seed"), col("model_seed")
    };
    Dataset<Row> perLayer =
        masks.select(
            col("run_id"),
            col("method"),
            col("subtask"),
            col("seed"),
            col("hyperparameters"),
            col("layer"),
            col("n_params"),
            col("n_kept"),
            col("model_seed"));
    Dataset<Row> all =
        masks
            .groupBy(runCols)
            .agg(
                first("hyperparameters").as("hyperparameters"),
                sum("n_params").as("n_params"),
                sum("n_kept").as("n_kept"))
            .withColumn("layer", lit(ALL))
            .select(
                col("run_id"),
                col("method"),
                col("subtask"),
                col("seed"),
                col("hyperparameters"),
                col("layer"),
                col("n_params"),
                col("n_kept"),
                col("model_seed"));
    Dataset<Row> both = perLayer.unionByName(all);
    if (!groups.isEmpty()) {
      JavaRDD<Row> headRows =
          masks
              .select(
                  col("run_id"),
                  col("method"),
                  col("subtask"),
                  col("seed"),
                  col("hyperparameters"),
                  col("model_seed"),
                  col("layer_index"),
                  col("bits"))
              .javaRDD()
              .groupBy(r -> r.getString(0))
              .flatMap(
                  g -> {
                    Row f = null;
                    byte[][] bits = new byte[ParamGroup.lastLayer(groups) + 1][];
                    for (Row r : g._2()) {
                      f = f == null ? r : f;
                      if (r.getInt(6) < bits.length) {
                        bits[r.getInt(6)] = (byte[]) r.get(7);
                      }
                    }
                    List<Row> out = new ArrayList<>();
                    for (ParamGroup h : groups) {
                      out.add(
                          RowFactory.create(
                              f.getString(0),
                              f.getString(1),
                              f.getString(2),
                              f.getLong(3),
                              f.get(4),
                              h.name(),
                              (long) h.size(),
                              org.subnetlab.mask.PackedBits.cardinality(h.gather(bits)),
                              f.getLong(5)));
                    }
                    return out.iterator();
                  });
      both = both.unionByName(masks.sparkSession().createDataFrame(headRows, SPARSITY_COUNTS));
    }
    Column density = col("n_kept").cast("double").divide(col("n_params"));
    return both.withColumn("density", density)
        .withColumn("sparsity", lit(1.0).minus(density))
        .orderBy("run_id", "layer");
  }

  /**
   * Runs per block of the overlap pass ({@link BlockOverlap}): {@code aggregate.overlap-block}, or
   * for {@code auto} the size {@link BlockOverlap#autoBlock} chooses for {@code runs} masks of
   * {@code model}'s parameters and groups on the session's default parallelism. Logged.
   */
  public static int overlapBlock(SparkSession spark, Settings s, int runs, BaseModel model) {
    if (s.overlapBlock().isPresent()) {
      return s.overlapBlock().getAsInt();
    }
    long bits = model.layout().total();
    for (ParamGroup g : model.groups()) {
      bits += g.size();
    }
    long bytes = (bits + 7) / 8;
    int cores = spark.sparkContext().defaultParallelism();
    int block = BlockOverlap.autoBlock(runs, bytes, cores);
    LOG.info(
        "Overlap pass: {} runs in blocks of {} (aggregate.overlap-block = auto: {} cores, {} bytes"
            + " of mask bits per run)",
        runs,
        block,
        cores,
        bytes);
    return block;
  }

  /**
   * The overlap pass's counting alone, on the masks table of {@code out} (written by this stage),
   * without building or writing the overlap table: the same block-pair tasks, each summing its
   * pairs' whole-model intersections, with blocks of {@code block} runs. Returns {pairs, Σ
   * intersections, block pairs}; {@code subnetlab bench --aggregation} times it next to the table.
   */
  public static long[] overlapCountsOnly(SparkSession spark, OutputLayout out, int block) {
    return BlockOverlap.countOnly(Tables.read(spark, out, Table.MASKS), block);
  }

  static final StructType ABLATION_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("method", DataTypes.StringType, false)
          .add("mask_subtask", DataTypes.StringType, false)
          .add("seed", DataTypes.LongType, false)
          .add("eval_subtask", DataTypes.StringType, false)
          .add("mode", DataTypes.StringType, false)
          .add("control", DataTypes.IntegerType, true)
          .add("accuracy", DataTypes.DoubleType, false)
          .add("loss", DataTypes.DoubleType, false)
          .add("n_examples", DataTypes.IntegerType, false)
          .add("n_kept", DataTypes.LongType, false)
          .add("random_n", DataTypes.IntegerType, true)
          .add("random_mean", DataTypes.DoubleType, true)
          .add("random_std", DataTypes.DoubleType, true)
          .add("z_score", DataTypes.DoubleType, true)
          .add("random_percentile", DataTypes.DoubleType, true)
          .add("model_seed", DataTypes.LongType, false)
          .add("head", DataTypes.StringType, true);

  /**
   * The ablation table: every mask evaluated on its own base model ({@code models} by model seed),
   * with the exclusive weights taken against the masks of its group (one base model).
   */
  static Dataset<Row> ablation(
      SparkSession spark,
      Settings s,
      Map<Long, BaseModel> models,
      List<RunSpec> runs,
      Dataset<Row> masks) {
    ParamLayout layout = models.values().iterator().next().layout();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // The driver holds the run specs only; each mask is read, grouped and evaluated on the
    // executors. Runs are numbered in sweep order: one task per mask, in that order.
    HashMap<String, Integer> order = new HashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      order.put(runs.get(i).runId(), i);
    }
    Broadcast<List<RunSpec>> specs = jsc.broadcast(new ArrayList<>(runs));
    Broadcast<HashMap<String, Integer>> orderB = jsc.broadcast(order);
    java.util.HashMap<Long, byte[]> bytes = new java.util.HashMap<>();
    models.forEach((seed, net) -> bytes.put(seed, net.bytes()));
    Broadcast<java.util.HashMap<Long, byte[]>> modelBytes = jsc.broadcast(bytes);
    SparkTasks.Ref taskRef = SparkTasks.ref(spark, s);
    int controls = s.randomControls();
    boolean headAblation = s.headAblation();
    // A group (one method, seed, hyperparameters and base model) meets in one task, which takes
    // each member's exclusive weights against the others; then each member goes to its own task
    // with its mask and its exclusive mask only.
    JavaPairRDD<Integer, Tuple2<Ablation.Member, Mask>> work =
        RunMasks.masks(layout, masks)
            .mapToPair(
                e -> {
                  int i = orderB.value().get(e._1());
                  RunSpec spec = specs.value().get(i);
                  return new Tuple2<>(spec.groupKey(), new Ablation.Member(spec, e._2().mask()));
                })
            .groupByKey()
            .flatMapToPair(
                g -> {
                  List<Ablation.Member> group = new ArrayList<>();
                  g._2().forEach(group::add);
                  group.sort(
                      java.util.Comparator.comparingInt(m -> orderB.value().get(m.spec().runId())));
                  List<Tuple2<Integer, Tuple2<Ablation.Member, Mask>>> out = new ArrayList<>();
                  for (Ablation.Member m : group) {
                    out.add(
                        new Tuple2<>(
                            orderB.value().get(m.spec().runId()),
                            new Tuple2<>(m, Ablation.exclusive(m, group))));
                  }
                  return out.iterator();
                })
            .partitionBy(new HashPartitioner(Math.max(1, runs.size())));
    JavaRDD<Row> rows =
        work.values()
            .flatMap(
                item -> {
                  ExecutorCache.limitNativeThreads(1);
                  List<Row> out = new ArrayList<>();
                  RunSpec spec = item._1().spec();
                  for (Ablation.Row a :
                      Ablation.evaluateOne(
                          ExecutorCache.model(
                              spec.modelFingerprint(), modelBytes.value().get(spec.modelSeed())),
                          taskRef.get(),
                          item._1(),
                          item._2(),
                          controls,
                          headAblation)) {
                    Ablation.ControlStats c = a.controls();
                    out.add(
                        RowFactory.create(
                            a.runId(),
                            a.method(),
                            a.maskSubtask(),
                            a.seed(),
                            a.evalSubtask(),
                            a.mode(),
                            a.control() < 0 ? null : a.control(),
                            a.accuracy(),
                            a.loss(),
                            a.examples(),
                            a.keptParams(),
                            c == null ? null : c.n(),
                            c == null ? null : Reports.finite(c.mean()),
                            c == null ? null : Reports.finite(c.std()),
                            c == null ? null : Reports.finite(c.zScore()),
                            c == null ? null : c.percentile(),
                            spec.modelSeed(),
                            a.head()));
                  }
                  return out.iterator();
                });
    return spark
        .createDataFrame(rows, ABLATION_SCHEMA)
        .orderBy("run_id", "eval_subtask", "mode", "control", "head");
  }

  static final StructType STAT =
      new StructType()
          .add("mean", DataTypes.DoubleType, true)
          .add("std", DataTypes.DoubleType, true)
          .add("ci_low", DataTypes.DoubleType, true)
          .add("ci_high", DataTypes.DoubleType, true);

  static final StructType SUMMARY_SCHEMA =
      new StructType()
          .add("method", DataTypes.StringType, false)
          .add(
              "hyperparameters",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
              false)
          .add("subtask", DataTypes.StringType, false)
          .add("layer", DataTypes.StringType, false)
          .add("n_seeds", DataTypes.IntegerType, false)
          .add("density", STAT, false)
          .add("subnetwork_accuracy", STAT, true)
          .add("removal_drop", STAT, true)
          .add("jaccard_across_seeds", DataTypes.DoubleType, true)
          .add("jaccard_across_subtasks", DataTypes.DoubleType, true)
          .add("jaccard_across_methods", DataTypes.DoubleType, true)
          .add("interval", DataTypes.StringType, false)
          .add("selection", DataTypes.StringType, false)
          .add("selection_rule", DataTypes.StringType, false)
          .add("grid_point", DataTypes.StringType, false)
          .add("run_ids", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("selected_points", DataTypes.StringType, true)
          .add("n_within_tolerance", DataTypes.IntegerType, true)
          .add("warning", DataTypes.StringType, true)
          .add("over", DataTypes.StringType, false)
          .add("jaccard_across_models", DataTypes.DoubleType, true)
          .add("model_seed", DataTypes.LongType, true);

  /** What the manifest records of an aggregate generation: its run set and base models. */
  static Map<String, Object> generationDetails(Settings s, List<RunSpec> runs) {
    List<String> ids = runs.stream().map(RunSpec::runId).sorted().toList();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("runs", ids.size());
    d.put("run_set", Settings.sha256(String.join("\n", ids)));
    d.put("model_fingerprint", s.modelFingerprint());
    return d;
  }

  /** The summary table, from the tables just written aside (small: one row per run and layer). */
  static Dataset<Row> summary(
      SparkSession spark, Settings s, Tables.Generation g, List<RunSpec> runs) {
    Map<String, Map<String, Double>> density = new LinkedHashMap<>();
    for (Row r :
        g.staged(spark, Table.SPARSITY).select("run_id", "layer", "density").collectAsList()) {
      density
          .computeIfAbsent(r.getString(0), k -> new TreeMap<String, Double>())
          .put(r.getString(1), r.getDouble(2));
    }
    Map<String, double[]> acc = new LinkedHashMap<>();
    for (Row r :
        g.staged(spark, Table.ABLATION)
            .where("eval_subtask = mask_subtask AND mode IN ('full', 'subnetwork', 'removed')")
            .select("run_id", "mode", "accuracy")
            .collectAsList()) {
      int i =
          switch (r.getString(1)) {
            case "full" -> 0;
            case "subnetwork" -> 1;
            default -> 2;
          };
      acc.computeIfAbsent(r.getString(0), k -> new double[3])[i] = r.getDouble(2);
    }
    List<SummaryTable.RunFigures> figures = new ArrayList<>();
    for (RunSpec r : runs) {
      double[] a = acc.get(r.runId());
      figures.add(new SummaryTable.RunFigures(r, density.get(r.runId()), a[0], a[1], a[2]));
    }
    // The overlap table grows with pairs × layers: its rows stream to the driver one partition at a
    // a time (twice, in the same order), only those of pairs the summary can count.
    Dataset<Row> counted =
        g.staged(spark, Table.OVERLAP)
            .select(
                "run_a", "run_b", "layer", "jaccard", "subtask_a", "seed_a", "subtask_b", "seed_b")
            .filter(
                (org.apache.spark.api.java.function.FilterFunction<Row>)
                    r ->
                        SummaryTable.mayCount(
                            r.getString(4), r.getLong(5), r.getString(6), r.getLong(7)));
    Iterable<SummaryTable.Pair> pairs =
        () -> {
          java.util.Iterator<Row> it = counted.toLocalIterator();
          return new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public SummaryTable.Pair next() {
              Row r = it.next();
              return new SummaryTable.Pair(
                  r.getString(0), r.getString(1), r.getString(2), r.getDouble(3));
            }
          };
        };
    List<Row> rows = new ArrayList<>();
    for (SummaryTable.Row r :
        SummaryTable.compute(
            figures, pairs, s.bootstrapResamples(), s.seed(), s.selectionTolerance())) {
      rows.add(
          RowFactory.create(
              r.method(),
              scala.collection.JavaConverters.mapAsScalaMap(r.hyperparameters()),
              r.subtask(),
              r.layer(),
              r.seeds(),
              stat(r.density()),
              stat(r.subnetworkAccuracy()),
              stat(r.removalDrop()),
              Reports.finite(r.jaccardAcrossSeeds()),
              Reports.finite(r.jaccardAcrossSubtasks()),
              Reports.finite(r.jaccardAcrossMethods()),
              r.interval(),
              r.selection(),
              r.selectionRule(),
              r.gridPoint(),
              r.runIds().toArray(new String[0]),
              r.selectedPoints(),
              r.withinTolerance(),
              r.warning(),
              r.over(),
              Reports.finite(r.jaccardAcrossModels()),
              r.modelSeed()));
    }
    return spark
        .createDataFrame(rows, SUMMARY_SCHEMA)
        .orderBy("selection", "method", "grid_point", "subtask", "layer", "over", "model_seed");
  }

  private static Row stat(SummaryTable.Stat st) {
    return st == null
        ? null
        : RowFactory.create(
            Reports.finite(st.mean()),
            Reports.finite(st.std()),
            Reports.finite(st.low()),
            Reports.finite(st.high()));
  }
}
