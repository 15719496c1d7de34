package org.subnetlab.task;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Named random streams. Every random number of subnetlab is drawn in Java from a stream derived
 * from (seed, purpose), so results reproduce bit for bit (ND4J's own seeding does not).
 */
public final class Seeds {
  private Seeds() {}

  /** A stream for one purpose under one seed; the same pair always gives the same numbers. */
  public static SplittableRandom stream(long seed, String purpose) {
    long h = 0xcbf29ce484222325L;
    for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ b) * 0x100000001b3L;
    }
    return new SplittableRandom(new SplittableRandom(seed ^ h).nextLong());
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  public static int[] permutation(int n, SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
