package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TrainingHistoryTest {

  @Test
  void windowsCoverEveryStepOnceAndAverageIt() {
    float[] loss = new float[10];
    float[] density = new float[10];
    for (int s = 0; s < 10; s++) {
      loss[s] = s;
      density[s] = 1f - s / 10f;
    }
    TrainingHistory h = TrainingHistory.downsample(loss, density, 4);
    // windows [0,2) [2,5) [5,7) [7,10) -> last steps 2, 5, 7, 10
    assertThat(h.steps()).containsExactly(2, 5, 7, 10);
    assertThat(h.loss()[0]).isCloseTo(0.5f, within(1e-6f));
    assertThat(h.loss()[1]).isCloseTo(3f, within(1e-6f));
    assertThat(h.loss()[3]).isCloseTo(8f, within(1e-6f));
    assertThat(h.density()[1]).isCloseTo(0.7f, within(1e-6f));
  }

  @Test
  void shortHistoriesAreKeptWholeAndEmptyOnesStayEmpty() {
    TrainingHistory h =
        TrainingHistory.downsample(new float[] {3f, 2f}, new float[] {1f, .5f}, 200);
    assertThat(h.steps()).containsExactly(1, 2);
    assertThat(h.loss()).containsExactly(3f, 2f);
    assertThat(TrainingHistory.downsample(new float[0], new float[0], 200).size()).isZero();
  }

  @Test
  void mismatchedHistoriesAreRefused() {
    assertThatThrownBy(() -> TrainingHistory.downsample(new float[3], new float[2], 10))
        .hasMessageContaining("differ in length");
  }
}
