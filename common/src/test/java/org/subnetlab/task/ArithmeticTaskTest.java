package org.subnetlab.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArithmeticTaskTest {
  @Test
  void encodesOperandsAndOperationOneHot() {
    ArithmeticTask t = new ArithmeticTask(5, List.of("add", "sub", "mul"), 0.0, 10, 1);
    Dataset eval = t.evalSplit();
    assertThat(t.inputSize()).isEqualTo(13);
    assertThat(eval.size()).isEqualTo(75);
    for (int i = 0; i < eval.size(); i++) {
      float[] x = Arrays.copyOfRange(eval.features(), i * 13, (i + 1) * 13);
      int a = argmax(x, 0, 5);
      int b = argmax(x, 5, 10);
      int op = argmax(x, 10, 13);
      assertThat(sum(x)).isEqualTo(3f);
      assertThat(op).isEqualTo(eval.subtasks()[i]);
      int expected =
          switch (op) {
            case 0 -> (a + b) % 5;
            case 1 -> ((a - b) % 5 + 5) % 5;
            default -> (a * b) % 5;
          };
      assertThat(eval.labels()[i]).isEqualTo(expected);
    }
    assertThat(t.target(2, 4, "sub")).isEqualTo(3);
    assertThat(t.target(3, 4, "mul")).isEqualTo(2);
  }

  @Test
  void splitsAreDeterministicPerSeed() {
    ArithmeticTask a = new ArithmeticTask(7, List.of("add", "mul"), 0.3, 50, 42);
    ArithmeticTask b = new ArithmeticTask(7, List.of("add", "mul"), 0.3, 50, 42);
    ArithmeticTask c = new ArithmeticTask(7, List.of("add", "mul"), 0.3, 50, 43);
    assertThat(a.trainSplit().features()).isEqualTo(b.trainSplit().features());
    assertThat(a.evalSplit().labels()).isEqualTo(b.evalSplit().labels());
    assertThat(a.trainSplit().features()).isNotEqualTo(c.trainSplit().features());
    assertThat(a.trainSplit().size()).isEqualTo(100);
  }

  @Test
  void heldOutPairsNeverAppearInTraining() {
    ArithmeticTask t = new ArithmeticTask(8, List.of("add", "sub"), 0.25, 2000, 3);
    Set<String> train = keys(t.trainSplit());
    Set<String> eval = keys(t.evalSplit());
    assertThat(eval).hasSize(2 * 16);
    assertThat(train).doesNotContainAnyElementsOf(eval);
    assertThat(train.size() + eval.size()).isEqualTo(2 * 64);
  }

  @Test
  void selectsOneSubtask() {
    ArithmeticTask t = new ArithmeticTask(4, List.of("add", "mul"), 0.0, 30, 0);
    Dataset mul = t.trainSplit().subtask("mul");
    assertThat(mul.size()).isEqualTo(30);
    assertThat(mul.subtasks()).containsOnly(1);
  }

  private static Set<String> keys(Dataset d) {
    Set<String> s = new HashSet<>();
    for (int i = 0; i < d.size(); i++) {
      s.add(
          Arrays.toString(
              Arrays.copyOfRange(d.features(), i * d.inputSize(), (i + 1) * d.inputSize())));
    }
    return s;
  }

  private static int argmax(float[] x, int from, int to) {
    int best = from;
    for (int i = from; i < to; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best - from;
  }

  private static float sum(float[] x) {
    float s = 0;
    for (float v : x) {
      s += v;
    }
    return s;
  }
}
