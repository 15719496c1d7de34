package org.subnetlab.cluster;

import java.util.HashMap;
import java.util.Map;

/** Comparing partitions. */
public final class Partitions {
  private Partitions() {}

  /**
   * Adjusted Rand index (Hubert & Arabie 1985): 1 for identical partitions, about 0 for independent
   * ones.
   */
  public static double adjustedRandIndex(int[] x, int[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("partitions of different sizes");
    }
    Map<Long, Long> cells = new HashMap<>();
    Map<Integer, Long> rows = new HashMap<>();
    Map<Integer, Long> cols = new HashMap<>();
    for (int i = 0; i < x.length; i++) {
      cells.merge(((long) x[i] << 32) | (y[i] & 0xffffffffL), 1L, Long::sum);
      rows.merge(x[i], 1L, Long::sum);
      cols.merge(y[i], 1L, Long::sum);
    }
    double index = cells.values().stream().mapToDouble(Partitions::pairs).sum();
    double a = rows.values().stream().mapToDouble(Partitions::pairs).sum();
    double b = cols.values().stream().mapToDouble(Partitions::pairs).sum();
    double total = pairs(x.length);
    double expected = a * b / total;
    double max = (a + b) / 2;
    return max == expected ? 1.0 : (index - expected) / (max - expected);
  }

  private static double pairs(long n) {
    return n * (n - 1) / 2.0;
  }
}
