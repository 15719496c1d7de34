package org.subnetlab.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Student-t and bootstrap intervals against tabulated quantiles and hand computations. */
class IntervalsTest {
  @Test
  void tQuantilesEqualTheTabulatedValues() {
    // Tabulated two-sided 95% critical values of Student's t (e.g. NIST/SEMATECH table).
    assertThat(Intervals.tQuantile(0.975, 1)).isCloseTo(12.706204736, within(1e-6));
    assertThat(Intervals.tQuantile(0.975, 2)).isCloseTo(4.302652730, within(1e-6));
    assertThat(Intervals.tQuantile(0.975, 4)).isCloseTo(2.776445105, within(1e-6));
    assertThat(Intervals.tQuantile(0.975, 9)).isCloseTo(2.262157163, within(1e-6));
  }

  @Test
  void threeSeedsGetTheStudentTIntervalNotTheBootstrap() {
    // {1, 2, 6}: mean 3, s = √7, half-width t(0.975, 2)·√7/√3 = 4.302652730 · 1.527525232.
    Intervals.Interval ci =
        Intervals.mean(new double[] {1, 2, 6}, 0.95, 1000, new SplittableRandom(0));
    double half = 4.302652730 * Math.sqrt(7) / Math.sqrt(3);
    assertThat(ci.method()).isEqualTo("student-t");
    assertThat(ci.low()).isCloseTo(3 - half, within(1e-6));
    assertThat(ci.high()).isCloseTo(3 + half, within(1e-6));
    // The exact percentile bootstrap of the same three values stays inside [1, 6] and is far
    // narrower: it is not a 95% interval for n = 3.
    Bootstrap.Interval boot =
        Bootstrap.meanInterval(new double[] {1, 2, 6}, 0.95, 1000, new SplittableRandom(0));
    assertThat(boot.high() - boot.low()).isLessThan((ci.high() - ci.low()) / 2);
  }

  @Test
  void twentyValuesUseThePercentileBootstrapAndOneValueNone() {
    double[] x = new double[Intervals.STUDENT_T_BELOW];
    for (int i = 0; i < x.length; i++) {
      x[i] = i * i % 7;
    }
    Intervals.Interval ci = Intervals.mean(x, 0.95, 5000, new SplittableRandom(3));
    Bootstrap.Interval boot = Bootstrap.meanInterval(x, 0.95, 5000, new SplittableRandom(3));
    assertThat(ci.method()).isEqualTo("bootstrap-percentile");
    assertThat(ci.low()).isEqualTo(boot.low());
    assertThat(ci.high()).isEqualTo(boot.high());
    assertThat(Intervals.methodFor(19)).isEqualTo("student-t");
    Intervals.Interval one = Intervals.mean(new double[] {0.5}, 0.95, 100, new SplittableRandom(0));
    assertThat(one.method()).isEqualTo("none");
    assertThat(Double.isNaN(one.low())).isTrue();
  }
}
