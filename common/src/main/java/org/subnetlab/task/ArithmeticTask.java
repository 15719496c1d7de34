package org.subnetlab.task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.subnetlab.config.TaskSettings;

/**
 * Modular arithmetic after Csordás et al.'s addition/multiplication experiment.
 *
 * <p>Encoding: operands a, b in [0, N) and an operation op (one of the configured operations, in
 * config order). The input is one-hot(a) ‖ one-hot(b) ‖ one-hot(op), of size 2N + |ops|; the target
 * is the class (a op b) mod N, with sub as ((a − b) mod N + N) mod N. Each operation is a subtask
 * named after it.
 *
 * <p>Splits: per operation, a seeded fraction {@code holdout-fraction} of the N² operand pairs is
 * held out. The train split draws {@code train-examples-per-subtask} examples per operation
 * uniformly (with replacement) from the remaining pairs. The eval split holds each held-out pair
 * once, or, when nothing is held out, every pair of the table once — the model then implements the
 * finite table, and eval accuracy says how well.
 */
public final class ArithmeticTask extends OneHotTask {
  private final int n;
  private final List<String> ops;

  public ArithmeticTask(TaskSettings s, long seed) {
    this(s.modulus(), s.operations(), s.holdoutFraction(), s.trainExamplesPerSubtask(), seed);
  }

  public ArithmeticTask(
      int modulus,
      List<String> operations,
      double holdoutFraction,
      int trainPerSubtask,
      long seed) {
    super("arithmetic", operations, new int[] {modulus, modulus, operations.size()}, modulus);
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
        int[] ex = {perm[k] / n, perm[k] % n, o, o}; // a, b, op; subtask = op
        if (k < held) {
          evalPairs.add(ex);
        } else {
          tr.add(ex);
        }
      }
      if (held == 0) {
        for (int p = 0; p < pairs; p++) {
          evalPairs.add(new int[] {p / n, p % n, o, o});
        }
      }
      for (int k = 0; k < trainPerSubtask; k++) {
        trainPairs.add(tr.get(rng.nextInt(tr.size())));
      }
    }
    splits(trainPairs, evalPairs);
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

  @Override
  int label(int[] e) {
    return target(e[0], e[1], ops.get(e[2]));
  }
}
