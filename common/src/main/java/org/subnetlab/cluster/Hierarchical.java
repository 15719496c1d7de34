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

  /**
   * The Ward tree of the rows of x. Distances are kept in a matrix and updated with the
   * Lance–Williams formula for Ward's linkage, d(a∪b, k)² = ((n_a + n_k) d(a, k)² + (n_b + n_k)
   * d(b, k)² − n_k d(a, b)²) / (n_a + n_b + n_k), starting from Euclidean distances: O(n²) memory
   * and O(n³) time whatever the dimension (the same tree as recomputing {@link #wardDistance} from
   * the centroids at every step, which costs O(n³·dim)). Ties go to the pair with the smallest
   * cluster ids, in order.
   */
  public static List<Merge> ward(double[][] x) {
    int n = x.length;
    // Squared distances between the active clusters, indexed by slot; slot i first holds leaf i
    // and, after a merge into it, the merged cluster (whose id is kept in id[]).
    double[][] d2 = new double[n][n];
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        double sq = 0;
        for (int j = 0; j < x[a].length; j++) {
          sq += (x[a][j] - x[b][j]) * (x[a][j] - x[b][j]);
        }
        d2[a][b] = sq;
        d2[b][a] = sq;
      }
    }
    int[] id = new int[n];
    int[] size = new int[n];
    boolean[] active = new boolean[n];
    for (int i = 0; i < n; i++) {
      id[i] = i;
      size[i] = 1;
      active[i] = true;
    }
    List<Merge> merges = new ArrayList<>();
    for (int step = 0; step < n - 1; step++) {
      int bestA = -1;
      int bestB = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int a = 0; a < n; a++) {
        if (!active[a]) {
          continue;
        }
        for (int b = 0; b < n; b++) {
          if (b == a || !active[b] || id[b] < id[a]) {
            continue;
          }
          double v = d2[a][b];
          boolean tieFirst = v == best && bestA >= 0 && earlier(id[a], id[b], id[bestA], id[bestB]);
          if (v < best || tieFirst) {
            best = v;
            bestA = a;
            bestB = b;
          }
        }
      }
      int na = size[bestA];
      int nb = size[bestB];
      for (int k = 0; k < n; k++) {
        if (!active[k] || k == bestA || k == bestB) {
          continue;
        }
        int nk = size[k];
        double v =
            ((na + nk) * d2[bestA][k] + (nb + nk) * d2[bestB][k] - nk * best) / (na + nb + nk);
        d2[bestA][k] = Math.max(0, v);
        d2[k][bestA] = d2[bestA][k];
      }
      merges.add(new Merge(step, id[bestA], id[bestB], Math.sqrt(best), na + nb));
      id[bestA] = n + step;
      size[bestA] = na + nb;
      active[bestB] = false;
    }
    return merges;
  }

  /** Whether the pair (a, b) of cluster ids comes before (c, d) in (smaller, larger) order. */
  private static boolean earlier(int a, int b, int c, int d) {
    return a < c || (a == c && b < d);
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
