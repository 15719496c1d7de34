package org.subnetlab.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Agglomerative clustering with Ward's linkage on Euclidean feature vectors, as in Watanabe's
 * hierarchical modular representation (2019). The tree is a list of merges in the convention of
 * SciPy's linkage matrix: the n leaves are clusters 0..n−1, merge i creates cluster n+i from
 * clusters a and b at Ward distance d (the increase of the within-cluster sum of squares, as
 * √(2·ΔSSE)), with the merged cluster's size.
 */
public final class Hierarchical {
  private Hierarchical() {}

  /** One merge of the tree. */
  public record Merge(int step, int a, int b, double distance, int size) implements Serializable {}

  public static List<Merge> ward(double[][] x) {
    int n = x.length;
    int dim = n == 0 ? 0 : x[0].length;
    double[][] centre = new double[2 * n][];
    int[] size = new int[2 * n];
    boolean[] active = new boolean[2 * n];
    for (int i = 0; i < n; i++) {
      centre[i] = x[i].clone();
      size[i] = 1;
      active[i] = true;
    }
    List<Merge> merges = new ArrayList<>();
    for (int step = 0; step < n - 1; step++) {
      int bestA = -1;
      int bestB = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int a = 0; a < n + step; a++) {
        if (!active[a]) {
          continue;
        }
        for (int b = a + 1; b < n + step; b++) {
          if (!active[b]) {
            continue;
          }
          double d = wardDistance(centre[a], size[a], centre[b], size[b]);
          if (d < best) {
            best = d;
            bestA = a;
            bestB = b;
          }
        }
      }
      int c = n + step;
      size[c] = size[bestA] + size[bestB];
      centre[c] = new double[dim];
      for (int j = 0; j < dim; j++) {
        centre[c][j] = (centre[bestA][j] * size[bestA] + centre[bestB][j] * size[bestB]) / size[c];
      }
      active[bestA] = false;
      active[bestB] = false;
      active[c] = true;
      merges.add(new Merge(step, bestA, bestB, best, size[c]));
    }
    return merges;
  }

  /** √(2 · |A||B|/(|A|+|B|) · ‖μ_A − μ_B‖²): SciPy's Ward distance. */
  static double wardDistance(double[] ca, int na, double[] cb, int nb) {
    double sq = 0;
    for (int j = 0; j < ca.length; j++) {
      sq += (ca[j] - cb[j]) * (ca[j] - cb[j]);
    }
    return Math.sqrt(2.0 * na * nb / (na + nb) * sq);
  }

  /** Flat clusters: the tree cut into {@code modules} clusters (labels in order of appearance). */
  public static int[] cut(List<Merge> merges, int n, int modules) {
    if (modules < 1 || modules > n) {
      throw new IllegalArgumentException("modules must be in [1, " + n + "], got " + modules);
    }
    int[] parent = new int[2 * n];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (int s = 0; s < n - modules; s++) {
      Merge m = merges.get(s);
      parent[m.a()] = n + s;
      parent[m.b()] = n + s;
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int r = i;
      while (parent[r] != r) {
        r = parent[r];
      }
      labels[i] = r;
    }
    return Spectral.canonical(labels);
  }
}
