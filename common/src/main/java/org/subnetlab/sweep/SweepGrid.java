package org.subnetlab.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.Settings;

/** Expands the configured sweep (methods × subtasks × seeds × hyperparameter lists) into runs. */
public final class SweepGrid {
  private SweepGrid() {}

  public static List<RunSpec> expand(Settings s, List<String> taskSubtasks) {
    List<String> subtasks = s.masks().subtasks().isEmpty() ? taskSubtasks : s.masks().subtasks();
    for (String st : subtasks) {
      if (!taskSubtasks.contains(st)) {
        throw new BadInputException(
            "Cannot set masks.subtasks to " + subtasks + ": " + st + " is not a subtask of task "
                + s.task().name() + " (it has " + taskSubtasks + ").");
      }
    }
    String fp = s.modelFingerprint();
    List<RunSpec> runs = new ArrayList<>();
    for (String method : s.masks().methods()) {
      for (Map<String, Double> hp : s.masks().gridPoints(method)) {
        for (String st : subtasks) {
          for (long seed : s.masks().seeds()) {
            runs.add(RunSpec.of(method, st, seed, s.seed(), hp, fp));
          }
        }
      }
    }
    return runs;
  }
}
