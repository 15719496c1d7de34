package org.subnetlab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.subnetlab.PlantedNetwork;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;

class ClusterabilityTest {
  /** Spectral.cluster as it was before LAPACK: commons-math3's full EigenDecomposition. */
  static int[] clusterWithCommonsMath(double[][] a, int k, int restarts, long seed) {
    int n = a.length;
    double[][] l = Spectral.normalisedLaplacian(a);
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m[i][j] = (i == j ? 1.0 : 0.0) - l[i][j];
      }
    }
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(m, false));
    double[] values = eig.getRealEigenvalues();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
    RealMatrix vectors = eig.getV();
    double[][] embedding = new double[n][k];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        embedding[i][c] = vectors.getEntry(i, order[c]);
      }
    }
    return Spectral.kMeans(Spectral.normaliseRows(embedding), k, restarts, seed);
  }

  static WeightGraph randomMlp(int in, List<Integer> hidden, int out, long seed) {
    MultiLayerNetwork net =
        Networks.mlp(in, hidden, out, "relu", 0.01, DataType.FLOAT, new SplittableRandom(seed));
    return WeightGraph.of(ParamLayout.of(net), ParamBridge.toFloats(net.params()));
  }

  @Test
  void demoSizedGraphGetsTheSamePartitionAsWithCommonsMath() {
    // The demo's shape (2·16 + 3 inputs, 128, 128, 16 outputs: 307 units), DL4J's initialisation.
    for (long seed : new long[] {0, 1}) {
      double[][] a = randomMlp(35, List.of(128, 128), 16, seed).adjacency();
      int[] before = clusterWithCommonsMath(a, 12, 10, seed);
      int[] now = Spectral.cluster(a, 12, 10, seed);
      assertThat(now).as("partition of model %d", seed).containsExactly(before);
      assertThat(Spectral.nCut(a, now)).isCloseTo(Spectral.nCut(a, before), within(1e-12));
    }
    double[][] planted =
        WeightGraph.of(new PlantedNetwork(11).layout, new PlantedNetwork(11).theta).adjacency();
    assertThat(Spectral.cluster(planted, 2, 10, 0))
        .containsExactly(clusterWithCommonsMath(planted, 2, 10, 0));
  }

  @Test
  void degreeScaledEmbeddingIsOfRandomWalkEigenvectors() {
    // scikit-learn's spectral_embedding: u = D^{-1/2} v for L v = λ v, so (I − D⁻¹A) u = λ u.
    double[][] a = randomMlp(20, List.of(16, 16), 6, 4).adjacency();
    int n = a.length;
    int k = 5;
    double[][] u = Spectral.embedding(a, k, Spectral.Embedding.DEGREE_SCALED);
    double[] lambdas = new double[k];
    double[] deg = new double[n];
    for (int i = 0; i < n; i++) {
      deg[i] = Arrays.stream(a[i]).sum();
    }
    double[] all =
        new EigenDecomposition(new Array2DRowRealMatrix(Spectral.normalisedLaplacian(a), false))
            .getRealEigenvalues();
    Arrays.sort(all);
    for (int c = 0; c < k; c++) {
      // λ from the Rayleigh quotient of the generalised problem (D − A) u = λ D u
      double num = 0;
      double den = 0;
      for (int i = 0; i < n; i++) {
        double lu = deg[i] * u[i][c];
        for (int j = 0; j < n; j++) {
          lu -= a[i][j] * u[j][c];
        }
        num += u[i][c] * lu;
        den += deg[i] * u[i][c] * u[i][c];
      }
      lambdas[c] = num / den;
      assertThat(lambdas[c]).as("λ%d", c).isCloseTo(all[c], within(1e-9));
      for (int i = 0; i < n; i++) {
        double rw = u[i][c];
        for (int j = 0; j < n; j++) {
          rw -= a[i][j] * u[j][c] / deg[i];
        }
        assertThat(rw).isCloseTo(lambdas[c] * u[i][c], within(1e-9));
      }
    }
    // λ0 = 0 with a constant u (connected graph), made positive by the sign flip.
    assertThat(lambdas[0]).isCloseTo(0.0, within(1e-10));
    for (int i = 1; i < n; i++) {
      assertThat(u[i][0]).isCloseTo(u[0][0], within(1e-10));
    }
    assertThat(u[0][0]).isPositive();
  }

  @Test
  void filanProcedureDeletesIsolatedUnitsAndRecoversPlantedBlocks() {
    PlantedNetwork planted = new PlantedNetwork(11);
    WeightGraph g = WeightGraph.of(planted.layout, planted.theta);
    int[] labels =
        Clusterability.partition(g.adjacency(), 2, 10, 0, Clusterability.Procedure.FILAN);
    assertThat(Partitions.adjustedRandIndex(labels, PlantedNetwork.nodeBlocks()))
        .isGreaterThanOrEqualTo(0.9);
    // Prune: hidden unit 3 and input 0 lose every weight, so they are isolated.
    float[] theta = planted.theta.clone();
    ParamLayout layout = planted.layout;
    List<Integer> blocks = WeightGraph.weightBlocks(layout);
    int w0 = layout.offset(blocks.get(0));
    int w1 = layout.offset(blocks.get(1));
    int nIn = g.layerSize(0);
    int nHidden = g.layerSize(1);
    for (int o = 0; o < nHidden; o++) {
      theta[w0 + nIn * o] = 0f; // input 0 → every hidden unit
    }
    for (int i = 0; i < nIn; i++) {
      theta[w0 + i + nIn * 3] = 0f; // every input → hidden 3
    }
    for (int o = 0; o < g.layerSize(2); o++) {
      theta[w1 + 3 + nHidden * o] = 0f; // hidden 3 → every output
    }
    double[][] a = WeightGraph.of(layout, theta).adjacency();
    int[] isolated = {g.node(0, 0), g.node(1, 3)};
    int[] filan = Clusterability.partition(a, 2, 10, 0, Clusterability.Procedure.FILAN);
    for (int n = 0; n < a.length; n++) {
      boolean gone = n == isolated[0] || n == isolated[1];
      assertThat(filan[n]).as("label of node %d", n).isEqualTo(gone ? -1 : filan[n]);
      if (!gone) {
        assertThat(filan[n]).isBetween(0, 1);
      }
    }
    assertThat(Clusterability.clustered(filan)).isEqualTo(a.length - 2);
    // the n-cut over the remaining units is the n-cut of the subgraph by the definition
    int[] kept = Spectral.connectedNodes(a);
    assertThat(kept).hasSize(a.length - 2).doesNotContain(isolated);
    int[] sub = Arrays.stream(kept).map(n -> filan[n]).toArray();
    assertThat(Spectral.nCut(a, filan))
        .isCloseTo(Spectral.nCut(Spectral.subgraph(a, kept), sub), within(1e-12));
    // subnetlab's procedure clusters every unit, isolated ones too
    int[] all = Clusterability.partition(a, 2, 10, 0, Clusterability.Procedure.SUBNETLAB);
    assertThat(Clusterability.clustered(all)).isEqualTo(a.length);
    assertThat(Partitions.adjustedRandIndex(sub, Arrays.stream(kept).map(n -> all[n]).toArray()))
        .isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void tooFewUnitsAndEmptyGraphsAreOneClearFailure() {
    double[][] twoEdges = new double[6][6];
    twoEdges[0][1] = twoEdges[1][0] = 1;
    twoEdges[2][3] = twoEdges[3][2] = 2; // nodes 4 and 5 isolated
    assertThatThrownBy(
            () -> Clusterability.partition(twoEdges, 5, 3, 0, Clusterability.Procedure.FILAN))
        .isInstanceOf(Clusterability.TooFewUnits.class)
        .hasMessage("4 of the 6 units have a non-zero weight, fewer than the 5 clusters");
    // subnetlab's procedure: isolated units (an eigenvector row of 0) join a cluster, and the two
    // components are two clusters with n-cut 0
    int[] labels = Clusterability.partition(twoEdges, 2, 3, 0, Clusterability.Procedure.SUBNETLAB);
    assertThat(labels[0]).isEqualTo(labels[1]).isNotEqualTo(labels[2]);
    assertThat(labels[2]).isEqualTo(labels[3]);
    assertThat(Spectral.nCut(twoEdges, labels)).isEqualTo(0.0);
    int[] filan = Clusterability.partition(twoEdges, 2, 3, 0, Clusterability.Procedure.FILAN);
    assertThat(filan).containsExactly(0, 0, 1, 1, -1, -1);
    assertThat(Spectral.nCut(twoEdges, filan)).isEqualTo(0.0);
    for (Clusterability.Procedure p : Clusterability.Procedure.values()) {
      assertThatThrownBy(() -> Clusterability.partition(new double[4][4], 2, 3, 0, p))
          .isInstanceOf(Clusterability.TooFewUnits.class)
          .hasMessageStartingWith("0 of the 4 units");
    }
    double[][] nan = {{0, Double.NaN}, {Double.NaN, 0}};
    assertThat(Spectral.firstBadWeight(nan)).containsExactly(0, 1);
    assertThat(Spectral.firstBadWeight(twoEdges)).isNull();
  }

  @Test
  void populationAndSampleStdByHand() {
    double[] x = {1, 2, 3, 4}; // mean 2.5, squares sum 5
    assertThat(Clusterability.std(x, Clusterability.Procedure.FILAN))
        .isCloseTo(Math.sqrt(5.0 / 4), within(1e-15));
    assertThat(Clusterability.std(x, Clusterability.Procedure.SUBNETLAB))
        .isCloseTo(Math.sqrt(5.0 / 3), within(1e-15));
    assertThat(Clusterability.std(new double[] {7}, Clusterability.Procedure.FILAN)).isEqualTo(0.0);
    assertThat(Clusterability.std(new double[] {7}, Clusterability.Procedure.SUBNETLAB)).isNaN();
  }

  @Test
  void restrictedShufflesMoveOnlyWeightsAmongKeptUnits() {
    PlantedNetwork planted = new PlantedNetwork(3);
    ParamLayout layout = planted.layout;
    WeightGraph g = WeightGraph.of(layout, planted.theta);
    boolean[] all = new boolean[g.size()];
    Arrays.fill(all, true);
    assertThat(Shuffles.withinLayers(layout, planted.theta, new SplittableRandom(9), all))
        .containsExactly(Shuffles.withinLayers(layout, planted.theta, new SplittableRandom(9)));
    boolean[] kept = all.clone();
    kept[g.node(0, 1)] = false;
    kept[g.node(2, 0)] = false;
    float[] s = Shuffles.withinLayers(layout, planted.theta, new SplittableRandom(9), kept);
    List<Integer> blocks = WeightGraph.weightBlocks(layout);
    for (int b = 0; b < blocks.size(); b++) {
      int off = layout.offset(blocks.get(b));
      int nIn = g.layerSize(b);
      List<Float> before = new ArrayList<>();
      List<Float> after = new ArrayList<>();
      for (int o = 0; o < g.layerSize(b + 1); o++) {
        for (int i = 0; i < nIn; i++) {
          int p = off + i + nIn * o;
          if (kept[g.node(b, i)] && kept[g.node(b + 1, o)]) {
            before.add(planted.theta[p]);
            after.add(s[p]);
          } else {
            assertThat(s[p]).as("weight %d of a deleted unit", p).isEqualTo(planted.theta[p]);
          }
        }
      }
      assertThat(after).containsExactlyInAnyOrderElementsOf(before).isNotEqualTo(before);
    }
    // biases untouched
    for (int block = 0; block < layout.layers(); block++) {
      if (!blocks.contains(block)) {
        for (int p = layout.offset(block); p < layout.offset(block) + layout.size(block); p++) {
          assertThat(s[p]).isEqualTo(planted.theta[p]);
        }
      }
    }
  }
}
