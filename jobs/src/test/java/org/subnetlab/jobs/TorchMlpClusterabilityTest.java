package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * {@code subnetlab cluster} on two MLPs trained outside subnetlab with PyTorch ({@code
 * scripts/train_torch_mlp.py --small}: Fashion-MNIST pooled to 7 x 7, 49-64-64-10) and written as
 * Keras HDF5: a plain one, and one trained with dropout 0.5 and magnitude-pruned to 90 % per weight
 * matrix (Filan et al. 2021's most clusterable variant). Each is imported with {@code model.import}
 * and clustered; the n-cut is recomputed here from the HDF5 kernels themselves (read with the HDF5
 * reader, not through the model import), and with {@code cluster.procedure = filan} the deleted
 * units are the units without a non-zero kernel entry, found here in the file. Resources: {@code
 * torch/} (model files, 900 pooled images).
 */
class TorchMlpClusterabilityTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static final int[] SIZES = {49, 64, 64, 10};
  static final String[] CLASSES = {
    "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"
  };

  @BeforeAll
  static void start() throws Exception {
    spark = SparkSessions.local("torch-cluster-test", "local[2]");
    for (String f :
        List.of(
            "plain.h5",
            "pruned-dropout.h5",
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte")) {
      try (InputStream in = TorchMlpClusterabilityTest.class.getResourceAsStream("/torch/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The kernels of dense_1..dense_3, [in][out], as stored in the file (Keras layout). */
  static double[][][] kernels(Path h5) throws Exception {
    double[][][] w = new double[SIZES.length - 1][][];
    try (Hdf5Archive a = new Hdf5Archive(h5.toString())) {
      for (int l = 0; l < w.length; l++) {
        String name = "dense_" + (l + 1);
        INDArray k = a.readDataSet("kernel:0", "model_weights", name, name);
        assertThat(k.shape()).containsExactly(SIZES[l], SIZES[l + 1]);
        w[l] = k.toDoubleMatrix();
      }
    }
    return w;
  }

  /** Node key (layer, unit) as one int, layer 0 = inputs. */
  static int key(int layer, int unit) {
    return layer * 1000 + unit;
  }

  /** |w| between units of consecutive layers, by (layer, unit) key. */
  static Map<Long, Double> edges(double[][][] w) {
    Map<Long, Double> e = new HashMap<>();
    for (int l = 0; l < w.length; l++) {
      for (int i = 0; i < SIZES[l]; i++) {
        for (int j = 0; j < SIZES[l + 1]; j++) {
          double v = Math.abs(w[l][i][j]);
          int a = key(l, i);
          int b = key(l + 1, j);
          e.merge(((long) a << 32) | b, v, Double::sum);
          e.merge(((long) b << 32) | a, v, Double::sum);
        }
      }
    }
    return e;
  }

  /** Σ_c cut(c)/vol(c) from the definition, over the labelled units only. */
  static double nCut(Map<Long, Double> edges, Map<Integer, Integer> clusterOf) {
    Map<Integer, Double> cut = new HashMap<>();
    Map<Integer, Double> vol = new HashMap<>();
    for (Map.Entry<Long, Double> e : edges.entrySet()) {
      Integer cu = clusterOf.get((int) (e.getKey() >>> 32));
      Integer cv = clusterOf.get((int) (long) e.getKey());
      if (cu == null || cv == null) {
        continue;
      }
      vol.merge(cu, e.getValue(), Double::sum);
      if (!cu.equals(cv)) {
        cut.merge(cu, e.getValue(), Double::sum);
      }
    }
    double n = 0;
    for (Map.Entry<Integer, Double> c : vol.entrySet()) {
      n += c.getValue() > 0 ? cut.getOrDefault(c.getKey(), 0.0) / c.getValue() : 0;
    }
    return n;
  }

  /** Units with at least one non-zero kernel entry in or out. */
  static int connected(double[][][] w) {
    int n = 0;
    for (int l = 0; l < SIZES.length; l++) {
      for (int u = 0; u < SIZES[l]; u++) {
        boolean any = false;
        if (l > 0) {
          for (int i = 0; i < SIZES[l - 1] && !any; i++) {
            any = w[l - 1][i][u] != 0;
          }
        }
        if (l < w.length) {
          for (int j = 0; j < SIZES[l + 1] && !any; j++) {
            any = w[l][u][j] != 0;
          }
        }
        n += any ? 1 : 0;
      }
    }
    return n;
  }

  record Result(Row clusterability, Map<Integer, Integer> spectral) {}

  static Result cluster(String model, String procedure) throws Exception {
    Path conf = dir.resolve(model + "-" + procedure + ".conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "seed = 0",
            "task { name = images, images { dir = \""
                + dir
                + "\", train-images = train-images-idx3-ubyte,",
            "  train-labels = train-labels-idx1-ubyte, eval-images = t10k-images-idx3-ubyte,",
            "  eval-labels = t10k-labels-idx1-ubyte, class-names = ["
                + String.join(", ", CLASSES)
                + "] } }",
            "model.import = \"" + dir.resolve(model + ".h5") + "\"",
            "cluster { k = 12, shuffles = 20, procedure = "
                + procedure
                + ", random-controls = 2, modules = 4, feature-examples = 300 }",
            ""));
    Settings s = ConfigLoader.load(conf, List.of());
    OutputLayout out = OutputLayout.prepare(dir.resolve("out-" + model + "-" + procedure));
    TrainModelJob.run(spark, s, out);
    ClusterJob.run(spark, s, out);
    List<Row> c = spark.read().parquet(out.table("clusterability").toString()).collectAsList();
    assertThat(c).hasSize(1);
    Map<Integer, Integer> labels = new HashMap<>();
    for (Row r : spark.read().parquet(out.table("clusters").toString()).collectAsList()) {
      if (r.<String>getAs("method").equals("spectral")) {
        labels.put(
            key(r.<Integer>getAs("layer"), r.<Integer>getAs("unit")), r.<Integer>getAs("cluster"));
      }
    }
    return new Result(c.get(0), labels);
  }

  @Test
  void prunedDropoutNetIsMoreClusterableThanThePlainOneAndTheNCutsMatchTheFile() throws Exception {
    double[][][] plainW = kernels(dir.resolve("plain.h5"));
    double[][][] prunedW = kernels(dir.resolve("pruned-dropout.h5"));
    for (double[][] k : prunedW) { // the fixture is what it claims: 90 % zeros per matrix
      long zeros =
          java.util.Arrays.stream(k)
              .flatMapToDouble(java.util.Arrays::stream)
              .filter(v -> v == 0)
              .count();
      assertThat((double) zeros / (k.length * k[0].length)).isCloseTo(0.9, within(0.005));
    }
    Result plain = cluster("plain", "subnetlab");
    Result pruned = cluster("pruned-dropout", "subnetlab");
    int units = java.util.Arrays.stream(SIZES).sum();
    for (Object[] r : new Object[][] {{plain, plainW}, {pruned, prunedW}}) {
      Result res = (Result) r[0];
      assertThat(res.spectral()).hasSize(units);
      assertThat(res.clusterability().<Integer>getAs("n_units")).isEqualTo(units);
      assertThat(res.clusterability().<Double>getAs("n_cut"))
          .isCloseTo(nCut(edges((double[][][]) r[1]), res.spectral()), within(1e-6));
    }
    double zPlain = plain.clusterability().getAs("z_score");
    double zPruned = pruned.clusterability().getAs("z_score");
    // Filan et al.'s finding, at this size too: pruning + dropout makes the net more clusterable
    // than its shuffles by a wider margin than the plain net, below every shuffle.
    assertThat(zPruned).isLessThan(zPlain);
    assertThat(pruned.clusterability().<Integer>getAs("n_shuffled_at_or_below")).isZero();

    // Filan et al.'s procedure deletes exactly the units without a non-zero weight in the file.
    Result filan = cluster("pruned-dropout", "filan");
    int kept = connected(prunedW);
    assertThat(filan.clusterability().<Integer>getAs("n_units")).isEqualTo(kept);
    assertThat(filan.spectral()).hasSize(kept);
    assertThat(filan.clusterability().<Double>getAs("n_cut"))
        .isCloseTo(nCut(edges(prunedW), filan.spectral()), within(1e-6));
  }
}
