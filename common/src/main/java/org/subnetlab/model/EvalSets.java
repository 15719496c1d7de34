package org.subnetlab.model;

import java.util.ArrayList;
import java.util.List;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;

/**
 * The named example sets accuracies are reported on, evaluated together: when every set is a view
 * of one split (as the tasks' eval subtasks are), the network runs once over the examples of their
 * union and each set's accuracy and loss are sums over its rows — overlapping sets (the complement
 * subtasks of an image task, the per-class sets, {@code ALL}) cost no extra forward passes.
 */
public final class EvalSets {
  private final List<String> names;
  private final List<Dataset> sets;
  private final int[][] rows;
  private final Dataset union;
  private final int[] position;

  public EvalSets(Dataset base, List<String> names, List<Dataset> sets) {
    this.names = List.copyOf(names);
    this.sets = List.copyOf(sets);
    this.rows = new int[sets.size()][];
    boolean[] used = new boolean[base.size()];
    boolean allViews = true;
    for (int s = 0; s < sets.size(); s++) {
      rows[s] = sets.get(s).rowsIn(base);
      if (rows[s] == null) {
        allViews = false;
        break;
      }
      for (int r : rows[s]) {
        used[r] = true;
      }
    }
    if (!allViews) {
      this.union = null;
      this.position = null;
      return;
    }
    List<Integer> u = new ArrayList<>();
    this.position = new int[base.size()];
    for (int r = 0; r < used.length; r++) {
      if (used[r]) {
        position[r] = u.size();
        u.add(r);
      }
    }
    this.union = base.select(u.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The task's eval subtasks, and {@code ALL} (the whole eval split) when asked. */
  public static EvalSets of(Task task, boolean withAll) {
    List<String> names = new ArrayList<>(task.evalSubtasks());
    List<Dataset> sets = new ArrayList<>();
    for (String n : names) {
      sets.add(task.evalExamples(n));
    }
    if (withAll) {
      names.add("ALL");
      sets.add(task.evalSplit());
    }
    return new EvalSets(task.evalSplit(), names, sets);
  }

  public List<String> names() {
    return names;
  }

  public int size() {
    return names.size();
  }

  /** Accuracy and mean loss on every set with parameters {@code effective}, in name order. */
  public Evaluation[] evaluate(MaskedObjective objective, float[] effective) {
    Evaluation[] out = new Evaluation[sets.size()];
    if (union == null) {
      for (int s = 0; s < sets.size(); s++) {
        out[s] = objective.evaluate(effective, sets.get(s));
      }
      return out;
    }
    boolean[] correct = new boolean[union.size()];
    double[] loss = new double[union.size()];
    objective.perExample(effective, union, correct, loss);
    for (int s = 0; s < sets.size(); s++) {
      int[] at = new int[rows[s].length];
      for (int k = 0; k < at.length; k++) {
        at[k] = position[rows[s][k]];
      }
      out[s] = Evaluation.of(correct, loss, at);
    }
    return out;
  }
}
