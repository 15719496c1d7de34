package org.subnetlab.mask;

import java.util.SplittableRandom;
import org.subnetlab.model.ParamLayout;

/** Random control masks: as many kept entries per layer as a given mask, at random positions. */
public final class RandomMasks {
  private RandomMasks() {}

  /** A uniformly random mask with exactly {@code mask}'s number of kept entries in each layer. */
  public static Mask matching(Mask mask, SplittableRandom rng) {
    ParamLayout layout = mask.layout();
    byte[][] bits = new byte[layout.layers()][];
    for (int l = 0; l < layout.layers(); l++) {
      int n = layout.size(l);
      int k = (int) mask.keptInLayer(l);
      int[] idx = new int[n];
      for (int i = 0; i < n; i++) {
        idx[i] = i;
      }
      bits[l] = new byte[PackedBits.bytesFor(n)];
      for (int i = 0; i < k; i++) { // partial Fisher–Yates: the first k of a random permutation
        int j = i + rng.nextInt(n - i);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        bits[l][idx[i] >>> 3] |= (byte) (1 << (idx[i] & 7));
      }
    }
    return new Mask(layout, bits);
  }
}
