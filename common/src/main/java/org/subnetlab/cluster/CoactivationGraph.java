package org.subnetlab.cluster;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The coactivation graph of Casper et al. (2022), as their reference code builds it ({@code
 * src/activations.py}, {@code get_corr_adj} with its default {@code corr_type = 'spearman'}): one
 * node per hidden unit, edge weight r² where r is the Spearman rank correlation of the two units'
 * outputs over a set of examples; no self-loops; an undefined correlation (a unit whose output is
 * constant) gives weight 0. Its null model permutes all edge weights of the upper triangle at
 * random ({@code shuffle_and_cluster_activations}).
 */
public final class CoactivationGraph {
  private CoactivationGraph() {}

  /** Adjacency from activations: one row per unit, one column per example. */
  public static double[][] of(double[][] activations) {
    int n = activations.length;
    double[][] ranks = new double[n][];
    for (int i = 0; i < n; i++) {
      ranks[i] = standardise(ranks(activations[i]));
    }
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double r = 0;
        for (int e = 0; e < ranks[i].length; e++) {
          r += ranks[i][e] * ranks[j][e];
        }
        double w = Math.min(1.0, r * r);
        a[i][j] = w;
        a[j][i] = w;
      }
    }
    return a;
  }

  /** Ranks 1..n with ties given their average rank (as SciPy's {@code rankdata}). */
  static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; ) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int t = i; t <= j; t++) {
        r[order[t]] = avg;
      }
      i = j + 1;
    }
    return r;
  }

  /** Centred, unit Euclidean length (all zeros when constant). */
  private static double[] standardise(double[] v) {
    double mean = 0;
    for (double x : v) {
      mean += x;
    }
    mean /= Math.max(1, v.length);
    double ss = 0;
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] - mean;
      ss += out[i] * out[i];
    }
    double norm = Math.sqrt(ss);
    for (int i = 0; i < v.length; i++) {
      out[i] = norm > 0 ? out[i] / norm : 0;
    }
    return out;
  }

  /** The same edge weights, permuted at random over the upper triangle (then symmetrised). */
  public static double[][] shuffledEdges(double[][] a, SplittableRandom rng) {
    int n = a.length;
    double[] edges = new double[n * (n - 1) / 2];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        edges[k++] = a[i][j];
      }
    }
    int[] perm = org.subnetlab.task.Seeds.permutation(edges.length, rng);
    double[][] out = new double[n][n];
    k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double w = edges[perm[k++]];
        out[i][j] = w;
        out[j][i] = w;
      }
    }
    return out;
  }
}
