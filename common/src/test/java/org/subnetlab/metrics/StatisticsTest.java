package org.subnetlab.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bootstrap intervals and random-control statistics against hand computations. */
class StatisticsTest {
  @Test
  void exactBootstrapIntervalOfThreeSeeds() {
    // Sample {0, 0, 1}: of the 27 equally likely resamples, the number of 1s is 0 in 8, 1 in 12,
    // 2 in 6 and 3 in 1, so the sorted means are 8×0, 12×1/3, 6×2/3, 1×1. Type-7 quantiles:
    // 2.5%: h = 26·0.025 = 0.65 → 0; 97.5%: h = 25.35 → x[25] + 0.35(x[26] − x[25]) = 2/3 + 0.35/3.
    Bootstrap.Interval ci =
        Bootstrap.meanInterval(new double[] {0, 0, 1}, 0.95, 1000, new SplittableRandom(0));
    assertThat(ci.low()).isEqualTo(0.0);
    assertThat(ci.high()).isCloseTo(2.0 / 3 + 0.35 / 3, within(1e-12));
  }

  @Test
  void sampledBootstrapIsCloseToTheNormalIntervalForLargeSamples() {
    double[] x = new double[400];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextDouble();
    }
    Bootstrap.Interval ci = Bootstrap.meanInterval(x, 0.95, 20000, new SplittableRandom(1));
    double half = 1.96 * Bootstrap.std(x) / Math.sqrt(x.length);
    assertThat(ci.low()).isCloseTo(Bootstrap.mean(x) - half, within(0.003));
    assertThat(ci.high()).isCloseTo(Bootstrap.mean(x) + half, within(0.003));
  }

  @Test
  void meanStdAndQuantileByHand() {
    assertThat(Bootstrap.mean(new double[] {1, 2, 6})).isEqualTo(3.0);
    assertThat(Bootstrap.std(new double[] {1, 2, 6})).isCloseTo(Math.sqrt(7), within(1e-12));
    assertThat(Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2.5);
    assertThat(Double.isNaN(Bootstrap.std(new double[] {1}))).isTrue();
  }

  @Test
  void controlStatisticsByHand() {
    // Controls {0.1, 0.2, 0.3}: mean 0.2, std 0.1; found 0.5 → z = 3, percentile 100.
    Ablation.ControlStats s = Ablation.ControlStats.of(0.5, new double[] {0.1, 0.2, 0.3});
    assertThat(s.mean()).isCloseTo(0.2, within(1e-12));
    assertThat(s.std()).isCloseTo(0.1, within(1e-12));
    assertThat(s.zScore()).isCloseTo(3.0, within(1e-9));
    assertThat(s.percentile()).isEqualTo(100.0);
    assertThat(Ablation.ControlStats.of(0.2, new double[] {0.1, 0.2, 0.3}).percentile())
        .isCloseTo(200.0 / 3, within(1e-12));
    assertThat(Double.isNaN(Ablation.ControlStats.of(0.2, new double[] {0.3, 0.3}).zScore()))
        .isTrue();
  }

  @Test
  void equalControlsHaveNoSpreadAndNoZScore() {
    // The plain mean of {0.1, 0.1, 0.1} is 0.10000000000000002, so a two-pass std around it is
    // ~1.7e-17, not 0, and z came out as ~1e15 (composition.md printed z = -7e14).
    double[] controls = {0.1, 0.1, 0.1};
    double naiveMean = (controls[0] + controls[1] + controls[2]) / 3;
    assertThat(naiveMean).isNotEqualTo(0.1);
    Ablation.ControlStats s = Ablation.ControlStats.of(0.05, controls);
    assertThat(s.std()).isEqualTo(0.0);
    assertThat(s.mean()).isEqualTo(0.1);
    assertThat(Double.isNaN(s.zScore())).isTrue();
    assertThat(s.percentile()).isEqualTo(0.0);
  }
}
