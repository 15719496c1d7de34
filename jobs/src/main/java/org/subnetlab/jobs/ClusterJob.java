package org.subnetlab.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.cluster.Clusterability;
import org.subnetlab.cluster.CoactivationGraph;
import org.subnetlab.cluster.Hierarchical;
import org.subnetlab.cluster.Shuffles;
import org.subnetlab.cluster.Spectral;
import org.subnetlab.cluster.SymmetricEigen;
import org.subnetlab.cluster.UnitAnalysis;
import org.subnetlab.cluster.WeightGraph;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ClusterSettings;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.Reports;
import org.subnetlab.jobs.output.Table;
import org.subnetlab.jobs.output.Tables;
import org.subnetlab.jobs.spark.JobGroup;
import org.subnetlab.jobs.spark.PicClustering;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.metrics.Ablation;
import org.subnetlab.metrics.Bootstrap;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.Network;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;

/**
 * {@code subnetlab cluster}: clusters of units of the base model. Spectral clustering of the weight
 * graph (or, with {@code cluster.graph = activations}, of Casper et al.'s coactivation graph) and
 * its n-cut against shuffled graphs (shuffles in parallel on Spark); Watanabe's hierarchical (Ward)
 * tree of hidden units from their input/output correlation features; lesions of every cluster as a
 * whole and of its per-layer sub-clusters against random unit sets (Casper et al. 2022); and — when
 * the mask sweep's {@code masks} table exists — how much of each cluster's weights each mask keeps.
 * Tables: {@code clusters}, {@code clusterability}, {@code cluster_tree}, {@code
 * cluster_specialisation} (whole clusters), {@code cluster_lesions} (per-layer sub-clusters),
 * {@code cluster_masks}.
 */
