package org.subnetlab.metrics;

import java.io.Serializable;
import org.subnetlab.mask.PackedBits;

/**
 * Mergeable overlap state of two masks over some parameters: |A|, |B|, |A∩B|, |A∪B|. Per-layer
 * states merge (by addition) into the whole-model state; Jaccard and sharing come from the state.
 */
public record OverlapCounts(long keptA, long keptB, long intersection, long union)
    implements Serializable {

  public static OverlapCounts of(byte[] a, byte[] b) {
    return new OverlapCounts(
        PackedBits.cardinality(a), PackedBits.cardinality(b),
        PackedBits.intersection(a, b), PackedBits.union(a, b));
  }

  public OverlapCounts merge(OverlapCounts o) {
    return new OverlapCounts(
        keptA + o.keptA, keptB + o.keptB, intersection + o.intersection, union + o.union);
  }

  /** |A∩B| / |A∪B|; 0 when both are empty. */
  public double jaccard() {
    return union == 0 ? 0.0 : (double) intersection / union;
  }

  /** |A∩B| / |A|: the share of A's kept weights that B keeps too; 0 when A is empty. */
  public double shareOfA() {
    return keptA == 0 ? 0.0 : (double) intersection / keptA;
  }

  /** |A∩B| / |B|. */
  public double shareOfB() {
    return keptB == 0 ? 0.0 : (double) intersection / keptB;
  }
}
