package org.subnetlab.mask;

import java.util.Arrays;
import org.subnetlab.model.ParamLayout;

/**
 * Exact top-K selection of parameters by a non-negative score, globally or per layer. Ties are
 * broken deterministically: the lower flat index wins.
 */
public final class TopK {
  private TopK() {}

  /**
   * How many of {@code n} candidates {@code k} keeps: k in (0, 1) is a fraction (rounded to the
   * nearest count), k ≥ 1 a count (capped at n).
   */
  public static int count(double k, int n) {
    if (!(k > 0)) {
      throw new IllegalArgumentException("top-k must be > 0, got " + k);
    }
    if (k < 1) {
      return (int) Math.round(k * n);
    }
    if (k != Math.rint(k)) {
      throw new IllegalArgumentException("top-k >= 1 must be a whole count, got " + k);
    }
    return (int) Math.min((long) k, n);
  }

  /**
   * The mask keeping, among the candidates ({@code candidate[i]}), the {@code keep(n)} with the
   * largest {@code score}; per layer (each layer keeps its own count of its candidates) or over all
   * candidates at once. Non-candidates are kept or dropped as {@code others} says.
   */
  public static Mask select(
      ParamLayout layout,
      float[] score,
      boolean[] candidate,
      Scope scope,
      Keep keep,
      Others others) {
    float[] bits = new float[layout.total()];
    if (others == Others.KEEP) {
      for (int i = 0; i < bits.length; i++) {
        bits[i] = candidate[i] ? 0f : 1f;
      }
    }
    if (scope == Scope.PER_LAYER) {
      for (int l = 0; l < layout.layers(); l++) {
        choose(score, candidate, layout.offset(l), layout.offset(l) + layout.size(l), keep, bits);
      }
    } else {
      choose(score, candidate, 0, layout.total(), keep, bits);
    }
    return Mask.positive(layout, bits);
  }

  /** Whether K is counted per layer or over the whole model. */
  public enum Scope {
    GLOBAL,
    PER_LAYER;

    /** The scope a method's {@code per-layer} hyperparameter asks for. */
    static Scope of(org.subnetlab.config.Hyperparameters hp) {
      return hp.flag(PER_LAYER_KEY) ? PER_LAYER : GLOBAL;
    }
  }

  /** The key of K. */
  static final String KEY = "top-k";

  /** The key of the scope of K. */
  static final String PER_LAYER_KEY = "per-layer";

  /**
   * The {@code top-k} hyperparameter of a method: a fraction or a count, the method's regulariser
   * (smaller is sparser), {@code auto} = 10^(−k/2), k = 1 … 6 (0.316 … 0.001).
   */
  static org.subnetlab.config.HyperParameter parameter(double defaultValue) {
    java.util.List<Double> fractions =
        new java.util.ArrayList<>(org.subnetlab.config.HyperParameter.halfDecades(1.0, -6, -1));
    java.util.Collections.reverse(fractions);
    return org.subnetlab.config.HyperParameter.real(
            KEY,
            0,
            true,
            1e9,
            defaultValue,
            "K: a fraction in (0, 1) of the parameters it may select, or a whole count >= 1")
        .rule(k -> k < 1 || k == Math.rint(k), "must be a fraction in (0, 1) or a whole count >= 1")
        .regulariser(-1, fractions);
  }

  /** The {@code per-layer} hyperparameter: K over the whole model (false) or in each layer. */
  static org.subnetlab.config.HyperParameter perLayer(boolean defaultValue) {
    return org.subnetlab.config.HyperParameter.flag(
        PER_LAYER_KEY,
        defaultValue,
        "top-K over the whole model (0) or in each parameter block separately (1)");
  }

  /** What happens to parameters that are not candidates. */
  public enum Others {
    KEEP,
    DROP
  }

  /** How many to keep of the candidates in a group (a layer, or the model) of {@code size}. */
  @FunctionalInterface
  public interface Keep {
    int of(int size, int candidates);
  }

  private static void choose(
      float[] score, boolean[] candidate, int from, int to, Keep keep, float[] bits) {
    int n = 0;
    for (int i = from; i < to; i++) {
      n += candidate[i] ? 1 : 0;
    }
    int k = Math.min(n, keep.of(to - from, n));
    if (k <= 0 || n == 0) {
      return;
    }
    long[] keys = new long[n];
    int j = 0;
    for (int i = from; i < to; i++) {
      if (candidate[i]) {
        float s = score[i];
        if (!(s >= 0)) {
          throw new IllegalArgumentException("scores must be non-negative, got " + s + " at " + i);
        }
        // Non-negative floats order like their bit patterns; ~i puts lower indices last on ties.
        keys[j++] = ((long) Float.floatToIntBits(s + 0f) << 32) | (~i & 0xffffffffL);
      }
    }
    Arrays.sort(keys);
    for (int t = n - 1; t >= n - k; t--) {
      int idx = ~(int) keys[t];
      bits[idx] = 1f;
    }
  }

  /** Every parameter is a candidate. */
  public static boolean[] all(ParamLayout layout) {
    boolean[] c = new boolean[layout.total()];
    Arrays.fill(c, true);
    return c;
  }

  /** The parameters of the weight blocks ({@code *_W}); biases are not candidates. */
  public static boolean[] weightsOnly(ParamLayout layout) {
    boolean[] c = new boolean[layout.total()];
    for (int l = 0; l < layout.layers(); l++) {
      if (layout.name(l).endsWith("_W")) {
        Arrays.fill(c, layout.offset(l), layout.offset(l) + layout.size(l), true);
      }
    }
    return c;
  }

  /** Flat boolean view of a mask. */
  public static boolean[] kept(Mask mask) {
    ParamLayout layout = mask.layout();
    boolean[] c = new boolean[layout.total()];
    for (int l = 0; l < layout.layers(); l++) {
      byte[] b = mask.bits(l);
      for (int i = 0; i < layout.size(l); i++) {
        c[layout.offset(l) + i] = PackedBits.get(b, i);
      }
    }
    return c;
  }
}
