package org.subnetlab.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.RandomMasks;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.Evaluation;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;

/**
 * Functional ablation of the masks of one (method, seed, hyperparameters) group, each evaluated on
 * every subtask's eval split. Modes:
 *
 * <ul>
 *   <li>{@code full}: the whole model θ (the reference);
 *   <li>{@code subnetwork}: θ ⊙ b, the mask alone;
 *   <li>{@code removed}: θ ⊙ (1 − b), everything but the mask;
 *   <li>{@code removed_exclusive}: θ with the mask's exclusive weights removed — those in this
 *       subtask's mask and in no other subtask's mask of the group (Csordás et al.'s test: removing
 *       an operation's exclusive weights should break it and spare the others);
 *   <li>{@code random_subnetwork}, {@code random_removed}: the same with random masks of exactly the
 *       mask's per-layer size (one row per control, numbered by {@code control}).
 * </ul>
 */
public final class Ablation {
  private Ablation() {}

  /**
   * One evaluated (mask, subtask, mode). {@code control} is −1 outside the random modes. On the
   * {@code subnetwork} and {@code removed} rows, {@code controls} compares the accuracy with that of
   * the random controls of the same mode (null elsewhere, or without controls).
   */
  public record Row(
      String runId, String method, String maskSubtask, long seed, String evalSubtask,
      String mode, int control, double accuracy, double loss, int examples, long keptParams,
      ControlStats controls)
      implements Serializable {

    Row withControls(ControlStats c) {
      return new Row(runId, method, maskSubtask, seed, evalSubtask, mode, control, accuracy, loss,
          examples, keptParams, c);
    }
  }

  /**
   * Where a found mask's accuracy stands among its random controls: their mean and sample standard
   * deviation, z = (accuracy − mean)/std (NaN when std = 0), and the empirical percentile = 100 ×
   * (number of controls with accuracy ≤ the found one)/(number of controls).
   */
  public record ControlStats(int n, double mean, double std, double zScore, double percentile)
      implements Serializable {

    public static ControlStats of(double value, double[] controls) {
      int n = controls.length;
      double mean = 0;
      for (double c : controls) {
        mean += c;
      }
      mean /= n;
      double ss = 0;
      int atOrBelow = 0;
      for (double c : controls) {
        ss += (c - mean) * (c - mean);
        atOrBelow += c <= value ? 1 : 0;
      }
      double std = n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN;
      double z = std > 0 ? (value - mean) / std : Double.NaN;
      return new ControlStats(n, mean, std, z, 100.0 * atOrBelow / n);
    }
  }

  /** A run's spec with its trained mask. */
  public record Member(RunSpec spec, Mask mask) implements Serializable {}

  public static List<Row> evaluate(
      MultiLayerNetwork model, Task task, List<Member> group, int randomControls) {
    Dl4jObjective objective = new Dl4jObjective(model);
    float[] theta = ParamBridge.toFloats(model.params());
    float[] eff = new float[theta.length];
    List<Dataset> evals = new ArrayList<>();
    for (String st : task.evalSubtasks()) {
      evals.add(task.evalExamples(st));
    }
    List<Row> rows = new ArrayList<>();
    for (Member m : group) {
      Mask exclusive = m.mask();
      for (Member o : group) {
        if (o != m) {
          exclusive = exclusive.minus(o.mask());
        }
      }
      List<Mask> controls = new ArrayList<>();
      for (int c = 0; c < randomControls; c++) {
        controls.add(RandomMasks.matching(
            m.mask(), Seeds.stream(m.spec().globalSeed(), "control/" + m.spec().runId() + "/" + c)));
      }
      Mask full = Mask.full(m.mask().layout());
      for (int e = 0; e < evals.size(); e++) {
        Dataset data = evals.get(e);
        String evalSubtask = task.evalSubtasks().get(e);
        Evaluator ev = (mode, control, mask) -> {
          mask.apply(theta, eff);
          Evaluation r = objective.evaluate(eff, data);
          return new Row(m.spec().runId(), m.spec().method(), m.spec().subtask(), m.spec().seed(),
              evalSubtask, mode, control, r.accuracy(), r.loss(), r.examples(), mask.kept(), null);
        };
        Row sub = ev.row("subnetwork", -1, m.mask());
        Row removed = ev.row("removed", -1, m.mask().complement());
        double[] randomSub = new double[controls.size()];
        double[] randomRemoved = new double[controls.size()];
        List<Row> controlRows = new ArrayList<>();
        for (int c = 0; c < controls.size(); c++) {
          Row rs = ev.row("random_subnetwork", c, controls.get(c));
          Row rr = ev.row("random_removed", c, controls.get(c).complement());
          randomSub[c] = rs.accuracy();
          randomRemoved[c] = rr.accuracy();
          controlRows.add(rs);
          controlRows.add(rr);
        }
        if (!controls.isEmpty()) {
          sub = sub.withControls(ControlStats.of(sub.accuracy(), randomSub));
          removed = removed.withControls(ControlStats.of(removed.accuracy(), randomRemoved));
        }
        rows.add(ev.row("full", -1, full));
        rows.add(sub);
        rows.add(removed);
        rows.add(ev.row("removed_exclusive", -1, exclusive.complement()));
        rows.addAll(controlRows);
      }
    }
    return rows;
  }

  @FunctionalInterface
  private interface Evaluator {
    Row row(String mode, int control, Mask mask);
  }
}
