package org.subnetlab.cluster;

import java.util.Arrays;

/**
 * The two procedures of {@code cluster.procedure} for the spectral partition and its n-cut against
 * shuffled networks (docs/methods.md, section clustering).
 *
 * <ul>
 *   <li>{@link Procedure#SUBNETLAB}: every unit is clustered (isolated units too: their embedding
 *       row is 0, they join some cluster and add nothing to its cut or volume); the row-normalised
 *       embedding; the sample standard deviation (n − 1) of the shuffled n-cuts.
 *   <li>{@link Procedure#FILAN}: as Filan et al.'s (2021) {@code src/spectral_cluster_model.py}:
 *       units without a non-zero weight are deleted before clustering (label −1) — in the real
 *       network before it is shuffled, so shuffles permute the weights among the remaining units
 *       only, and again in every shuffled network; scikit-learn's {@code SpectralClustering}
 *       embedding (eigenvectors scaled by D^{-1/2}, no row normalisation); the population standard
 *       deviation ({@code np.std}) of the shuffled n-cuts.
 * </ul>
 */
public final class Clusterability {
  private Clusterability() {}

  public enum Procedure {
    SUBNETLAB,
    FILAN;

    /** {@code subnetlab} or {@code filan}, as the config key spells it. */
    public static Procedure of(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean deletesIsolatedUnits() {
      return this == FILAN;
    }

    public Spectral.Embedding embedding() {
      return this == FILAN ? Spectral.Embedding.DEGREE_SCALED : Spectral.Embedding.ROW_NORMALISED;
    }
  }

  /** Fewer units to cluster than clusters: {@code units} of {@code nodes} have a non-zero edge. */
  public static final class TooFewUnits extends IllegalArgumentException {
    public final int units;
    public final int nodes;
    public final int k;

    TooFewUnits(int units, int nodes, int k) {
      super(
          units
              + " of the "
              + nodes
              + " units have a non-zero weight, fewer than the "
              + k
              + " clusters");
      this.units = units;
      this.nodes = nodes;
      this.k = k;
    }
  }

  /**
   * Spectral cluster labels of every node of a in [0, k), or −1 for an isolated unit that the
   * procedure deletes. A graph without any non-zero edge, or (deleting isolated units) with fewer
   * than k units left, throws {@link TooFewUnits}.
   */
  public static int[] partition(double[][] a, int k, int restarts, long seed, Procedure p) {
    int[] kept = Spectral.connectedNodes(a);
    if (kept.length == 0 || (p.deletesIsolatedUnits() && kept.length < k)) {
      throw new TooFewUnits(kept.length, a.length, k);
    }
    if (!p.deletesIsolatedUnits() || kept.length == a.length) {
      return Spectral.cluster(a, k, restarts, seed, p.embedding());
    }
    int[] sub = Spectral.cluster(Spectral.subgraph(a, kept), k, restarts, seed, p.embedding());
    int[] labels = new int[a.length];
    Arrays.fill(labels, -1);
    for (int r = 0; r < kept.length; r++) {
      labels[kept[r]] = sub[r];
    }
    return labels;
  }

  /** Number of nodes with a label (not deleted). */
  public static int clustered(int[] labels) {
    return (int) Arrays.stream(labels).filter(l -> l >= 0).count();
  }

  /**
   * Standard deviation of the shuffled n-cuts: population (n, as Filan et al.'s {@code np.std}) for
   * {@link Procedure#FILAN}, sample (n − 1) otherwise; NaN for fewer than 2 (sample) or 1
   * (population) values.
   */
  public static double std(double[] x, Procedure p) {
    int dof = p == Procedure.FILAN ? x.length : x.length - 1;
    if (dof < 1) {
      return Double.NaN;
    }
    double m = 0;
    for (double v : x) {
      m += v;
    }
    m /= x.length;
    double ss = 0;
    for (double v : x) {
      ss += (v - m) * (v - m);
    }
    return Math.sqrt(ss / dof);
  }
}
