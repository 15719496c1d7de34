package org.subnetlab.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.RandomMasks;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.EvalSets;
import org.subnetlab.model.Evaluation;
import org.subnetlab.model.MaskedObjective;
import org.subnetlab.model.ParamGroup;
import org.subnetlab.sweep.RunSpec;
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
 *   <li>{@code random_subnetwork}, {@code random_removed}: the same with random masks of exactly
 *       the mask's per-layer size (one row per control, numbered by {@code control}).
 *   <li>{@code full_without_head}, {@code subnetwork_without_head}: θ and θ ⊙ b with one attention
 *       head's parameters removed, one row per head (named by {@code head}), for models with heads
 *       ({@link BaseModel#groups()}) when head ablation is on. A head's drop on a subtask in the
 *       first mode is its importance to the whole model; in the second, to the subnetwork.
 * </ul>
 */
public final class Ablation {
  private Ablation() {}

  /**
   * One evaluated (mask, subtask, mode). {@code control} is −1 outside the random modes. On the
   * {@code subnetwork} and {@code removed} rows, {@code controls} compares the accuracy with that
   * of the random controls of the same mode (null elsewhere, or without controls).
   */
  public record Row(
      String runId,
      String method,
      String maskSubtask,
      long seed,
      String evalSubtask,
      String mode,
      int control,
      double accuracy,
      double loss,
      int examples,
      long keptParams,
      ControlStats controls,
      String head)
      implements Serializable {

    Row withControls(ControlStats c) {
      return with(c, head);
    }

    Row withHead(String h) {
      return with(controls, h);
    }

    private Row with(ControlStats c, String h) {
      return new Row(
          runId,
          method,
          maskSubtask,
          seed,
          evalSubtask,
          mode,
          control,
          accuracy,
          loss,
          examples,
          keptParams,
          c,
          h);
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
      // Shifted by the first control, so that equal controls give a spread of exactly 0 (summing
      // 0.1 three times and dividing by 3 does not give 0.1, and a spread of 1e-17 made z ~ 1e15).
      double shift = n > 0 ? controls[0] : 0;
      double meanShifted = 0;
      for (double c : controls) {
        meanShifted += c - shift;
      }
      meanShifted /= n;
      double ss = 0;
      int atOrBelow = 0;
      for (double c : controls) {
        double d = (c - shift) - meanShifted;
        ss += d * d;
        atOrBelow += c <= value ? 1 : 0;
      }
      double mean = shift + meanShifted;
      double std = n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN;
      double z = std > 0 ? (value - mean) / std : Double.NaN;
      return new ControlStats(n, mean, std, z, 100.0 * atOrBelow / n);
    }
  }

  /** A run's spec with its trained mask. */
  public record Member(RunSpec spec, Mask mask) implements Serializable {}

  public static List<Row> evaluate(
      BaseModel model, Task task, List<Member> group, int randomControls) {
    return evaluate(model, task, group, randomControls, -1);
  }

  /**
   * The rows of member {@code only} of {@code group} (every member when {@code only} < 0); the
   * other members still define its exclusive weights. Lets each mask be its own parallel task.
   */
  public static List<Row> evaluate(
      BaseModel model, Task task, List<Member> group, int randomControls, int only) {
    return evaluate(model, task, group, randomControls, only, false);
  }

  /** The same, with the head modes when {@code headAblation} and the model has heads. */
  public static List<Row> evaluate(
      BaseModel model,
      Task task,
      List<Member> group,
      int randomControls,
      int only,
      boolean headAblation) {
    Evaluator ev = new Evaluator(model, task, group.get(0).mask().layout(), headAblation);
    List<Row> rows = new ArrayList<>();
    for (Member m : group) {
      if (only >= 0 && group.get(only) != m) {
        continue;
      }
      rows.addAll(ev.rows(m, exclusive(m, group), randomControls));
    }
    return rows;
  }

  /**
   * The rows of one member whose exclusive weights {@code exclusive} ({@link #exclusive}) were
   * taken against its group elsewhere: what {@link #evaluate} gives for that member, without the
   * other masks of the group (a Spark task then carries two masks, not the whole group).
   */
  public static List<Row> evaluateOne(
      BaseModel model, Task task, Member member, Mask exclusive, int randomControls) {
    return evaluateOne(model, task, member, exclusive, randomControls, false);
  }

  /** The same, with the head modes when {@code headAblation} and the model has heads. */
  public static List<Row> evaluateOne(
      BaseModel model,
      Task task,
      Member member,
      Mask exclusive,
      int randomControls,
      boolean headAblation) {
    return new Evaluator(model, task, member.mask().layout(), headAblation)
        .rows(member, exclusive, randomControls);
  }

  /** The weights of {@code m}'s mask in no other member's mask of {@code group}. */
  public static Mask exclusive(Member m, List<Member> group) {
    Mask exclusive = m.mask();
    for (Member o : group) {
      if (o != m) {
        exclusive = exclusive.minus(o.mask());
      }
    }
    return exclusive;
  }

  /** The base model's parameters, its eval sets and its full-model evaluation, made once. */
  private static final class Evaluator {
    private final MaskedObjective objective;
    private final float[] theta;
    private final float[] eff;
    private final EvalSets evals;
    private final Mask full;
    private final Evaluation[] fullEval;
    private final List<ParamGroup> heads;
    private Evaluation[][] fullWithoutHead;

    Evaluator(
        BaseModel model, Task task, org.subnetlab.model.ParamLayout layout, boolean headAblation) {
      heads = headAblation ? model.groups() : List.of();
      objective = model.objective();
      theta = model.theta();
      eff = new float[theta.length];
      evals = EvalSets.of(task, false);
      full = Mask.full(layout);
      full.apply(theta, eff);
      fullEval = evals.evaluate(objective, eff); // the same for every mask
    }

    /** θ without each head, evaluated once per evaluator (the same for every mask). */
    private Evaluation[][] fullWithoutHead() {
      if (fullWithoutHead == null) {
        fullWithoutHead = new Evaluation[heads.size()][];
        for (int h = 0; h < heads.size(); h++) {
          full.without(heads.get(h)).apply(theta, eff);
          fullWithoutHead[h] = evals.evaluate(objective, eff);
        }
      }
      return fullWithoutHead;
    }

    /** Each evaluated network runs once over all eval sets. */
    private Row[] rows(Member m, String mode, int control, Mask mask) {
      mask.apply(theta, eff);
      Evaluation[] r = evals.evaluate(objective, eff);
      Row[] out = new Row[r.length];
      for (int e = 0; e < r.length; e++) {
        out[e] = row(m, evals.names().get(e), mode, control, r[e], mask.kept());
      }
      return out;
    }

    List<Row> rows(Member m, Mask exclusive, int randomControls) {
      List<Row> rows = new ArrayList<>();
      List<Mask> controls = new ArrayList<>();
      for (int c = 0; c < randomControls; c++) {
        controls.add(
            RandomMasks.matching(
                m.mask(),
                Seeds.stream(m.spec().globalSeed(), "control/" + m.spec().streamId() + "/" + c)));
      }
      Row[] sub = rows(m, "subnetwork", -1, m.mask());
      Row[] removed = rows(m, "removed", -1, m.mask().complement());
      Row[] removedExclusive = rows(m, "removed_exclusive", -1, exclusive.complement());
      Row[][] randomSub = new Row[controls.size()][];
      Row[][] randomRemoved = new Row[controls.size()][];
      for (int c = 0; c < controls.size(); c++) {
        randomSub[c] = rows(m, "random_subnetwork", c, controls.get(c));
        randomRemoved[c] = rows(m, "random_removed", c, controls.get(c).complement());
      }
      for (int e = 0; e < evals.size(); e++) {
        Row s = sub[e];
        Row r = removed[e];
        if (!controls.isEmpty()) {
          double[] rs = new double[controls.size()];
          double[] rr = new double[controls.size()];
          for (int c = 0; c < controls.size(); c++) {
            rs[c] = randomSub[c][e].accuracy();
            rr[c] = randomRemoved[c][e].accuracy();
          }
          s = s.withControls(ControlStats.of(s.accuracy(), rs));
          r = r.withControls(ControlStats.of(r.accuracy(), rr));
        }
        rows.add(row(m, evals.names().get(e), "full", -1, fullEval[e], full.kept()));
        rows.add(s);
        rows.add(r);
        rows.add(removedExclusive[e]);
        for (int c = 0; c < controls.size(); c++) {
          rows.add(randomSub[c][e]);
          rows.add(randomRemoved[c][e]);
        }
      }
      if (!heads.isEmpty()) {
        Evaluation[][] fw = fullWithoutHead();
        for (int h = 0; h < heads.size(); h++) {
          ParamGroup head = heads.get(h);
          Row[] sw = rows(m, "subnetwork_without_head", -1, m.mask().without(head));
          for (int e = 0; e < evals.size(); e++) {
            rows.add(
                row(
                        m,
                        evals.names().get(e),
                        "full_without_head",
                        -1,
                        fw[h][e],
                        full.kept() - head.size())
                    .withHead(head.name()));
            rows.add(sw[e].withHead(head.name()));
          }
        }
      }
      return rows;
    }
  }

  private static Row row(
      Member m, String evalSubtask, String mode, int control, Evaluation r, long kept) {
    return new Row(
        m.spec().runId(),
        m.spec().method(),
        m.spec().subtask(),
        m.spec().seed(),
        evalSubtask,
        mode,
        control,
        r.accuracy(),
        r.loss(),
        r.examples(),
        kept,
        null,
        null);
  }
}
