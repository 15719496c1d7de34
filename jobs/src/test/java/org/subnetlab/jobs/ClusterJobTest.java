package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.cluster.Clusterability;
import org.subnetlab.cluster.Shuffles;
import org.subnetlab.cluster.Spectral;
import org.subnetlab.cluster.WeightGraph;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.Network;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;

/** {@code subnetlab cluster} on a real SparkSession, both backends. */
class ClusterJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path conf;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("cluster-test", "local[2]");
    conf = TestConfigs.copy("tiny.conf", dir);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static List<Row> table(OutputLayout out, String name) {
    return spark.read().parquet(out.table(name).toString()).collectAsList();
  }

  /** Σ_c cut(c)/vol(c) written out again from the definition (Shi & Malik 2000). */
  private static double nCutByHand(double[][] a, Map<Integer, Integer> clusterOf) {
    Map<Integer, Double> cut = new HashMap<>();
    Map<Integer, Double> vol = new HashMap<>();
    for (Map.Entry<Integer, Integer> u : clusterOf.entrySet()) {
      for (Map.Entry<Integer, Integer> v : clusterOf.entrySet()) {
        double w = a[u.getKey()][v.getKey()];
        vol.merge(u.getValue(), w, Double::sum);
        if (!u.getValue().equals(v.getValue())) {
          cut.merge(u.getValue(), w, Double::sum);
        }
      }
    }
    double n = 0;
    for (Map.Entry<Integer, Double> c : vol.entrySet()) {
      n += c.getValue() > 0 ? cut.getOrDefault(c.getKey(), 0.0) / c.getValue() : 0;
    }
    return n;
  }

  private static Map<Integer, Integer> labels(List<Row> clusters, String method) {
    Map<Integer, Integer> m = new TreeMap<>();
    for (Row r : clusters) {
      if (r.getString(0).equals(method)) {
        m.put(r.getInt(1), r.getInt(4));
      }
    }
    return m;
  }

  /** Accuracy of the DL4J network itself on {@code data}, its parameters replaced by {@code p}. */
  private static double accuracyOf(MultiLayerNetwork net, float[] p, Dataset data) {
    MultiLayerNetwork copy = net.clone();
    copy.params().assign(Nd4j.create(p).castTo(copy.params().dataType()));
    INDArray x =
        Nd4j.create(data.features(), new long[] {data.size(), data.inputSize()}, 'c')
            .castTo(copy.params().dataType());
    INDArray out = copy.output(x, false);
    int right = 0;
    for (int i = 0; i < data.size(); i++) {
      right += out.getRow(i).argMax().getInt(0) == data.label(i) ? 1 : 0;
    }
    return (double) right / data.size();
  }

  @Test
  void clusterabilityAndLesionsMatchAnIndependentRecomputation() {
    Settings s =
        ConfigLoader.load(
            conf,
            List.of(
                "cluster.k=3",
                "cluster.shuffles=6",
                "cluster.modules=4",
                "cluster.random-controls=5"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("exact"));
    TrainModelJob.run(spark, s, out);
    ClusterJob.run(spark, s, out);
    // tiny model: 12 inputs (2·5 operands + 2 operations), 32 hidden, 5 outputs.
    List<Row> clusters = table(out, "clusters");
    assertThat(labels(clusters, "spectral")).hasSize(49);
    assertThat(labels(clusters, "hierarchical")).hasSize(32);

    // The n-cut, the shuffled n-cuts, their z-score and p-value, recomputed outside the job.
    Network model = new ModelStore(out.model()).load(s.modelFingerprint());
    ParamLayout layout = ParamLayout.of(model);
    float[] theta = ParamBridge.toFloats(model.params());
    double[][] a = WeightGraph.of(layout, theta).adjacency();
    Row c = table(out, "clusterability").get(0);
    double real = nCutByHand(a, labels(clusters, "spectral"));
    assertThat(c.<Double>getAs("n_cut")).isCloseTo(real, within(1e-9));
    double[] shuffled = new double[6];
    int atOrBelow = 0;
    for (int i = 0; i < 6; i++) {
      double[][] sa =
          WeightGraph.of(
                  layout,
                  Shuffles.withinLayers(
                      layout, theta, Seeds.stream(s.seed(), "cluster/shuffle/" + i)))
              .adjacency();
      int[] l = Spectral.cluster(sa, 3, s.cluster().kmeansRestarts(), s.seed());
      Map<Integer, Integer> m = new TreeMap<>();
      for (int n = 0; n < l.length; n++) {
        m.put(n, l[n]);
      }
      shuffled[i] = nCutByHand(sa, m);
      atOrBelow += shuffled[i] <= real ? 1 : 0;
    }
    double mean = java.util.Arrays.stream(shuffled).average().orElseThrow();
    double ss = java.util.Arrays.stream(shuffled).map(v -> (v - mean) * (v - mean)).sum();
    double std = Math.sqrt(ss / 5);
    assertThat(c.<Integer>getAs("n_shuffles")).isEqualTo(6);
    assertThat(c.<String>getAs("graph")).isEqualTo("weights");
    assertThat(c.<Double>getAs("shuffled_mean")).isCloseTo(mean, within(1e-9));
    assertThat(c.<Double>getAs("shuffled_std")).isCloseTo(std, within(1e-9));
    assertThat(c.<Double>getAs("z_score")).isCloseTo((real - mean) / std, within(1e-6));
    assertThat(c.<Integer>getAs("n_shuffled_at_or_below")).isEqualTo(atOrBelow);
    assertThat(c.<Double>getAs("p_value")).isCloseTo((1.0 + atOrBelow) / 7, within(1e-12));

    List<Row> tree = table(out, "cluster_tree");
    assertThat(tree).hasSize(31);
    List<Double> heights =
        tree.stream()
            .sorted(Comparator.comparingInt(r -> r.getInt(0)))
            .map(r -> r.getDouble(3))
            .toList();
    assertThat(heights).isSorted(); // Ward's linkage is monotone

    // Every per-layer sub-cluster lesion: its units, its accuracy recomputed with DL4J's own
    // forward pass on the model whose lesioned units' outgoing weights are zeroed by hand.
    Task task = SparkTasks.create(spark, s);
    List<Row> lesions = table(out, "cluster_lesions");
    assertThat(lesions).isNotEmpty();
    MultiLayerNetwork net = model.layerStack();
    for (Row r : lesions) {
      String method = r.getAs("method");
      int cluster = r.getAs("cluster");
      int layer = r.getAs("layer");
      List<Row> members =
          clusters.stream()
              .filter(
                  m ->
                      m.getString(0).equals(method)
                          && m.getInt(4) == cluster
                          && m.getInt(2) == layer)
              .toList();
      assertThat(r.<Integer>getAs("units")).isEqualTo(members.size());
      assertThat(r.<Integer>getAs("layer_units")).isEqualTo(32);
      assertThat(r.<Integer>getAs("n_controls")).isEqualTo(5);
      float[] p = theta.clone();
      int off = layout.offset(layout.names().indexOf(layer + "_W"));
      for (Row m : members) {
        for (int o = 0; o < 5; o++) {
          p[off + m.getInt(3) + 32 * o] = 0f;
        }
      }
      Dataset eval = task.evalExamples(r.getAs("eval_subtask"));
      double n = eval.size();
      assertThat(r.<Double>getAs("full_accuracy"))
          .isCloseTo(accuracyOf(net, theta, eval), within(1.5 / n));
      assertThat(r.<Double>getAs("accuracy"))
          .as("%s cluster %d layer %d", method, cluster, layer)
          .isCloseTo(accuracyOf(net, p, eval), within(1.5 / n));
      double pMean = r.<Double>getAs("mean_p_value");
      assertThat(pMean * 6).isCloseTo(Math.rint(pMean * 6), within(1e-9)); // (1 + r)/(n + 1)
    }
    assertThat(out.table("cluster_masks")).doesNotExist(); // no mask sweep in this directory
    assertThat(out.report().resolve("clusters.md")).exists();
  }

  @Test
  void coactivationGraphClustersHiddenUnitsOfTheirActivationCorrelations() {
    Settings s =
        ConfigLoader.load(
            conf,
            List.of(
                "cluster.k=3",
                "cluster.shuffles=3",
                "cluster.graph=activations",
                "cluster.random-controls=0"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("coactivation"));
    TrainModelJob.run(spark, s, out);
    ClusterJob.run(spark, s, out);
    Map<Integer, Integer> spectral = labels(table(out, "clusters"), "spectral");
    assertThat(spectral).hasSize(32); // hidden units only
    assertThat(spectral.keySet()).allMatch(n -> n >= 12 && n < 44);
    Row c = table(out, "clusterability").get(0);
    assertThat(c.<String>getAs("graph")).isEqualTo("activations");
    assertThat(c.<Integer>getAs("n_units")).isEqualTo(32);
    // the real n-cut from activations taken with DL4J's feedForward and Spearman r² by hand
    Network model = new ModelStore(out.model()).load(s.modelFingerprint());
    Dataset eval = SparkTasks.create(spark, s).evalSplit();
    INDArray x =
        Nd4j.create(eval.features(), new long[] {eval.size(), eval.inputSize()}, 'c')
            .castTo(model.dataType());
    INDArray h = model.layerStack().feedForward(x, false).get(1);
    double[][] ranks = new double[32][];
    for (int u = 0; u < 32; u++) {
      double[] v = h.getColumn(u).toDoubleVector();
      double[] sorted = v.clone();
      java.util.Arrays.sort(sorted);
      ranks[u] = new double[v.length];
      for (int e = 0; e < v.length; e++) { // average rank of ties: (first + last)/2 + 1
        int first = lowerBound(sorted, v[e]);
        int last = lowerBound(sorted, Math.nextUp(v[e])) - 1;
        ranks[u][e] = (first + last) / 2.0 + 1;
      }
    }
    double[][] a = new double[44][44];
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 32; j++) {
        double r = i == j ? 0 : pearson(ranks[i], ranks[j]);
        a[12 + i][12 + j] = r * r;
      }
    }
    assertThat(c.<Double>getAs("n_cut")).isCloseTo(nCutByHand(a, spectral), within(1e-6));
    assertThat(
            table(out, "cluster_lesions").stream().filter(r -> r.getString(0).equals("spectral")))
        .isNotEmpty()
        .allMatch(r -> r.isNullAt(r.fieldIndex("z_score")) && r.getInt(13) == 0);
  }

  private static int lowerBound(double[] sorted, double v) {
    int i = 0;
    while (i < sorted.length && sorted[i] < v) {
      i++;
    }
    return i;
  }

  private static double pearson(double[] a, double[] b) {
    double ma = java.util.Arrays.stream(a).average().orElseThrow();
    double mb = java.util.Arrays.stream(b).average().orElseThrow();
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
  }

  @Test
  void powerIterationBackendPartitionsEveryUnit() {
    Settings s =
        ConfigLoader.load(
            conf,
            List.of(
                "cluster.k=3",
                "cluster.shuffles=2",
                "cluster.backend=spark-pic",
                "cluster.random-controls=0"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("pic"));
    TrainModelJob.run(spark, s, out);
    ClusterJob.run(spark, s, out);
    List<Row> spectral =
        table(out, "clusters").stream().filter(r -> r.getString(0).equals("spectral")).toList();
    assertThat(spectral).hasSize(49);
    assertThat(spectral.stream().mapToInt(r -> r.getInt(4)).max().orElseThrow()).isLessThan(3);
    assertThat(table(out, "clusterability").get(0).<String>getAs("backend")).isEqualTo("spark-pic");
  }

  @Test
  void rejectsMoreClustersThanUnits() {
    Settings s = ConfigLoader.load(conf, List.of("cluster.k=500"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("big-k"));
    TrainModelJob.run(spark, s, out);
    assertThatThrownBy(() -> ClusterJob.run(spark, s, out))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Cannot set cluster.k to 500: the model has only 49 units.");
  }

  /** Trains the tiny model into {@code out} and overwrites its weights with {@code edit}'s. */
  private static float[] trainAndEdit(
      Settings s, OutputLayout out, java.util.function.BiConsumer<ParamLayout, float[]> edit)
      throws Exception {
    TrainModelJob.run(spark, s, out);
    Network model = new ModelStore(out.model()).load(s.modelFingerprint());
    ParamLayout layout = ParamLayout.of(model);
    float[] theta = ParamBridge.toFloats(model.params());
    edit.accept(layout, theta);
    ParamBridge.write(theta, model.params());
    model.write(out.model().resolve(ModelStore.MODEL_FILE));
    return theta;
  }

  @Test
  void filanProcedureDeletesIsolatedUnitsOfAPrunedModel() throws Exception {
    Settings s =
        ConfigLoader.load(
            conf,
            List.of(
                "cluster.k=3",
                "cluster.shuffles=5",
                "cluster.procedure=filan",
                "cluster.random-controls=0"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("filan"));
    // tiny model: 12 inputs, 32 hidden, 5 outputs; input 0 and hidden unit 0 pruned away
    float[] theta =
        trainAndEdit(
            s,
            out,
            (layout, t) -> {
              int w0 = layout.offset(0);
              int w1 = layout.offset(2);
              for (int o = 0; o < 32; o++) {
                t[w0 + 12 * o] = 0f;
              }
              for (int i = 0; i < 12; i++) {
                t[w0 + i] = 0f;
              }
              for (int o = 0; o < 5; o++) {
                t[w1 + 32 * o] = 0f;
              }
            });
    ClusterJob.run(spark, s, out);
    Map<Integer, Integer> spectral = labels(table(out, "clusters"), "spectral");
    assertThat(spectral).hasSize(47).doesNotContainKeys(0, 12);
    Row c = table(out, "clusterability").get(0);
    assertThat(c.<Integer>getAs("n_units")).isEqualTo(47);
    Network model = new ModelStore(out.model()).load(s.modelFingerprint());
    ParamLayout layout = ParamLayout.of(model);
    double[][] a = WeightGraph.of(layout, theta).adjacency();
    assertThat(c.<Double>getAs("n_cut")).isCloseTo(nCutByHand(a, spectral), within(1e-9));
    // the shuffles permute the weights among the 47 kept units; population std
    boolean[] kept = new boolean[49];
    for (int n : spectral.keySet()) {
      kept[n] = true;
    }
    double[] cuts = new double[5];
    for (int i = 0; i < 5; i++) {
      double[][] g =
          WeightGraph.of(
                  layout,
                  Shuffles.withinLayers(
                      layout, theta, Seeds.stream(s.seed(), "cluster/shuffle/" + i), kept))
              .adjacency();
      cuts[i] =
          Spectral.nCut(
              g,
              Clusterability.partition(
                  g, 3, s.cluster().kmeansRestarts(), s.seed(), Clusterability.Procedure.FILAN));
    }
    double mean = java.util.Arrays.stream(cuts).average().orElseThrow();
    double ss = java.util.Arrays.stream(cuts).map(v -> (v - mean) * (v - mean)).sum();
    assertThat(c.<Double>getAs("shuffled_mean")).isCloseTo(mean, within(1e-9));
    assertThat(c.<Double>getAs("shuffled_std")).isCloseTo(Math.sqrt(ss / 5), within(1e-9));
    // too few units left for k: one message
    Settings big = ConfigLoader.load(conf, List.of("cluster.k=48", "cluster.procedure=filan"));
    assertThatThrownBy(() -> ClusterJob.run(spark, big, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "47 of the 49 units have a non-zero weight, fewer than the 48"
                + " clusters (cluster.procedure = filan deletes the 2 isolated units); lower"
                + " cluster.k.");
    Settings pic =
        ConfigLoader.load(conf, List.of("cluster.procedure=filan", "cluster.backend=spark-pic"));
    assertThatThrownBy(() -> ClusterJob.run(spark, pic, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cluster.procedure = filan with cluster.backend = spark-pic");
  }

  @Test
  void nanWeightIsOneMessageNamingTheUnits() throws Exception {
    Settings s =
        ConfigLoader.load(
            conf, List.of("cluster.k=3", "cluster.shuffles=2", "cluster.random-controls=0"));
    OutputLayout out = OutputLayout.prepare(dir.resolve("nan"));
    trainAndEdit(s, out, (layout, t) -> t[layout.offset(0) + 2 + 12 * 5] = Float.NaN);
    assertThatThrownBy(() -> ClusterJob.run(spark, s, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "the weight graph has edge weight NaN between layer 0 unit 2 and"
                + " layer 1 unit 5 (|w| of that weight); edge weights must be finite and"
                + " non-negative.");
  }
}