public final class ClusterJob {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterJob.class);

  private ClusterJob() {}

  public static void main(String[] args) {
    System.exit(
        StageMain.execute("subnetlab cluster", args, StageMain.thenReport(ClusterJob::run)));
  }

  public static void run(SparkSession spark, Settings s, OutputLayout out) {
    s.refuseForTransformer("subnetlab cluster");
    ClusterSettings cs = s.cluster();
    if (s.model().isCnn()) {
      throw new BadInputException(
          "Cannot cluster a CNN (model.conv = "
              + s.model().conv()
              + "): the weight graph of clusterability (units linked by dense weights) is defined for"
              + " MLPs only.");
    }
    // With several base models (model.seeds), the first one is clustered (see docs/models.md).
    long modelSeed = s.model().seeds().get(0);
    Network model = new ModelStore(out.model(modelSeed)).load(s.modelFingerprint(modelSeed));
    if (model.isGraph()) {
      throw new BadInputException(
          "Cannot cluster the model in "
              + out.model()
              + ": it is a "
              + "ComputationGraph; the weight graph of units is defined for layer stacks of dense "
              + "layers (MLPs).");
    }
    ParamLayout layout = ParamLayout.of(model);
    float[] theta = ParamBridge.toFloats(model.params());
    WeightGraph graph;
    try {
      graph = WeightGraph.of(layout, theta);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          "Cannot cluster the model in " + out.model() + ": " + e.getMessage(), e);
    }
    Dl4jObjective objective = new Dl4jObjective(model);
    UnitAnalysis units = new UnitAnalysis(layout, graph, theta, objective);
    int[] hidden = units.hiddenNodes();
    boolean coactivation = cs.graph().equals("activations");
    Clusterability.Procedure procedure = Clusterability.Procedure.of(cs.procedure());
    if (procedure == Clusterability.Procedure.FILAN && cs.backend().equals("spark-pic")) {
      throw new BadInputException(
          "Cannot use cluster.procedure = filan with cluster.backend ="
              + " spark-pic: Filan et al.'s embedding is of k eigenvectors; use cluster.backend ="
              + " exact.");
    }
    int nodes = coactivation ? hidden.length : graph.size();
    if (cs.k() > nodes) {
      throw new BadInputException(
          "Cannot set cluster.k to "
              + cs.k()
              + ": the model has only "
              + nodes
              + (coactivation
                  ? " hidden units (cluster.graph = activations clusters hidden" + " units only)."
                  : " units."));
    }
    try (JobGroup group = JobGroup.enter(spark, "subnetlab-cluster", "subnetlab: cluster units")) {
      Task task = SparkTasks.create(spark, s);
      long seed = s.seed();

      double[][] adjacency =
          coactivation
              ? CoactivationGraph.of(units.hiddenActivations(task.evalSplit()))
              : graph.adjacency();
      requireClusterable(adjacency, graph, hidden, coactivation, out, cs);
      long started = System.nanoTime();
      int[] partition =
          partition(
              spark,
              cs,
              adjacency,
              seed,
              "the "
                  + (coactivation ? "coactivation" : "weight")
                  + " graph of the model in "
                  + out.model());
      LOG.info(
          "Spectral partition of the {}-unit graph in {} s (LAPACK: {})",
          adjacency.length,
          String.format(Locale.ROOT, "%.2f", (System.nanoTime() - started) / 1e9),
          SymmetricEigen.backend());
      double nCut = Spectral.nCut(adjacency, partition);
      int clustered = Clusterability.clustered(partition);
      if (clustered < adjacency.length) {
        LOG.info(
            "cluster.procedure = filan: {} isolated units (no non-zero weight) deleted before"
                + " clustering; {} clustered",
            adjacency.length - clustered,
            clustered);
      }
      nodes = clustered;
      double[] shuffled =
          coactivation
              ? shuffledCoactivationNCuts(spark, cs, adjacency, partition, seed)
              : shuffledNCuts(spark, s, layout, theta, partition);
      for (int i = 0; i < shuffled.length; i++) {
        if (Double.isNaN(shuffled[i])) {
          throw new BadInputException(
              "Cannot compute the n-cut of shuffled network "
                  + i
                  + " of the"
                  + " model in "
                  + out.model()
                  + ": after cluster.procedure = filan deletes its isolated"
                  + " units, fewer than cluster.k = "
                  + cs.k()
                  + " units are left; lower cluster.k.");
        }
      }
      int[] spectral = partition;
      if (coactivation) { // labels of graph nodes; inputs and outputs are not in this partition
        spectral = new int[graph.size()];
        java.util.Arrays.fill(spectral, -1);
        for (int i = 0; i < hidden.length; i++) {
          spectral[hidden[i]] = partition[i];
        }
      }
      int atOrBelow = 0;
      for (double v : shuffled) {
        atOrBelow += v <= nCut ? 1 : 0;
      }
      double mean = Bootstrap.mean(shuffled);
      double std = Clusterability.std(shuffled, procedure);
      double p = (1.0 + atOrBelow) / (shuffled.length + 1);
      LOG.info(
          "n-cut {} (k = {}, {} graph); shuffled {} ± {} (n = {}); z = {}, p = {}",
          fmt(nCut),
          cs.k(),
          cs.graph(),
          fmt(mean),
          fmt(std),
          shuffled.length,
          fmt((nCut - mean) / std),
          fmt(p));
      if (procedure == Clusterability.Procedure.FILAN) {
        LOG.info(
            "cluster.procedure = filan: population std (n), scikit-learn's spectral embedding");
      }

      double[][] features =
          cs.hierarchicalFeature().equals("correlations")
              ? units.correlationFeatures(featureExamples(task, cs, seed))
              : units.ablationFeatures(task.evalSplit());
      List<Hierarchical.Merge> tree = Hierarchical.ward(features);
      int[] modulesOfHidden =
          Hierarchical.cut(tree, hidden.length, Math.min(cs.modules(), hidden.length));
      int[] modules = new int[graph.size()];
      java.util.Arrays.fill(modules, -1);
      for (int i = 0; i < hidden.length; i++) {
        modules[hidden[i]] = modulesOfHidden[i];
      }
      Map<String, int[]> partitions = new LinkedHashMap<>();
      partitions.put("spectral", spectral);
      partitions.put("hierarchical", modules);

      // one generation: the tables are written aside, then moved in together (Tables.Generation)
      try (Tables.Generation g = Tables.begin(out, Table.CLUSTER)) {
        g.add(clustersTable(spark, graph, partitions), Table.CLUSTERS);
        g.add(
            spark.createDataFrame(
                List.of(
                    RowFactory.create(
                        cs.backend(),
                        cs.k(),
                        nodes,
                        nCut,
                        shuffled.length,
                        mean,
                        std,
                        Reports.finite((nCut - mean) / std),
                        p,
                        cs.graph(),
                        atOrBelow)),
                CLUSTERABILITY),
            Table.CLUSTERABILITY);
        List<Row> merges = new ArrayList<>();
        for (Hierarchical.Merge m : tree) {
          merges.add(RowFactory.create(m.step(), m.a(), m.b(), m.distance(), m.size()));
        }
        g.add(spark.createDataFrame(merges, TREE), Table.CLUSTER_TREE);
        List<Row> spec = new ArrayList<>();
        for (Map.Entry<String, int[]> e : partitions.entrySet()) {
          for (UnitAnalysis.Specialisation sp :
              units.specialisation(
                  e.getValue(),
                  task,
                  cs.randomControls(),
                  Seeds.stream(seed, "cluster/controls/" + e.getKey()))) {
            Ablation.ControlStats c = sp.controls();
            spec.add(
                RowFactory.create(
                    e.getKey(),
                    sp.cluster(),
                    sp.hiddenUnits(),
                    sp.evalSubtask(),
                    sp.fullAccuracy(),
                    sp.accuracy(),
                    sp.fullAccuracy() - sp.accuracy(),
                    c == null ? null : c.mean(),
                    c == null ? null : Reports.finite(c.std()),
                    c == null ? null : Reports.finite(c.zScore()),
                    c == null ? null : c.percentile()));
          }
        }
        g.add(spark.createDataFrame(spec, SPECIALISATION), Table.CLUSTER_SPECIALISATION);
        List<Row> lesions = new ArrayList<>();
        for (Map.Entry<String, int[]> e : partitions.entrySet()) {
          for (UnitAnalysis.SubClusterLesion l :
              units.subClusterLesions(
                  e.getValue(),
                  task,
                  cs.randomControls(),
                  Seeds.stream(seed, "cluster/lesions/" + e.getKey()))) {
            Ablation.ControlStats c = l.controls();
            lesions.add(
                RowFactory.create(
                    e.getKey(),
                    l.cluster(),
                    l.layer(),
                    l.units(),
                    l.layerUnits(),
                    l.evalSubtask(),
                    l.fullAccuracy(),
                    l.accuracy(),
                    l.fullAccuracy() - l.accuracy(),
                    c == null ? null : c.mean(),
                    c == null ? null : Reports.finite(c.std()),
                    c == null ? null : Reports.finite(c.zScore()),
                    c == null ? null : c.percentile(),
                    c == null ? 0 : c.n(),
                    l.meanAccuracy(),
                    l.meanPValue(),
                    Reports.finite(l.normalisedRange()),
                    l.rangePValue()));
          }
        }
        g.add(spark.createDataFrame(lesions, LESIONS), Table.CLUSTER_LESIONS);
        String report =
            report(cs, nodes, nCut, mean, std, shuffled.length, p, spec, lesions, task.subtasks());
        System.out.println(report);
        Reports.write(out, "clusters.md", report);
        if (Tables.exists(out, Table.MASKS)) {
          g.add(
              spark.createDataFrame(
                  maskOverlap(spark, out, layout, units, partitions, modelSeed), CLUSTER_MASKS),
              Table.CLUSTER_MASKS);
        } else {
          LOG.info(
              "No {} table in {}: skipping {} (run the mask sweep first)",
              Table.MASKS,
              out.tables(),
              Table.CLUSTER_MASKS);
        }
        g.commit(Map.of("model_fingerprint", s.modelFingerprint(modelSeed)));
      }
      LOG.info(
          "Wrote tables {} under {}",
          Table.of(Table.CLUSTER).stream()
              .filter(t -> t != Table.CLUSTER_MASKS || Tables.exists(out, Table.MASKS))
              .toList(),
          out.tables());
    }
  }

  /**
   * Markdown summary: clusterability; per cluster the accuracy drop on each subtask when the whole
   * cluster is ablated; per (cluster, layer) sub-cluster Casper et al.'s lesion statistics.
   */
  static String report(
      ClusterSettings cs,
      int units,
      double nCut,
      double mean,
      double std,
      int n,
      double p,
      List<Row> spec,
      List<Row> lesions,
      List<String> subtasks) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "## Clusterability%n%nn-cut of the %d-cluster spectral "
                + "partition of the %d-unit %s graph: %.4f; %d shuffled %s: %.4f ± %.4f; "
                + "z = %.2f; p = %.4f (share of shuffled graphs with n-cut ≤ the real one, with the "
                + "+1 correction). Lower n-cut = more clusterable.%n%n",
            cs.k(),
            units,
            cs.graph().equals("activations") ? "coactivation" : "weight",
            nCut,
            n,
            cs.graph().equals("activations")
                ? "coactivation graphs (edges permuted)"
                : "networks (weights permuted within each layer)",
            mean,
            std,
            (nCut - mean) / std,
            p));
    sb.append(
        "## Whole-cluster ablation (accuracy drop when all of a cluster's hidden units, in"
            + " every layer, are ablated; z of the accuracy against random unit sets with as many"
            + " units per layer: negative = hurts more than random)"
            + "\n\n| partition | cluster | hidden units |");
    for (String st : subtasks) {
      sb.append(' ').append(st).append(" drop (z of acc.) |");
    }
    sb.append("\n|---|---|---|").append("---|".repeat(subtasks.size())).append('\n');
    Map<String, StringBuilder> lines = new LinkedHashMap<>();
    for (Row r : spec) {
      String key = r.getString(0) + "|" + r.getInt(1);
      StringBuilder line =
          lines.computeIfAbsent(
              key,
              k ->
                  new StringBuilder(
                      String.format(
                          Locale.ROOT,
                          "| %s | %d | %d |",
                          r.getString(0),
                          r.getInt(1),
                          r.getInt(2))));
      line.append(
          String.format(
              Locale.ROOT,
              " %.3f (%s) |",
              r.getDouble(6),
              r.isNullAt(9) ? "–" : String.format(Locale.ROOT, "%.1f", r.getDouble(9))));
    }
    lines.values().forEach(l -> sb.append(l).append('\n'));
    sb.append(
        "\n## Per-layer sub-cluster lesions (Casper et al. 2022: one cluster's units in one"
            + " layer ablated, against random sets of as many units of that layer; z of the accuracy:"
            + " negative = hurts more than random; p of the mean accuracy: low = important; p of the"
            + " normalised range: low = specialised)\n\n"
            + "| partition | cluster | layer | units | mean acc. (p) | range (p) |");
    for (String st : subtasks) {
      sb.append(' ').append(st).append(" drop (z of acc.) |");
    }
    sb.append("\n|---|---|---|---|---|---|").append("---|".repeat(subtasks.size())).append('\n');
    lines.clear();
    for (Row r : lesions) {
      String key = r.getString(0) + "|" + r.getInt(1) + "|" + r.getInt(2);
      StringBuilder line =
          lines.computeIfAbsent(
              key,
              k ->
                  new StringBuilder(
                      String.format(
                          Locale.ROOT,
                          "| %s | %d | %d | %d of %d | %.3f (%s) | %s (%s) |",
                          r.getString(0),
                          r.getInt(1),
                          r.getInt(2),
                          r.getInt(3),
                          r.getInt(4),
                          r.getDouble(14),
                          opt(r, 15, "%.3f"),
                          opt(r, 16, "%.2f"),
                          opt(r, 17, "%.3f"))));
      line.append(String.format(Locale.ROOT, " %.3f (%s) |", r.getDouble(8), opt(r, 11, "%.1f")));
    }
    lines.values().forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }

  private static String opt(Row r, int i, String format) {
    return r.isNullAt(i) ? "–" : String.format(Locale.ROOT, format, r.getDouble(i));
  }

  /** The training examples of the correlation features: all, or a seeded random subset. */
  private static org.subnetlab.task.Dataset featureExamples(
      Task task, ClusterSettings cs, long seed) {
    org.subnetlab.task.Dataset train = task.trainSplit();
    if (cs.featureExamples() == 0 || cs.featureExamples() >= train.size()) {
      return train;
    }
    int[] perm = Seeds.permutation(train.size(), Seeds.stream(seed, "cluster/feature-examples"));
    int[] idx = java.util.Arrays.copyOf(perm, cs.featureExamples());
    java.util.Arrays.sort(idx);
    return train.select(idx);
  }

  /** The n-cut of each edge-permuted coactivation graph, in parallel on Spark (exact backend). */
  private static double[] shuffledCoactivationNCuts(
      SparkSession spark, ClusterSettings cs, double[][] full, int[] realPartition, long seed) {
    // With cluster.procedure = filan the deleted isolated units stay deleted: their edges (all 0)
    // are not shuffled back in.
    int[] kept =
        java.util.stream.IntStream.range(0, full.length)
            .filter(n -> realPartition[n] >= 0)
            .toArray();
    double[][] adjacency = kept.length == full.length ? full : Spectral.subgraph(full, kept);
    Clusterability.Procedure procedure = Clusterability.Procedure.of(cs.procedure());
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < cs.shuffles(); i++) {
      ids.add(i);
    }
    if (cs.backend().equals("spark-pic")) {
      double[] out = new double[ids.size()];
      for (int i : ids) {
        double[][] a =
            CoactivationGraph.shuffledEdges(adjacency, Seeds.stream(seed, "cluster/shuffle/" + i));
        out[i] = Spectral.nCut(a, partition(spark, cs, a, seed, "shuffled graph " + i));
      }
      return out;
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<double[][]> graph = jsc.broadcast(adjacency);
    List<Double> cuts =
        jsc.parallelize(ids, Math.min(ids.size(), 64))
            .map(
                i -> {
                  double[][] a =
                      CoactivationGraph.shuffledEdges(
                          graph.value(), Seeds.stream(seed, "cluster/shuffle/" + i));
                  return shuffledNCut(a, cs, procedure, seed, i);
                })
            .collect();
    return cuts.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static int[] partition(
      SparkSession spark, ClusterSettings cs, double[][] a, long seed, String what) {
    if (cs.backend().equals("spark-pic")) {
      return PicClustering.cluster(spark, a, cs.k(), cs.picIterations(), seed);
    }
    try {
      return Clusterability.partition(
          a, cs.k(), cs.kmeansRestarts(), seed, Clusterability.Procedure.of(cs.procedure()));
    } catch (Clusterability.TooFewUnits e) {
      throw new BadInputException(
          "Cannot cluster "
              + what
              + " into cluster.k = "
              + cs.k()
              + " clusters: "
              + e.getMessage()
              + (cs.procedure().equals("filan")
                  ? " (cluster.procedure"
                      + " = filan deletes the "
                      + (e.nodes - e.units)
                      + " isolated units); lower cluster.k."
                  : "."),
          e);
    } catch (SymmetricEigen.NoConvergence e) {
      throw new BadInputException(
          "Cannot cluster "
              + what
              + ": the eigen-decomposition of its "
              + a.length
              + "-unit normalised Laplacian failed ("
              + e.getMessage()
              + ").",
          e);
    }
  }

  /**
   * The n-cut of one shuffled graph in a Spark task; NaN when the procedure leaves fewer than k
   * units (the driver reports it); an eigensolver failure as a BadInputException (its message is
   * what the terminal shows).
   */
  private static double shuffledNCut(
      double[][] a,
      ClusterSettings cs,
      Clusterability.Procedure procedure,
      long seed,
      int shuffle) {
    try {
      return Spectral.nCut(
          a, Clusterability.partition(a, cs.k(), cs.kmeansRestarts(), seed, procedure));
    } catch (Clusterability.TooFewUnits e) {
      return Double.NaN;
    } catch (SymmetricEigen.NoConvergence e) {
      throw new BadInputException(
          "Cannot cluster shuffled network "
              + shuffle
              + ": the"
              + " eigen-decomposition of its "
              + a.length
              + "-unit normalised Laplacian failed ("
              + e.getMessage()
              + ").",
          e);
    }
  }

  /**
   * One clear message for a graph that cannot be clustered: a NaN, infinite or negative edge (e.g.
   * a NaN weight in the model), or no edge at all.
   */
  private static void requireClusterable(
      double[][] a,
      WeightGraph graph,
      int[] hidden,
      boolean coactivation,
      OutputLayout out,
      ClusterSettings cs) {
    int[] bad = Spectral.firstBadWeight(a);
    if (bad != null) {
      int u = coactivation ? hidden[bad[0]] : bad[0];
      int v = coactivation ? hidden[bad[1]] : bad[1];
      throw new BadInputException(
          "Cannot cluster the model in "
              + out.model()
              + ": the "
              + (coactivation ? "coactivation" : "weight")
              + " graph has edge weight "
              + a[bad[0]][bad[1]]
              + " between layer "
              + graph.layerOf(u)
              + " unit "
              + graph.unitOf(u)
              + " and layer "
              + graph.layerOf(v)
              + " unit "
              + graph.unitOf(v)
              + (coactivation ? "" : " (|w| of that" + " weight)")
              + "; edge weights must be finite and non-negative.");
    }
    if (Spectral.connectedNodes(a).length == 0) {
      throw new BadInputException(
          "Cannot cluster the model in "
              + out.model()
              + ": every edge"
              + " of its "
              + (coactivation ? "coactivation" : "weight")
              + " graph is 0 (all "
              + (coactivation ? "correlations" : "weights")
              + " zero), nothing to partition.");
    }
  }

  /** The n-cut of each shuffled network, in parallel on Spark (exact backend). */
  private static double[] shuffledNCuts(
      SparkSession spark, Settings s, ParamLayout layout, float[] theta, int[] realPartition) {
    ClusterSettings cs = s.cluster();
    long seed = s.seed();
    Clusterability.Procedure procedure = Clusterability.Procedure.of(cs.procedure());
    // Filan et al. delete the isolated units before shuffling: the weights among the others are
    // permuted, the deleted units' zero weights are not shuffled back in.
    boolean[] kept = new boolean[realPartition.length];
    boolean deleted = false;
    for (int n = 0; n < kept.length; n++) {
      kept[n] = realPartition[n] >= 0;
      deleted |= !kept[n];
    }
    boolean restricted = deleted;
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < cs.shuffles(); i++) {
      ids.add(i);
    }
    if (cs.backend().equals("spark-pic")) { // each partition is itself a Spark job
      double[] out = new double[ids.size()];
      for (int i : ids) {
        double[][] a =
            WeightGraph.of(
                    layout,
                    Shuffles.withinLayers(
                        layout, theta, Seeds.stream(seed, "cluster/shuffle/" + i)))
                .adjacency();
        out[i] = Spectral.nCut(a, partition(spark, cs, a, seed, "shuffled network " + i));
      }
      return out;
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<float[]> params = jsc.broadcast(theta);
    List<Double> cuts =
        jsc.parallelize(ids, Math.min(ids.size(), 64))
            .map(
                i -> {
                  java.util.SplittableRandom rng = Seeds.stream(seed, "cluster/shuffle/" + i);
                  float[] shuffledTheta =
                      restricted
                          ? Shuffles.withinLayers(layout, params.value(), rng, kept)
                          : Shuffles.withinLayers(layout, params.value(), rng);
                  double[][] a = WeightGraph.of(layout, shuffledTheta).adjacency();
                  return shuffledNCut(a, cs, procedure, seed, i);
                })
            .collect();
    return cuts.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static org.apache.spark.sql.Dataset<Row> clustersTable(
      SparkSession spark, WeightGraph graph, Map<String, int[]> partitions) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, int[]> e : partitions.entrySet()) {
      int leaf = 0;
      for (int n = 0; n < graph.size(); n++) {
        int layer = graph.layerOf(n);
        boolean hidden = layer > 0 && layer < graph.layers() - 1;
        if (e.getValue()[n] < 0) {
          continue;
        }
        rows.add(
            RowFactory.create(
                e.getKey(),
                n,
                layer,
                graph.unitOf(n),
                e.getValue()[n],
                e.getKey().equals("hierarchical") && hidden ? leaf++ : null));
      }
    }
    return spark.createDataFrame(rows, CLUSTERS);
  }

  private static List<Row> maskOverlap(
      SparkSession spark,
      OutputLayout out,
      ParamLayout layout,
      UnitAnalysis units,
      Map<String, int[]> partitions,
      long modelSeed) {
    org.apache.spark.sql.Dataset<Row> table = Tables.read(spark, out, Table.MASKS);
    if (java.util.Arrays.asList(table.columns()).contains("model_seed")) {
      table = table.where(org.apache.spark.sql.functions.col("model_seed").equalTo(modelSeed));
    }
    // The weights incident to each cluster (and to all clustered units) do not depend on the mask.
    java.util.LinkedHashMap<String, int[][]> incident = new java.util.LinkedHashMap<>();
    java.util.LinkedHashMap<String, int[]> incidentToAll = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, int[]> p : partitions.entrySet()) {
      int k = java.util.Arrays.stream(p.getValue()).max().orElse(-1) + 1;
      int[][] w = new int[k][];
      for (int c = 0; c < k; c++) {
        w[c] = units.incidentWeights(members(p.getValue(), c));
      }
      incident.put(p.getKey(), w);
      incidentToAll.put(
          p.getKey(),
          units.incidentWeights(
              java.util.stream.IntStream.range(0, p.getValue().length)
                  .filter(n -> p.getValue()[n] >= 0)
                  .toArray()));
    }
    // Each mask is read and measured on the executors; only the rows come back, in run-id order.
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<java.util.LinkedHashMap<String, int[][]>> incidentB = jsc.broadcast(incident);
    Broadcast<java.util.LinkedHashMap<String, int[]>> allB = jsc.broadcast(incidentToAll);
    List<scala.Tuple2<String, List<Row>>> perRun =
        RunMasks.masks(layout, table)
            .mapValues(m -> clusterMaskRows(m, incidentB.value(), allB.value()))
            .sortByKey()
            .collect();
    List<Row> rows = new ArrayList<>();
    perRun.forEach(r -> rows.addAll(r._2()));
    return rows;
  }

  /** One run's rows of the cluster_masks table: its kept share of each cluster's weights. */
  private static List<Row> clusterMaskRows(
      RunMasks.RunMask m, Map<String, int[][]> incident, Map<String, int[]> incidentToAll) {
    List<Row> rows = new ArrayList<>();
    for (String partition : incident.keySet()) {
      double base = UnitAnalysis.keptShare(m.mask(), incidentToAll.get(partition));
      int[][] w = incident.get(partition);
      for (int c = 0; c < w.length; c++) {
        double share = UnitAnalysis.keptShare(m.mask(), w[c]);
        rows.add(
            RowFactory.create(
                partition,
                c,
                m.runId(),
                m.method(),
                m.subtask(),
                m.seed(),
                w[c].length,
                Reports.finite(share),
                Reports.finite(share / base)));
      }
    }
    return rows;
  }

  private static int[] members(int[] labels, int c) {
    return java.util.stream.IntStream.range(0, labels.length).filter(n -> labels[n] == c).toArray();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  static final StructType CLUSTERS =
      new StructType()
          .add("method", DataTypes.StringType, false)
          .add("node", DataTypes.IntegerType, false)
          .add("layer", DataTypes.IntegerType, false)
          .add("unit", DataTypes.IntegerType, false)
          .add("cluster", DataTypes.IntegerType, false)
          .add("tree_leaf", DataTypes.IntegerType, true);

  static final StructType CLUSTERABILITY =
      new StructType()
          .add("backend", DataTypes.StringType, false)
          .add("k", DataTypes.IntegerType, false)
          .add("n_units", DataTypes.IntegerType, false)
          .add("n_cut", DataTypes.DoubleType, false)
          .add("n_shuffles", DataTypes.IntegerType, false)
          .add("shuffled_mean", DataTypes.DoubleType, false)
          .add("shuffled_std", DataTypes.DoubleType, true)
          .add("z_score", DataTypes.DoubleType, true)
          .add("p_value", DataTypes.DoubleType, false)
          .add("graph", DataTypes.StringType, false)
          .add("n_shuffled_at_or_below", DataTypes.IntegerType, false);

  static final StructType TREE =
      new StructType()
          .add("step", DataTypes.IntegerType, false)
          .add("cluster_a", DataTypes.IntegerType, false)
          .add("cluster_b", DataTypes.IntegerType, false)
          .add("distance", DataTypes.DoubleType, false)
          .add("size", DataTypes.IntegerType, false);

  static final StructType SPECIALISATION =
      new StructType()
          .add("method", DataTypes.StringType, false)
          .add("cluster", DataTypes.IntegerType, false)
          .add("hidden_units", DataTypes.IntegerType, false)
          .add("eval_subtask", DataTypes.StringType, false)
          .add("full_accuracy", DataTypes.DoubleType, false)
          .add("accuracy", DataTypes.DoubleType, false)
          .add("drop", DataTypes.DoubleType, false)
          .add("random_mean", DataTypes.DoubleType, true)
          .add("random_std", DataTypes.DoubleType, true)
          .add("z_score", DataTypes.DoubleType, true)
          .add("random_percentile", DataTypes.DoubleType, true);

  static final StructType LESIONS =
      new StructType()
          .add("method", DataTypes.StringType, false)
          .add("cluster", DataTypes.IntegerType, false)
          .add("layer", DataTypes.IntegerType, false)
          .add("units", DataTypes.IntegerType, false)
          .add("layer_units", DataTypes.IntegerType, false)
          .add("eval_subtask", DataTypes.StringType, false)
          .add("full_accuracy", DataTypes.DoubleType, false)
          .add("accuracy", DataTypes.DoubleType, false)
          .add("drop", DataTypes.DoubleType, false)
          .add("random_mean", DataTypes.DoubleType, true)
          .add("random_std", DataTypes.DoubleType, true)
          .add("z_score", DataTypes.DoubleType, true)
          .add("random_percentile", DataTypes.DoubleType, true)
          .add("n_controls", DataTypes.IntegerType, false)
          .add("mean_accuracy", DataTypes.DoubleType, false)
          .add("mean_p_value", DataTypes.DoubleType, true)
          .add("normalised_range", DataTypes.DoubleType, true)
          .add("range_p_value", DataTypes.DoubleType, true);

  static final StructType CLUSTER_MASKS =
      new StructType()
          .add("cluster_method", DataTypes.StringType, false)
          .add("cluster", DataTypes.IntegerType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("method", DataTypes.StringType, false)
          .add("subtask", DataTypes.StringType, false)
          .add("seed", DataTypes.LongType, false)
          .add("n_weights", DataTypes.IntegerType, false)
          .add("kept_share", DataTypes.DoubleType, true)
          .add("enrichment", DataTypes.DoubleType, true);
}
