package org.subnetlab.cluster;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.random.JDKRandomGenerator;

/**
 * Spectral clustering with the normalised Laplacian L = I − D^{-1/2} A D^{-1/2} (Shi & Malik 2000;
 * Ng, Jordan & Weiss 2002), as Filan et al. (2021) and Casper et al. (2022) use on weight graphs:
 * the k eigenvectors of L with the smallest eigenvalues, rows normalised to unit length, clustered
 * by k-means++ (best of several seeded restarts). Exact eigen-decomposition: for graphs that fit
 * one machine (a dense n × n matrix).
 */
public final class Spectral {
  private Spectral() {}

  /** L = I − D^{-1/2} A D^{-1/2}; isolated nodes (degree 0) get a 1 on the diagonal. */
  public static double[][] normalisedLaplacian(double[][] a) {
    int n = a.length;
    double[] dInvSqrt = inverseSqrtDegrees(a);
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        l[i][j] = (i == j ? 1.0 : 0.0) - dInvSqrt[i] * a[i][j] * dInvSqrt[j];
      }
    }
    return l;
  }

  private static double[] inverseSqrtDegrees(double[][] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      double deg = 0;
      for (double w : a[i]) {
        deg += w;
      }
      d[i] = deg > 0 ? 1.0 / Math.sqrt(deg) : 0.0;
    }
    return d;
  }

  /**
   * Normalised cut of a partition: Σ_c cut(c, V∖c) / vol(c), where cut sums the weights of edges
   * leaving c and vol(c) the degrees of c's nodes (clusters of volume 0 contribute 0).
   */
  public static double nCut(double[][] a, int[] labels) {
    int k = 0;
    for (int c : labels) {
      k = Math.max(k, c + 1);
    }
    double[] cut = new double[k];
    double[] vol = new double[k];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a.length; j++) {
        vol[labels[i]] += a[i][j];
        if (labels[i] != labels[j]) {
          cut[labels[i]] += a[i][j];
        }
      }
    }
    double n = 0;
    for (int c = 0; c < k; c++) {
      n += vol[c] > 0 ? cut[c] / vol[c] : 0;
    }
    return n;
  }

  /** Cluster labels in [0, k) for every node. */
  public static int[] cluster(double[][] a, int k, int restarts, long seed) {
    int n = a.length;
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
    }
    double[] dInvSqrt = inverseSqrtDegrees(a);
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m[i][j] = dInvSqrt[i] * a[i][j] * dInvSqrt[j];
      }
    }
    // Eigenvectors of the largest eigenvalues of D^{-1/2} A D^{-1/2} = smallest of L.
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(m, false));
    double[] values = eig.getRealEigenvalues();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
    RealMatrix vectors = eig.getV();
    double[][] embedding = new double[n][k];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        embedding[i][c] = vectors.getEntry(i, order[c]);
      }
    }
    return kMeans(normaliseRows(embedding), k, restarts, seed);
  }

  /** Scales every non-zero row of x to unit Euclidean length, in place; returns x. */
  public static double[][] normaliseRows(double[][] x) {
    for (double[] row : x) {
      double norm = 0;
      for (double v : row) {
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      if (norm > 0) {
        for (int j = 0; j < row.length; j++) {
          row[j] /= norm;
        }
      }
    }
    return x;
  }

  /** k-means++ on the rows of x, the best (lowest within-cluster sum of squares) of restarts. */
  public static int[] kMeans(double[][] x, int k, int restarts, long seed) {
    List<DoublePoint> points = new ArrayList<>();
    for (double[] row : x) {
      points.add(new DoublePoint(row));
    }
    int[] best = null;
    double bestSse = Double.POSITIVE_INFINITY;
    for (int r = 0; r < restarts; r++) {
      JDKRandomGenerator rng = new JDKRandomGenerator();
      rng.setSeed(seed * 1_000_003L + r);
      KMeansPlusPlusClusterer<DoublePoint> km = new KMeansPlusPlusClusterer<>(
          k, 300, new org.apache.commons.math3.ml.distance.EuclideanDistance(), rng,
          KMeansPlusPlusClusterer.EmptyClusterStrategy.LARGEST_VARIANCE);
      List<CentroidCluster<DoublePoint>> clusters = km.cluster(points);
      int[] labels = new int[x.length];
      double sse = 0;
      for (int c = 0; c < clusters.size(); c++) {
        double[] centre = clusters.get(c).getCenter().getPoint();
        for (DoublePoint p : clusters.get(c).getPoints()) {
          int idx = indexOf(points, p);
          labels[idx] = c;
          double[] v = p.getPoint();
          for (int j = 0; j < v.length; j++) {
            sse += (v[j] - centre[j]) * (v[j] - centre[j]);
          }
        }
      }
      if (sse < bestSse) {
        bestSse = sse;
        best = labels;
      }
    }
    return canonical(best);
  }

  private static int indexOf(List<DoublePoint> points, DoublePoint p) {
    for (int i = 0; i < points.size(); i++) {
      if (points.get(i) == p) {
        return i;
      }
    }
    throw new IllegalStateException("point not found");
  }

  /** Relabels clusters in order of first appearance, so equal partitions get equal labels. */
  public static int[] canonical(int[] labels) {
    java.util.Map<Integer, Integer> map = new java.util.HashMap<>();
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = map.computeIfAbsent(labels[i], x -> map.size());
    }
    return out;
  }
}
