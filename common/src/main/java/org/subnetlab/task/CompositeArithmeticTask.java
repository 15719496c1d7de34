package org.subnetlab.task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.subnetlab.config.TaskSettings;

/**
 * A composite task for structural compositionality (after Lepori, Serre & Pavlick, NeurIPS 2023):
 * operands a, b, c in [0, N), target ((a + b) · c) mod N, input one-hot(a) ‖ one-hot(b) ‖
 * one-hot(c) (size 3N). The answer needs an addition and a multiplication subroutine, and each has
 * a subtask on which only it decides the answer: {@code add} = the triples with c = 1 (target (a +
 * b) mod N), {@code mul} = the triples with b = 0 (target (a · c) mod N); {@code composite} is
 * every triple. Train split: {@code train-examples-per-subtask} seeded draws (with replacement) per
 * subtask; eval split: every triple of each subtask once.
 */
public final class CompositeArithmeticTask extends OneHotTask {
  public static final List<String> SUBTASKS = List.of("add", "mul", "composite");

  private final int n;

  public CompositeArithmeticTask(TaskSettings s, long seed) {
    this(s.compositeModulus(), s.compositeTrainExamplesPerSubtask(), seed);
  }

  public CompositeArithmeticTask(int modulus, int trainPerSubtask, long seed) {
    super("arithmetic-composite", SUBTASKS, new int[] {modulus, modulus, modulus}, modulus);
    this.n = modulus;
    SplittableRandom rng = Seeds.stream(seed, "task/arithmetic-composite/split");
    List<int[]> trainEx = new ArrayList<>();
    List<int[]> evalEx = new ArrayList<>();
    for (int s = 0; s < SUBTASKS.size(); s++) {
      List<int[]> table = new ArrayList<>();
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          for (int c = 0; c < n; c++) {
            boolean in =
                switch (SUBTASKS.get(s)) {
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
    splits(trainEx, evalEx);
  }

  /** ((a + b) · c) mod N. */
  public int target(int a, int b, int c) {
    return (a + b) * c % n;
  }

  @Override
  int label(int[] e) {
    return target(e[0], e[1], e[2]);
  }
}
