package org.subnetlab.task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.subnetlab.config.TaskSettings;

/**
 * Modular arithmetic after Csordás et al.'s addition/multiplication experiment.
 *
 * <p>Encoding: operands a, b in [0, N) and an operation op (one of the configured operations, in
 * config order). The input is one-hot(a) ‖ one-hot(b) ‖ one-hot(op), of size 2N + |ops|; the
 * target is the class (a op b) mod N, with sub as ((a − b) mod N + N) mod N. Each operation is a
 * subtask named after it.
 *
 * <p>Splits: per operation, a seeded fraction {@code holdout-fraction} of the N² operand pairs is
 * held out. The train split draws {@code train-examples-per-subtask} examples per operation
 * uniformly (with replacement) from the remaining pairs. The eval split holds each held-out pair
 * once, or, when nothing is held out, every pair of the table once — the model then implements
 * the finite table, and eval accuracy says how well.
 */
public final class ArithmeticTask implements Task {
  private final int n;
  private final List<String> ops;
  private final Dataset train;
  private final Dataset eval;

  public ArithmeticTask(TaskSettings s, long seed) {
    this(s.modulus(), s.operations(), s.holdoutFraction(), s.trainExamplesPerSubtask(), seed);
  }

  public ArithmeticTask(
      int modulus, List<String> operations, double holdoutFraction, int trainPerSubtask, long seed) {
    this.n = modulus;
    this.ops = List.copyOf(operations);
    SplittableRandom rng = Seeds.stream(seed, "task/arithmetic/split");
    List<int[]> trainPairs = new ArrayList<>();
    List<int[]> evalPairs = new ArrayList<>();
    for (int o = 0; o < ops.size(); o++) {
      int pairs = n * n;
      int[] perm = Seeds.permutation(pairs, rng);
      int held = (int) Math.round(holdoutFraction * pairs);
      List<int[]> tr = new ArrayList<>();
      for (int k = 0; k < pairs; k++) {
        int[] ex = {perm[k] / n, perm[k] % n, o};
        if (k < held) {
          evalPairs.add(ex);
        } else {
          tr.add(ex);
        }
      }
      if (held == 0) {
        for (int p = 0; p < pairs; p++) {
          evalPairs.add(new int[] {p / n, p % n, o});
        }
      }
      for (int k = 0; k < trainPerSubtask; k++) {
        trainPairs.add(tr.get(rng.nextInt(tr.size())));
      }
    }
    this.train = encode(trainPairs);
    this.eval = encode(evalPairs);
  }

  /** The target class of {@code a op b}. */
  public int target(int a, int b, String op) {
    return switch (op) {
      case "add" -> (a + b) % n;
      case "sub" -> Math.floorMod(a - b, n);
      case "mul" -> (a * b) % n;
      default -> throw new IllegalArgumentException("Unknown operation " + op);
    };
  }

  private Dataset encode(List<int[]> examples) {
    int d = inputSize();
    float[] f = new float[examples.size() * d];
    int[] labels = new int[examples.size()];
    int[] sub = new int[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      int[] ex = examples.get(i);
      f[i * d + ex[0]] = 1f;
      f[i * d + n + ex[1]] = 1f;
      f[i * d + 2 * n + ex[2]] = 1f;
      labels[i] = target(ex[0], ex[1], ops.get(ex[2]));
      sub[i] = ex[2];
    }
    return new Dataset(d, n, f, labels, sub, ops);
  }

  @Override
  public String name() {
    return "arithmetic";
  }

  @Override
  public List<String> subtasks() {
    return ops;
  }

  @Override
  public int inputSize() {
    return 2 * n + ops.size();
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
