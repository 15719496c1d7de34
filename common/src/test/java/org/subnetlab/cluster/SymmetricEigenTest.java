package org.subnetlab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.exception.MaxCountExceededException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;

class SymmetricEigenTest {
  static double[] columnMajor(double[][] a) {
    int n = a.length;
    double[] out = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        out[j * n + i] = a[i][j];
      }
    }
    return out;
  }

  static double[][] randomSymmetric(int n, SplittableRandom rng) {
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        a[i][j] = rng.nextGaussian();
        a[j][i] = a[i][j];
      }
    }
    return a;
  }

  /** Commons-math3's eigenvalues, ascending (null if it does not converge). */
  static double[] commonsMathValues(double[][] a) {
    try {
      double[] v = new EigenDecomposition(new Array2DRowRealMatrix(a, true)).getRealEigenvalues();
      Arrays.sort(v);
      return v;
    } catch (MaxCountExceededException e) {
      return null;
    }
  }

  /** max ‖A v − λ v‖ over the pairs, and max |VᵀV − I|. */
  static void assertEigenpairs(double[][] a, SymmetricEigen.Pairs p, double tol) {
    int n = a.length;
    for (int c = 0; c < p.count(); c++) {
      for (int i = 0; i < n; i++) {
        double av = 0;
        for (int j = 0; j < n; j++) {
          av += a[i][j] * p.vector(c, j);
        }
        assertThat(av)
            .as("(A v - λ v)[%d] of pair %d", i, c)
            .isCloseTo(p.values()[c] * p.vector(c, i), within(tol));
      }
      for (int d = 0; d <= c; d++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += p.vector(c, i) * p.vector(d, i);
        }
        assertThat(dot).as("v%d · v%d", c, d).isCloseTo(c == d ? 1.0 : 0.0, within(tol));
      }
    }
  }

  @Test
  void smallestEigenpairsOfRandomSymmetricMatricesMatchCommonsMath() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int n : new int[] {1, 2, 7, 60, 150}) {
      double[][] a = randomSymmetric(n, rng);
      double[] expected = commonsMathValues(a);
      assertThat(expected)
          .as("commons-math3 converges on a random %d × %d matrix", n, n)
          .isNotNull();
      int m = Math.min(n, 12);
      SymmetricEigen.Pairs p = SymmetricEigen.smallest(columnMajor(a), n, m);
      assertThat(p.count()).isEqualTo(m);
      for (int c = 0; c < m; c++) {
        assertThat(p.values()[c])
            .as("eigenvalue %d of %d", c, n)
            .isCloseTo(expected[c], within(1e-9));
      }
      assertEigenpairs(a, p, 1e-9);
      SymmetricEigen.Pairs full = SymmetricEigen.all(columnMajor(a), n);
      for (int c = 0; c < n; c++) {
        assertThat(full.values()[c]).isCloseTo(expected[c], within(1e-9));
      }
      assertEigenpairs(a, full, 1e-9);
    }
  }

  @Test
  void reportsWhichLapackLoaded() {
    String backend = SymmetricEigen.backend();
    System.out.println("LAPACK backend: " + backend);
    assertThat(backend)
        .isIn(
            "dev.ludovic.netlib.lapack.JNILAPACK",
            "dev.ludovic.netlib.lapack.F2jLAPACK",
            "dev.ludovic.netlib.lapack.JavaLAPACK");
  }

  @Test
  void byHandTwoByTwo() {
    // [[2, 1], [1, 2]]: eigenvalues 1 and 3, eigenvectors (1, −1)/√2 and (1, 1)/√2.
    SymmetricEigen.Pairs p = SymmetricEigen.smallest(new double[] {2, 1, 1, 2}, 2, 1);
    assertThat(p.values()[0]).isCloseTo(1.0, within(1e-14));
    assertThat(Math.abs(p.vector(0, 0))).isCloseTo(Math.sqrt(0.5), within(1e-14));
    assertThat(p.vector(0, 0)).isCloseTo(-p.vector(0, 1), within(1e-14));
  }

  @Test
  void nonFiniteMatrixIsOneClearFailure() {
    double[] a = {1, Double.NaN, Double.NaN, 1};
    assertThatThrownBy(() -> SymmetricEigen.smallest(a, 2, 1))
        .isInstanceOf(SymmetricEigen.NoConvergence.class)
        .hasMessageContaining("dsyevd");
  }

  /**
   * The weight graph of a random MLP (DL4J's initialisation) with the smallest (1 − keep) of each
   * weight matrix's |w| set to 0, as magnitude pruning does.
   */
  static WeightGraph prunedMlp(int in, List<Integer> hidden, int out, double keep, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    MultiLayerNetwork net = Networks.mlp(in, hidden, out, "relu", 0.01, DataType.FLOAT, rng);
    ParamLayout layout = ParamLayout.of(net);
    float[] theta = ParamBridge.toFloats(net.params());
    for (int block : WeightGraph.weightBlocks(layout)) {
      int off = layout.offset(block);
      int size = layout.size(block);
      float[] mags = new float[size];
      for (int i = 0; i < size; i++) {
        mags[i] = Math.abs(theta[off + i]);
      }
      Arrays.sort(mags);
      float threshold = mags[size - (int) Math.round(keep * size)];
      for (int i = 0; i < size; i++) {
        if (Math.abs(theta[off + i]) < threshold) {
          theta[off + i] = 0f;
        }
      }
    }
    return WeightGraph.of(layout, theta);
  }

  /** Sizes of the connected components of a graph (breadth-first search), isolated nodes too. */
  static int[] componentSizes(double[][] a) {
    int n = a.length;
    int[] comp = new int[n];
    Arrays.fill(comp, -1);
    int count = 0;
    int[] sizes = new int[n];
    for (int s = 0; s < n; s++) {
      if (comp[s] >= 0) {
        continue;
      }
      ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(s));
      comp[s] = count;
      while (!queue.isEmpty()) {
        int u = queue.poll();
        sizes[count]++;
        for (int v = 0; v < n; v++) {
          if (a[u][v] != 0 && comp[v] < 0) {
            comp[v] = count;
            queue.add(v);
          }
        }
      }
      count++;
    }
    return Arrays.copyOf(sizes, count);
  }

  @Test
  void prunedNetworkLaplacianWithIsolatedUnitsAndComponents() {
    // 95 % of each weight matrix pruned: isolated units and several components, the case on
    // which commons-math3's EigenDecomposition gave up (MaxCountExceededException).
    WeightGraph g = prunedMlp(60, List.of(48, 48, 48), 10, 0.05, 5);
    double[][] adjacency = g.adjacency();
    int[] sizes = componentSizes(adjacency);
    long isolated = Arrays.stream(sizes).filter(s -> s == 1).count();
    long components = Arrays.stream(sizes).filter(s -> s > 1).count();
    assertThat(isolated).as("isolated units").isGreaterThan(0);
    assertThat(components).as("components with edges").isGreaterThan(1);
    double[][] l = Spectral.normalisedLaplacian(adjacency);
    int n = l.length;
    int k = 12;
    SymmetricEigen.Pairs p = SymmetricEigen.smallest(columnMajor(l), n, k);
    assertEigenpairs(l, p, 1e-9);
    // Every component with edges has eigenvalue 0 (once each); isolated units have eigenvalue 1.
    for (int c = 0; c < Math.min(k, components); c++) {
      assertThat(p.values()[c]).isCloseTo(0.0, within(1e-10));
    }
    if (components < k) {
      assertThat(p.values()[(int) components]).isGreaterThan(1e-6);
    }
    double[] reference = commonsMathValues(l);
    double[] full = SymmetricEigen.all(columnMajor(l), n).values();
    for (int c = 0; c < k; c++) {
      assertThat(p.values()[c]).isCloseTo(full[c], within(1e-10));
      if (reference != null) {
        assertThat(p.values()[c]).isCloseTo(reference[c], within(1e-9));
      }
    }
    // Isolated units (L e_i = e_i) are zero in every eigenvector of eigenvalue ≠ 1.
    for (int i = 0; i < n; i++) {
      if (Arrays.stream(adjacency[i]).allMatch(w -> w == 0)) {
        for (int c = 0; c < k; c++) {
          assertThat(p.vector(c, i)).isCloseTo(0.0, within(1e-12));
        }
      }
    }
  }
}
