package org.subnetlab.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.Settings;
import org.subnetlab.mask.MaskMethod;
import org.subnetlab.mask.MaskMethods;

/**
 * Expands the configured sweep (model seeds × methods × subtasks × seeds × hyperparameter lists)
 * into runs: the whole sweep on every base model.
 */
public final class SweepGrid {
  private SweepGrid() {}

  public static List<RunSpec> expand(Settings s, List<String> taskSubtasks) {
    List<String> subtasks = s.masks().subtasks().isEmpty() ? taskSubtasks : s.masks().subtasks();
    for (String st : subtasks) {
      if (!taskSubtasks.contains(st)) {
        throw new BadInputException(
            "Cannot set masks.subtasks to "
                + subtasks
                + ": "
                + st
                + " is not a subtask of task "
                + s.task().name()
                + " (it has "
                + taskSubtasks
                + ").");
      }
    }
    String fp0 = s.modelFingerprint(0);
    List<RunSpec> runs = new ArrayList<>();
    for (long modelSeed : s.model().seeds()) {
      String fp = s.modelFingerprint(modelSeed);
      for (String method : s.masks().methods()) {
        for (Map<String, Double> hp : s.masks().gridPoints(method)) {
          for (String st : subtasks) {
            for (long seed : s.masks().seeds()) {
              runs.add(RunSpec.of(method, st, seed, s.seed(), hp, fp, modelSeed, fp0));
            }
          }
        }
      }
    }
    return runs;
  }

  /**
   * The matched-density runs: for each finished run of the reference method, each matched method at
   * each of its grid points, with top-k set to the reference mask's kept count (global), {@code
   * mask-biases = 1} (the top-K is taken over every parameter, so the matched mask keeps exactly as
   * many as the reference mask, whose kept count includes any biases it does not mask) and {@link
   * RunSpec#matched} (recorded as {@code matched = 1} in its hyperparameters column). {@code
   * keptByRun} holds the kept count of the reference runs known so far.
   */
  public static List<RunSpec> matched(
      Settings s, List<RunSpec> base, java.util.Map<String, Long> keptByRun) {
    List<RunSpec> out = new ArrayList<>();
    String ref = s.masks().matchedReference();
    if (ref.isEmpty()) {
      return out;
    }
    for (RunSpec r : base) {
      Long kept = keptByRun.get(r.runId());
      if (!r.method().equals(ref) || kept == null || kept == 0) {
        continue;
      }
      for (String method : s.masks().matchedMethods()) {
        for (Map<String, Double> hp : s.masks().gridPoints(method)) {
          Map<String, Double> m = new java.util.LinkedHashMap<>(hp);
          m.put("top-k", kept.doubleValue());
          m.put("per-layer", 0.0);
          m.put("mask-biases", 1.0);
          // On the reference run's own base model: matched runs compare masks of one network.
          RunSpec spec =
              RunSpec.matchedOf(
                  method,
                  r.subtask(),
                  r.seed(),
                  r.globalSeed(),
                  m,
                  r.modelFingerprint(),
                  r.modelSeed(),
                  s.modelFingerprint(0));
          if (out.stream().noneMatch(o -> o.runId().equals(spec.runId()))) {
            out.add(spec); // two reference runs of equal size ask for the same run once
          }
        }
      }
    }
    return out;
  }

  /**
   * The runs with the most training work first ({@link MaskMethod#work}), ties in their given
   * order: Spark starts a job's tasks in partition order, so a long run started last would keep one
   * core busy after the others ran out of work (longest-processing-time-first list scheduling).
   */
  public static List<RunSpec> longestFirst(List<RunSpec> runs) {
    return runs.stream()
        .map(r -> Map.entry(r, MaskMethods.create(r.method(), r.hyperparameters()).work()))
        .sorted(Comparator.comparingDouble((Map.Entry<RunSpec, Double> e) -> -e.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }
}
