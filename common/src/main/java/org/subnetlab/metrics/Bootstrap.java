package org.subnetlab.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap intervals of a mean. With at most {@link #EXACT_MAX_N} observations (a
 * sweep's seeds, typically) the bootstrap distribution is enumerated exactly — all nⁿ equally
 * likely resamples — otherwise it is sampled. Quantiles interpolate linearly between order
 * statistics (Hyndman & Fan type 7, as R's and NumPy's defaults).
 */
public final class Bootstrap {
  /** Largest sample whose nⁿ resamples are enumerated (7⁷ = 823,543). */
  public static final int EXACT_MAX_N = 7;

  private Bootstrap() {}

  /** A two-sided interval. */
  public record Interval(double low, double high) {}

  /** The central {@code level} (e.g. 0.95) percentile interval of the bootstrap mean. */
  public static Interval meanInterval(
      double[] sample, double level, int resamples, SplittableRandom rng) {
    int n = sample.length;
    if (n == 0) {
      return new Interval(Double.NaN, Double.NaN);
    }
    double[] means = n <= EXACT_MAX_N ? exactMeans(sample) : sampledMeans(sample, resamples, rng);
    Arrays.sort(means);
    double alpha = (1 - level) / 2;
    return new Interval(quantile(means, alpha), quantile(means, 1 - alpha));
  }

  /** The type-7 quantile of sorted values. */
  public static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  private static double[] exactMeans(double[] x) {
    int n = x.length;
    int total = 1;
    for (int i = 0; i < n; i++) {
      total *= n;
    }
    double[] means = new double[total];
    int[] idx = new int[n];
    for (int r = 0; r < total; r++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += x[idx[i]];
      }
      means[r] = s / n;
      for (int i = 0; i < n && ++idx[i] == n; i++) {
        idx[i] = 0;
      }
    }
    return means;
  }

  private static double[] sampledMeans(double[] x, int resamples, SplittableRandom rng) {
    double[] means = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double s = 0;
      for (int i = 0; i < x.length; i++) {
        s += x[rng.nextInt(x.length)];
      }
      means[r] = s / x.length;
    }
    return means;
  }

  public static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return x.length == 0 ? Double.NaN : s / x.length;
  }

  /** Sample standard deviation (n − 1); NaN below two observations. */
  public static double std(double[] x) {
    if (x.length < 2) {
      return Double.NaN;
    }
    double m = mean(x);
    double ss = 0;
    for (double v : x) {
      ss += (v - m) * (v - m);
    }
    return Math.sqrt(ss / (x.length - 1));
  }
}
