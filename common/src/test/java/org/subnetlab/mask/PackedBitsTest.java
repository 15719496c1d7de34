package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.subnetlab.metrics.OverlapCounts;

class PackedBitsTest {
  @Test
  void packsLittleEndian() {
    float[] v = {1, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    byte[] b = PackedBits.pack(v, 0, v.length);
    assertThat(b).containsExactly((byte) 0b0000_1001, (byte) 0b0000_0010);
    assertThat(PackedBits.get(b, 9)).isTrue();
    assertThat(PackedBits.get(b, 8)).isFalse();
  }

  @Test
  void countsMatchBitByBitOnRandomSets() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int n : new int[] {1, 7, 8, 63, 64, 65, 1000}) {
      float[] a = new float[n];
      float[] b = new float[n];
      long inter = 0;
      long union = 0;
      long ka = 0;
      for (int i = 0; i < n; i++) {
        a[i] = rng.nextBoolean() ? 1 : 0;
        b[i] = rng.nextInt(3) == 0 ? 1 : 0;
        inter += a[i] > 0 && b[i] > 0 ? 1 : 0;
        union += a[i] > 0 || b[i] > 0 ? 1 : 0;
        ka += a[i] > 0 ? 1 : 0;
      }
      byte[] pa = PackedBits.pack(a, 0, n);
      byte[] pb = PackedBits.pack(b, 0, n);
      assertThat(PackedBits.intersection(pa, pb)).as("n=%d", n).isEqualTo(inter);
      assertThat(PackedBits.union(pa, pb)).as("n=%d", n).isEqualTo(union);
      assertThat(PackedBits.cardinality(pa)).as("n=%d", n).isEqualTo(ka);
    }
  }

  @Test
  void overlapCountsMergeAndGiveJaccardAndSharing() {
    // A = {0,1,2,3}, B = {2,3,4} in one layer; A = {}, B = {0} in another.
    OverlapCounts l1 =
        OverlapCounts.of(
            PackedBits.pack(new float[] {1, 1, 1, 1, 0}, 0, 5),
            PackedBits.pack(new float[] {0, 0, 1, 1, 1}, 0, 5));
    OverlapCounts l2 =
        OverlapCounts.of(
            PackedBits.pack(new float[] {0, 0}, 0, 2), PackedBits.pack(new float[] {1, 0}, 0, 2));
    assertThat(l1).isEqualTo(new OverlapCounts(4, 3, 2, 5));
    assertThat(l1.jaccard()).isEqualTo(0.4);
    assertThat(l1.shareOfA()).isEqualTo(0.5);
    assertThat(l1.shareOfB()).isEqualTo(2.0 / 3);
    assertThat(l2.jaccard()).isEqualTo(0.0);
    assertThat(l2.shareOfA()).isEqualTo(0.0);
    OverlapCounts all = l1.merge(l2);
    assertThat(all).isEqualTo(new OverlapCounts(4, 4, 2, 6));
    assertThat(all.jaccard()).isEqualTo(2.0 / 6);
  }
}
