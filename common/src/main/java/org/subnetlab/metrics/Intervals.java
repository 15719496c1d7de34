package org.subnetlab.metrics;

import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Two-sided intervals for the mean of a few values, labelled with the method that made them. Below
 * {@link #STUDENT_T_BELOW} values (a sweep's seeds, typically 2–10) the Student-t interval mean ±
 * t<sub>1−(1−level)/2, n−1</sub>·s/√n, which assumes roughly normal values but is valid for any n ≥
 * 2; from {@link #STUDENT_T_BELOW} values on the percentile bootstrap ({@link Bootstrap}), which
 * needs no normality but covers far less than its nominal level for few values (with 3 values it
 * spans at most the range of the 27 resample means). One value gives no interval.
 */
public final class Intervals {
  /** Sample size from which the percentile bootstrap replaces the Student-t interval. */
  public static final int STUDENT_T_BELOW = 20;

  public static final String STUDENT_T = "student-t";
  public static final String BOOTSTRAP = "bootstrap-percentile";
  public static final String NONE = "none";

  private Intervals() {}

  /**
   * An interval and the method that made it ({@link #STUDENT_T}, {@link #BOOTSTRAP}, {@link
   * #NONE}).
   */
  public record Interval(double low, double high, String method) {}

  /** The method used for {@code n} values. */
  public static String methodFor(int n) {
    return n < 2 ? NONE : n < STUDENT_T_BELOW ? STUDENT_T : BOOTSTRAP;
  }

  /** The central {@code level} (e.g. 0.95) interval of the mean of {@code x}. */
  public static Interval mean(double[] x, double level, int resamples, SplittableRandom rng) {
    String method = methodFor(x.length);
    switch (method) {
      case NONE:
        return new Interval(Double.NaN, Double.NaN, method);
      case STUDENT_T:
        {
          double m = Bootstrap.mean(x);
          double half =
              tQuantile(1 - (1 - level) / 2, x.length - 1) * Bootstrap.std(x) / Math.sqrt(x.length);
          return new Interval(m - half, m + half, method);
        }
      default:
        {
          Bootstrap.Interval b = Bootstrap.meanInterval(x, level, resamples, rng);
          return new Interval(b.low(), b.high(), method);
        }
    }
  }

  /** The p-quantile of Student's t distribution with {@code df} degrees of freedom. */
  public static double tQuantile(double p, int df) {
    return new TDistribution(null, df).inverseCumulativeProbability(p);
  }
}
