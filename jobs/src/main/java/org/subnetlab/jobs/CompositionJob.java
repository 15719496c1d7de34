package org.subnetlab.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
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
import org.subnetlab.config.CompositionSettings;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.Reports;
import org.subnetlab.jobs.output.Table;
import org.subnetlab.jobs.output.Tables;
import org.subnetlab.jobs.spark.ExecutorCache;
import org.subnetlab.jobs.spark.JobGroup;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.mask.MaskTrainingResult;
import org.subnetlab.metrics.Ablation;
import org.subnetlab.metrics.Composition;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.Gpt2Model;
import org.subnetlab.model.InitDraws;
import org.subnetlab.model.Network;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.model.TransformerTrainer;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * {@code subnetlab compose}: the {@code composition} table from a finished sweep — set algebra of
 * the masks, the ablation test of structural compositionality (Lepori, Serre &amp; Pavlick 2023)
 * with every ablation mode of {@code composition.ablation}, and θ⁰ + Δ_a + Δ_b for LT-SFT — each
 * (method, seed, hyperparameters) group evaluated as one Spark task. With {@code
 * composition.random-init-control} every group is repeated on a random-init copy of the base model:
 * its masks are trained afresh on that copy (same method, hyperparameters, seed and random stream)
 * and composed there, giving the rows with {@code base = random-init}; those masks are stored as
 * mask files under {@link OutputLayout#randomInitMasks()}, one per run id.
 */
public final class CompositionJob {
  private static final Logger LOG = LoggerFactory.getLogger(CompositionJob.class);

  static final StructType SCHEMA =
      new StructType()
          .add("method", DataTypes.StringType, false)
          .add("seed", DataTypes.LongType, false)
          .add(
              "hyperparameters",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
              false)
          .add("base", DataTypes.StringType, false)
          .add("operation", DataTypes.StringType, false)
          .add("ablation", DataTypes.StringType, false)
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

  /** One Spark task: a group's members, on the trained model or on the seed's random-init copy. */
  record Work(String base, long seed, List<Composition.Member> members)
      implements java.io.Serializable {}

  public static void main(String[] args) {
    System.exit(
        StageMain.execute("subnetlab compose", args, StageMain.thenReport(CompositionJob::run)));
  }

  public static void run(SparkSession spark, Settings s, OutputLayout out) {
    Map<Long, BaseModel> models = TrainModelJob.load(s, out);
    // Every base model has the same architecture: the fresh initial draws are made on the first.
    BaseModel model = models.values().iterator().next();
    List<RunSpec> runs = SweepPlan.verified(spark, s, out, model.layout(), "compose");
    CompositionSettings cs = s.composition();
    Task driverTask = SparkTasks.create(spark, s);
    // Fresh draws from the initial distribution, one per mask seed (as the reference code seeds
    // both from the run's seed), made on the driver before any work: an imported model whose
    // layers have no supported initialiser fails here, naming the layer.
    Map<Long, float[]> reinit = new TreeMap<>();
    Map<Long, float[]> randomInit = new TreeMap<>();
    for (RunSpec r : runs) {
      if (cs.ablation().contains("reinit")) {
        reinit.computeIfAbsent(
            r.seed(),
            k -> initialDraw(s, model, driverTask, Seeds.stream(s.seed(), "compose/reinit/s" + k)));
      }
      if (cs.randomInitControl()) {
        randomInit.computeIfAbsent(
            r.seed(),
            k ->
                initialDraw(
                    s, model, driverTask, Seeds.stream(s.seed(), "compose/random-init/s" + k)));
      }
    }
    try (JobGroup group = JobGroup.enter(spark, "subnetlab-compose", "subnetlab: composition")) {
      Dataset<Row> masks = AggregateJob.committedMasks(spark, out, runs, "compose");
      ParamLayout layout = model.layout();
      // The driver holds the run specs only: each group's masks (and Δs) are read and grouped on
      // the executors. Work i is the i-th task, in the order: per group (in sweep order) its
      // trained work, then its random-init work.
      Map<String, Integer> groupIndex = new LinkedHashMap<>();
      Map<String, Long> groupSeed = new LinkedHashMap<>();
      Map<String, List<RunSpec>> groupSpecs = new LinkedHashMap<>();
      for (RunSpec r : runs) {
        groupIndex.putIfAbsent(r.groupKey(), groupIndex.size());
        groupSeed.putIfAbsent(r.groupKey(), r.seed());
        groupSpecs.computeIfAbsent(r.groupKey(), k -> new ArrayList<>()).add(r);
      }
      int perGroup = cs.randomInitControl() ? 2 : 1;
      int works = Math.max(1, groupIndex.size() * perGroup);
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      java.util.HashMap<String, RunSpec> specOf = new java.util.HashMap<>();
      java.util.HashMap<String, Integer> order = new java.util.HashMap<>();
      for (int i = 0; i < runs.size(); i++) {
        specOf.put(runs.get(i).runId(), runs.get(i));
        order.put(runs.get(i).runId(), i);
      }
      Broadcast<java.util.HashMap<String, RunSpec>> specs = jsc.broadcast(specOf);
      Broadcast<java.util.HashMap<String, Integer>> orderB = jsc.broadcast(order);
      java.util.HashMap<String, Integer> groupIndexB = new java.util.HashMap<>(groupIndex);
      int stride = perGroup;
      JavaPairRDD<Integer, Work> trained =
          RunMasks.masksWithDeltas(layout, masks)
              .mapToPair(
                  e -> {
                    RunSpec spec = specs.value().get(e._1());
                    return new Tuple2<>(
                        spec.groupKey(),
                        new Composition.Member(spec, e._2().mask(), e._2().delta()));
                  })
              .groupByKey()
              .mapToPair(
                  g -> {
                    List<Composition.Member> members = new ArrayList<>();
                    g._2().forEach(members::add);
                    members.sort(
                        java.util.Comparator.comparingInt(
                            m -> orderB.value().get(m.spec().runId())));
                    return new Tuple2<>(
                        groupIndexB.get(g._1()) * stride,
                        new Work(Composition.TRAINED, members.get(0).spec().seed(), members));
                  });
      JavaPairRDD<Integer, Work> allWork = trained;
      if (cs.randomInitControl()) {
        // The masks are retrained on the random-init copy inside the task: no mask to read.
        List<Tuple2<Integer, Work>> random = new ArrayList<>();
        for (Map.Entry<String, Integer> g : groupIndex.entrySet()) {
          random.add(
              new Tuple2<>(
                  g.getValue() * stride + 1,
                  new Work(
                      Composition.RANDOM_INIT,
                      groupSeed.get(g.getKey()),
                      groupSpecs.get(g.getKey()).stream()
                          .map(r -> new Composition.Member(r, null, null))
                          .toList())));
        }
        allWork = trained.union(jsc.parallelizePairs(random, Math.max(1, random.size())));
      }
      // Each group is of one base model (RunSpec.groupKey): evaluated on that model.
      java.util.HashMap<Long, byte[]> bytes = new java.util.HashMap<>();
      java.util.HashMap<Long, float[]> initials = new java.util.HashMap<>();
      models.forEach(
          (seed, net) -> {
            bytes.put(seed, net.bytes());
            initials.put(seed, TrainModelJob.initialParams(s, out, seed));
          });
      Broadcast<java.util.HashMap<Long, byte[]>> modelBytes = jsc.broadcast(bytes);
      Broadcast<java.util.HashMap<Long, float[]>> initial = jsc.broadcast(initials);
      Broadcast<Map<Long, float[]>> reinitB = jsc.broadcast(reinit);
      Broadcast<Map<Long, float[]>> randomB = jsc.broadcast(randomInit);
      SparkTasks.Ref taskRef = SparkTasks.ref(spark, s);
      int controls = s.randomControls();
      String randomDir = out.randomInitMasks().toString();
      List<String> modes = cs.ablation();
      JavaRDD<Row> rows =
          allWork
              .partitionBy(new HashPartitioner(works))
              .values()
              .flatMap(
                  w -> {
                    ExecutorCache.limitNativeThreads(1);
                    List<Composition.Member> members = w.members();
                    RunSpec spec = members.get(0).spec();
                    BaseModel base =
                        ExecutorCache.model(
                            spec.modelFingerprint(), modelBytes.value().get(spec.modelSeed()));
                    float[] init = initial.value().get(spec.modelSeed());
                    Task task = taskRef.get();
                    if (w.base().equals(Composition.RANDOM_INIT)) {
                      float[] theta = randomB.value().get(w.seed());
                      base = base.withParams(theta);
                      init = theta; // the random-init copy is at its own initial weights
                      BaseModel rnd = base;
                      members =
                          members.stream()
                              .map(
                                  m -> {
                                    MaskRunner.Finished f =
                                        MaskRunner.run(m.spec(), rnd, theta, task);
                                    // kept, as the sweep's masks are:
                                    // masks-random-init/<run_id>.parquet
                                    MaskFiles.commit(java.nio.file.Path.of(randomDir), f);
                                    MaskTrainingResult r = f.result();
                                    return new Composition.Member(m.spec(), r.mask(), r.delta());
                                  })
                              .toList();
                    }
                    Map<String, float[]> fills = new LinkedHashMap<>();
                    for (String mode : modes) {
                      switch (mode) {
                        case "zero" -> fills.put(mode, null);
                        case "reinit" -> fills.put(mode, reinitB.value().get(w.seed()));
                        // rewinding the random-init copy to its initial weights would change
                        // nothing
                        case "rewind" -> {
                          if (w.base().equals(Composition.TRAINED)) {
                            fills.put(mode, init);
                          }
                        }
                        default -> throw new IllegalStateException(mode);
                      }
                    }
                    List<Row> out2 = new ArrayList<>();
                    for (Composition.Row c :
                        Composition.evaluate(
                            base,
                            init,
                            task,
                            members,
                            new Composition.Options(w.base(), fills, controls))) {
                      Ablation.ControlStats st = c.controls();
                      out2.add(
                          RowFactory.create(
                              c.method(),
                              c.seed(),
                              JavaConverters.mapAsScalaMap(c.hyperparameters())
                                  .toMap(scala.Predef.$conforms()),
                              c.base(),
                              c.operation(),
                              c.ablation(),
                              c.operands(),
                              c.evalSubtask(),
                              c.keptParams(),
                              c.accuracy(),
                              st == null ? null : st.n(),
                              st == null ? null : st.mean(),
                              st == null ? null : Reports.finite(st.std()),
                              st == null ? null : Reports.finite(st.zScore()),
                              st == null ? null : st.percentile(),
                              spec.modelSeed()));
                    }
                    return out2.iterator();
                  });
      Dataset<Row> table =
          spark
              .createDataFrame(rows, SCHEMA)
              .orderBy(
                  "method",
                  "model_seed",
                  "seed",
                  "base",
                  "operation",
                  "ablation",
                  "operands",
                  "eval_subtask");
      Tables.replace(table, out, Table.COMPOSITION);
      removeStaleRandomInitMasks(out, runs, cs.randomInitControl());
      String report = report(spark, out, 1.0 / driverTask.numClasses());
      System.out.println(report);
      Reports.write(out, "composition.md", report);
      LOG.info("Wrote table composition under {}", out.tables());
    }
  }

  /**
   * Keeps {@code masks-random-init/} in step with the composition table just written: the files of
   * runs not composed with the control this time (an earlier config's) are removed, all of them
   * when the control is off.
   */
  private static void removeStaleRandomInitMasks(
      OutputLayout out, List<RunSpec> runs, boolean control) {
    java.util.Set<String> keep = new java.util.HashSet<>();
    if (control) {
      runs.forEach(r -> keep.add(r.runId()));
    }
    for (String id : MaskFiles.committed(out.randomInitMasks())) {
      if (!keep.contains(id)) {
        try {
          java.nio.file.Files.deleteIfExists(MaskFiles.file(out.randomInitMasks(), id));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(
              "Cannot remove the stale random-init mask " + id + " under " + out.randomInitMasks(),
              e);
        }
      }
    }
  }

  /**
   * A fresh draw of all parameters from the base model's initial distribution: the scheme this tool
   * initialises with for a model trained here, each layer's DL4J initialiser for an imported one.
   */
  static float[] initialDraw(Settings s, BaseModel model, Task task, SplittableRandom rng) {
    if (model instanceof Gpt2Model g) {
      return TransformerTrainer.initialise(g.config(), rng);
    }
    return s.model().isImported()
        ? InitDraws.ofDl4jLayers((Network) model, rng)
        : InitDraws.ofSettings(task, s.model(), rng);
  }

  /**
   * The markdown summary: per (method, grid point, base), the mean over seeds of every (operation,
   * ablation, operands, eval subtask), then the paper's two comparison figures per pair of mask
   * subtasks (target a, other b), with accuracies floored at chance {@code chance} as in the
   * reference code's analysis: subnetwork = max(acc(m_a on a), c) − max(acc(m_a on b), c) and
   * ablation = max(acc(θ without m_a on b), c) − max(acc(θ without m_a on a), c).
   */
  static String report(SparkSession spark, OutputLayout out, double chance) {
    Dataset<Row> table = Tables.read(spark, out, Table.COMPOSITION);
    if (!java.util.Arrays.asList(table.columns()).contains("model_seed")) {
      table = table.withColumn("model_seed", org.apache.spark.sql.functions.lit(0L));
    }
    List<Row> all =
        table
            .select(
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
                "z_score",
                "model_seed")
            .collectAsList();
    Map<String, String> gridLabels = gridLabels(all);
    // With several base models every figure is per base model, in a column of its own.
    boolean several = all.stream().map(r -> r.getLong(11)).distinct().count() > 1;
    // (method, grid, base model, base, operation, ablation, operands, eval) -> [sum acc, n,
    // sum rnd, n rnd, sum z, n z]
    Map<List<String>, double[]> cells = new TreeMap<>(CompositionJob::compareKeys);
    // accuracy by (method, grid, base model, base, seed, operation, ablation, operands, eval)
    Map<List<String>, Double> acc = new LinkedHashMap<>();
    for (Row r : all) {
      String grid = gridLabels.get(r.getString(0) + "|" + hpKey(r.getJavaMap(2)));
      String model = modelKey(r.getLong(11));
      List<String> key =
          List.of(
              r.getString(0),
              grid,
              model,
              r.getString(3),
              r.getString(4),
              r.getString(5),
              r.getString(6),
              r.getString(7));
      double[] c = cells.computeIfAbsent(key, k -> new double[6]);
      c[0] += r.getDouble(8);
      c[1]++;
      if (!r.isNullAt(9)) {
        c[2] += r.getDouble(9);
        c[3]++;
      }
      if (!r.isNullAt(10)) {
        c[4] += r.getDouble(10);
        c[5]++;
      }
      acc.put(
          List.of(
              r.getString(0),
              grid,
              model,
              r.getString(3),
              Long.toString(r.getLong(1)),
              r.getString(4),
              r.getString(5),
              r.getString(6),
              r.getString(7)),
          r.getDouble(8));
    }
    String modelHead = several ? " base model |" : "";
    String modelRule = several ? "---|" : "";
    StringBuilder sb =
        new StringBuilder(
            "## Composition (mean over seeds per method and grid"
                + " point"
                + (several ? " and base model" : "")
                + "; z against random masks of the same"
                + " per-layer size)\n\n"
                + "grid point: the hyperparameters that differ within the method's sweep (– = one grid"
                + " point); base: trained = the base model, random-init = the random-model control (masks"
                + " trained and evaluated on a random-init copy); ablation: what replaced the ablated"
                + " subnetwork (zero, reinit = a fresh draw from the initial distribution, rewind ="
                + " θ_init)."
                + (several
                    ? " base model: the `model_seed` of the base model the masks"
                        + " were trained on and evaluated with; seeds are that base model's mask seeds."
                    : "")
                + "\n\n| method | grid point |"
                + modelHead
                + " base | operation | ablation | operands"
                + " | eval subtask | seeds | accuracy | random | z |\n"
                + "|---|---|"
                + modelRule
                + "---|---|---|---|---|---|---|---|---|\n");
    cells.forEach(
        (k, c) ->
            sb.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %s |%s %s | %s | %s | %s | %s | %d | %.3f | %s | %s |%n",
                    k.get(0),
                    k.get(1),
                    several ? " " + unpad(k.get(2)) + " |" : "",
                    k.get(3),
                    k.get(4),
                    k.get(5),
                    k.get(6),
                    k.get(7),
                    (int) c[1],
                    c[0] / c[1],
                    c[3] == 0 ? "–" : String.format(Locale.ROOT, "%.3f", c[2] / c[3]),
                    c[5] == 0 ? "–" : String.format(Locale.ROOT, "%.1f", c[4] / c[5]))));
    sb.append(
        String.format(
            Locale.ROOT,
            "%n## Structural compositionality (Lepori et al. 2023:"
                + " chance-floored differences, mean over seeds)%n%nsubnetwork = max(acc(m_a on a), c) −"
                + " max(acc(m_a on b), c); ablation = max(acc(θ without m_a on b), c) − max(acc(θ"
                + " without m_a on a), c); c = chance = %.4f (1 / classes). Both near +(1 − c) is the"
                + " paper's evidence of structural compositionality; compare base = random-init.%n%n"
                + "| method | grid point |"
                + modelHead
                + " base | ablation | target a | other b | seeds"
                + " | subnetwork | ablation |%n|---|---|"
                + modelRule
                + "---|---|---|---|---|---|---|%n",
            chance));
    // (method, grid, base model, base, ablation, a, b) -> [sum sub, sum abl, n]
    Map<List<String>, double[]> diffs = new TreeMap<>(CompositionJob::compareKeys);
    acc.forEach(
        (k, v) -> {
          if (!k.get(5).equals("ablate")) {
            return;
          }
          String a = k.get(7);
          String b = k.get(8);
          if (a.equals(b) || b.equals("ALL")) {
            return;
          }
          // one seed of one group on one base model
          List<String> head = k.subList(0, 5);
          Double subA = acc.get(cat(head, "subnetwork", Composition.NO_ABLATION, a, a));
          Double subB = acc.get(cat(head, "subnetwork", Composition.NO_ABLATION, a, b));
          Double ablA = acc.get(cat(head, "ablate", k.get(6), a, a));
          if (subA == null
              || subB == null
              || ablA == null
              || !acc.containsKey(cat(head, "subnetwork", Composition.NO_ABLATION, b, b))) {
            return; // b is an eval subtask without a mask of its own in this group
          }
          double[] d =
              diffs.computeIfAbsent(
                  List.of(k.get(0), k.get(1), k.get(2), k.get(3), k.get(6), a, b),
                  x -> new double[3]);
          d[0] += Math.max(subA, chance) - Math.max(subB, chance);
          d[1] += Math.max(v, chance) - Math.max(ablA, chance);
          d[2]++;
        });
    diffs.forEach(
        (k, d) ->
            sb.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %s |%s %s | %s | %s | %s | %d | %+.3f | %+.3f |%n",
                    k.get(0),
                    k.get(1),
                    several ? " " + unpad(k.get(2)) + " |" : "",
                    k.get(3),
                    k.get(4),
                    k.get(5),
                    k.get(6),
                    (int) d[2],
                    d[0] / d[2],
                    d[1] / d[2])));
    return sb.toString();
  }

  /** A model seed as a key that sorts in numeric order among the string keys. */
  private static String modelKey(long modelSeed) {
    return String.format(Locale.ROOT, "%020d", modelSeed);
  }

  private static String unpad(String modelKey) {
    return Long.toString(Long.parseLong(modelKey));
  }

  private static List<String> cat(List<String> head, String... tail) {
    List<String> k = new ArrayList<>(head);
    k.addAll(List.of(tail));
    return k;
  }

  private static int compareKeys(List<String> x, List<String> y) {
    for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
      int c = x.get(i).compareTo(y.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.size(), y.size());
  }

  private static String hpKey(Map<String, String> hp) {
    return new TreeMap<>(hp).toString();
  }

  /**
   * Per (method, hyperparameters): a label of the hyperparameters whose values differ among that
   * method's grid points ({@code k=v, …} sorted by key), or "–" when the method has one grid point.
   * (The lead merges this with the shared grid-point label of the summary.)
   */
  private static Map<String, String> gridLabels(List<Row> rows) {
    Map<String, Map<String, java.util.Set<String>>> values = new TreeMap<>();
    Map<String, Map<String, String>> points = new LinkedHashMap<>();
    for (Row r : rows) {
      Map<String, String> hp = new TreeMap<>(r.getJavaMap(2));
      points.put(r.getString(0) + "|" + hpKey(hp), hp);
      Map<String, java.util.Set<String>> v =
          values.computeIfAbsent(r.getString(0), k -> new TreeMap<>());
      hp.forEach((k, x) -> v.computeIfAbsent(k, q -> new java.util.TreeSet<>()).add(x));
    }
    Map<String, Integer> pointsOf = new TreeMap<>();
    Map<String, Integer> pointsWith = new TreeMap<>(); // method|key -> grid points having key
    points.forEach(
        (key, hp) -> {
          String method = key.substring(0, key.indexOf('|'));
          pointsOf.merge(method, 1, Integer::sum);
          hp.keySet().forEach(k -> pointsWith.merge(method + "|" + k, 1, Integer::sum));
        });
    Map<String, String> out = new LinkedHashMap<>();
    points.forEach(
        (key, hp) -> {
          String method = key.substring(0, key.indexOf('|'));
          StringBuilder l = new StringBuilder();
          hp.forEach(
              (k, x) -> {
                if (values.get(method).get(k).size() > 1
                    || pointsWith.get(method + "|" + k) < pointsOf.get(method)) {
                  l.append(l.length() == 0 ? "" : ", ").append(k).append('=').append(x);
                }
              });
          out.put(key, l.length() == 0 ? "–" : l.toString());
        });
    return out;
  }
}
