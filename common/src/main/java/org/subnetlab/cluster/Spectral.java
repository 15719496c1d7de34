package org.subnetlab.cluster;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.random.JDKRandomGenerator;

/**
 * Spectral clustering with the normalised Laplacian L = I − D^{-1/2} A D^{-1/2} (Shi & Malik 2000;
 * Ng, Jordan & Weiss 2002), as Filan et al. (2021) and Casper et al. (2022) use on weight graphs:
 * the k eigenvectors of L with the smallest eigenvalues, rows normalised to unit length, clustered
 * by k-means++ (best of several seeded restarts); or, as scikit-learn's SpectralClustering that
 * Filan et al. run, the eigenvectors scaled by D^{-1/2} ({@link Embedding}). Exact eigenpairs of
 * the dense n × n Laplacian by LAPACK ({@link SymmetricEigen}): for graphs that fit one machine.
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
   * leaving c and vol(c) the degrees of c's nodes (clusters of volume 0 contribute 0). Nodes
   * labelled −1 (deleted isolated units) are left out.
   */
  public static double nCut(double[][] a, int[] labels) {
    int k = 0;
    for (int c : labels) {
      k = Math.max(k, c + 1);
    }
    double[] cut = new double[k];
    double[] vol = new double[k];
    for (int i = 0; i < a.length; i++) {
      if (labels[i] < 0) {
        continue;
      }
      for (int j = 0; j < a.length; j++) {
        if (labels[j] < 0) {
          continue;
        }
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

  /**
   * How the k eigenvectors become the points that k-means clusters. {@link #ROW_NORMALISED}: each
   * node's row scaled to unit length (Ng, Jordan &amp; Weiss 2002), the default. {@link
   * #DEGREE_SCALED}: each node's row divided by √degree (1 for an isolated node), as scikit-learn's
   * {@code spectral_embedding} does for {@code SpectralClustering}, which Filan et al. (2021) use —
   * the eigenvectors of the random-walk Laplacian D⁻¹L (Shi &amp; Malik 2000).
   */
  public enum Embedding {
    ROW_NORMALISED,
    DEGREE_SCALED
  }

  /** Cluster labels in [0, k) for every node, with the row-normalised embedding. */
  public static int[] cluster(double[][] a, int k, int restarts, long seed) {
    return cluster(a, k, restarts, seed, Embedding.ROW_NORMALISED);
  }

  /** Cluster labels in [0, k) for every node. */
  public static int[] cluster(double[][] a, int k, int restarts, long seed, Embedding e) {
    return kMeans(embedding(a, k, e), k, restarts, seed);
  }

  /**
   * The spectral embedding: the k eigenvectors of L with the smallest eigenvalues (LAPACK dsyevr,
   * {@link SymmetricEigen#smallest}), each with its largest-magnitude entry made positive (as
   * scikit-learn's deterministic sign flip; k-means distances do not depend on it), one row per
   * node, transformed as {@code e} says.
   */
  public static double[][] embedding(double[][] a, int k, Embedding e) {
    int n = a.length;
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
    }
    double[] dInvSqrt = inverseSqrtDegrees(a);
    double[] l = new double[n * n]; // column-major; symmetric, so also row-major
    for (int i = 0; i < n; i++) {
      double[] row = a[i];
      int off = i * n;
      for (int j = 0; j < n; j++) {
        double w = row[j];
        l[off + j] = w == 0 ? 0.0 : -dInvSqrt[i] * w * dInvSqrt[j];
      }
      l[off + i] += 1.0;
    }
    SymmetricEigen.Pairs eig = SymmetricEigen.smallest(l, n, k);
    double[][] embedding = new double[n][k];
    for (int c = 0; c < k; c++) {
      int arg = 0;
      for (int i = 1; i < n; i++) {
        if (Math.abs(eig.vector(c, i)) > Math.abs(eig.vector(c, arg))) {
          arg = i;
        }
      }
      double sign = eig.vector(c, arg) < 0 ? -1.0 : 1.0;
      for (int i = 0; i < n; i++) {
        embedding[i][c] = sign * eig.vector(c, i);
      }
    }
    if (e == Embedding.DEGREE_SCALED) {
      for (int i = 0; i < n; i++) {
        double scale = dInvSqrt[i] > 0 ? dInvSqrt[i] : 1.0;
        for (int c = 0; c < k; c++) {
          embedding[i][c] *= scale;
        }
      }
      return embedding;
    }
    return normaliseRows(embedding);
  }

  /** The nodes with at least one edge of non-zero weight, ascending. */
  public static int[] connectedNodes(double[][] a) {
    int[] keep = new int[a.length];
    int m = 0;
    for (int i = 0; i < a.length; i++) {
      for (double w : a[i]) {
        if (w != 0) {
          keep[m++] = i;
          break;
        }
      }
    }
    return java.util.Arrays.copyOf(keep, m);
  }

  /** The subgraph induced by {@code nodes}: node r of it is node nodes[r] of a. */
  public static double[][] subgraph(double[][] a, int[] nodes) {
    double[][] out = new double[nodes.length][nodes.length];
    for (int r = 0; r < nodes.length; r++) {
      double[] row = a[nodes[r]];
      for (int c = 0; c < nodes.length; c++) {
        out[r][c] = row[nodes[c]];
      }
    }
    return out;
  }

  /** The first edge whose weight is NaN, infinite or negative, as {i, j}; null if none. */
  public static int[] firstBadWeight(double[][] a) {
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        if (!(a[i][j] >= 0) || a[i][j] == Double.POSITIVE_INFINITY) {
          return new int[] {i, j};
        }
      }
    }
    return null;
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
      KMeansPlusPlusClusterer<DoublePoint> km =
          new KMeansPlusPlusClusterer<>(
              k,
              300,
              new org.apache.commons.math3.ml.distance.EuclideanDistance(),
              rng,
              KMeansPlusPlusClusterer.EmptyClusterStrategy.LARGEST_VARIANCE);
      List<CentroidCluster<DoublePoint>> clusters = km.cluster(points);
      int[] labels = new int[x.length];
      java.util.Map<DoublePoint, Integer> index = new java.util.IdentityHashMap<>();
      for (int i = 0; i < points.size(); i++) {
        index.put(points.get(i), i);
      }
      double sse = 0;
      for (int c = 0; c < clusters.size(); c++) {
        double[] centre = clusters.get(c).getCenter().getPoint();
        for (DoublePoint p : clusters.get(c).getPoints()) {
          int idx = index.get(p);
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
