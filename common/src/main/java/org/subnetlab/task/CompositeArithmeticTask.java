package org.subnetlab.task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.subnetlab.config.TaskSettings;

/**
 * A composite task for structural compositionality (after Lepori, Serre & Pavlick, NeurIPS 2023):
 * operands a, b, c in [0, N), target ((a + b) · c) mod N, input one-hot(a) ‖ one-hot(b) ‖
 * one-hot(c) (size 3N). The answer needs an addition and a multiplication subroutine, and each has a
 * subtask on which only it decides the answer: {@code add} = the triples with c = 1 (target
 * (a + b) mod N), {@code mul} = the triples with b = 0 (target (a · c) mod N); {@code composite} is
 * every triple. Train split: {@code train-examples-per-subtask} seeded draws (with replacement) per
 * subtask; eval split: every triple of each subtask once.
 */
public final class CompositeArithmeticTask implements Task {
  public static final List<String> SUBTASKS = List.of("add", "mul", "composite");

  private final int n;
  private final Dataset train;
  private final Dataset eval;

  public CompositeArithmeticTask(TaskSettings s, long seed) {
    this(s.compositeModulus(), s.compositeTrainExamplesPerSubtask(), seed);
  }

  public CompositeArithmeticTask(int modulus, int trainPerSubtask, long seed) {
    this.n = modulus;
    SplittableRandom rng = Seeds.stream(seed, "task/arithmetic-composite/split");
    List<int[]> trainEx = new ArrayList<>();
    List<int[]> evalEx = new ArrayList<>();
    for (int s = 0; s < SUBTASKS.size(); s++) {
      List<int[]> table = new ArrayList<>();
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          for (int c = 0; c < n; c++) {
            boolean in = switch (SUBTASKS.get(s)) {
              case "add" -> c == 1;
              case "mul" -> b == 0;
              default -> true;
            };
            if (in) {
              table.add(new int[] {a, b, c, s});
            }
          }
        }
      }
      evalEx.addAll(table);
      for (int k = 0; k < trainPerSubtask; k++) {
        trainEx.add(table.get(rng.nextInt(table.size())));
      }
    }
    this.train = encode(trainEx);
    this.eval = encode(evalEx);
  }

  /** ((a + b) · c) mod N. */
  public int target(int a, int b, int c) {
    return (a + b) * c % n;
  }

  private Dataset encode(List<int[]> examples) {
    int d = inputSize();
    float[] f = new float[examples.size() * d];
    int[] labels = new int[examples.size()];
    int[] sub = new int[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      int[] e = examples.get(i);
      f[i * d + e[0]] = 1f;
      f[i * d + n + e[1]] = 1f;
      f[i * d + 2 * n + e[2]] = 1f;
      labels[i] = target(e[0], e[1], e[2]);
      sub[i] = e[3];
    }
    return new Dataset(d, n, f, labels, sub, SUBTASKS);
  }

  @Override
  public String name() {
    return "arithmetic-composite";
  }

  @Override
  public List<String> subtasks() {
    return SUBTASKS;
  }

  @Override
  public int inputSize() {
    return 3 * n;
  }

  @Override
  public int numClasses() {
    return n;
  }

  @Override
  public Dataset trainSplit() {
    return train;
  }

  @Override
  public Dataset evalSplit() {
    return eval;
  }
}
