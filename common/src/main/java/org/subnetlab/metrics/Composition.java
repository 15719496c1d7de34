package org.subnetlab.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.RandomMasks;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.Evaluation;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;
import org.subnetlab.model.Network;

/**
 * Composition of the subnetworks of one (method, seed, hyperparameters) group, each result evaluated
 * on every subtask and on the whole task ({@code ALL}):
 *
 * <ul>
 *   <li>set algebra: for every pair of subtasks a, b, the subnetworks θ ⊙ m for m = a ∪ b
 *       ({@code union}), a ∩ b ({@code intersection}), a ∖ b and b ∖ a ({@code difference}), and
 *       with three or more subtasks the union and intersection of all, against random masks of the
 *       same per-layer size;
 *   <li>structural compositionality (Lepori et al. 2023): each subnetwork alone ({@code subnetwork})
 *       and the model with it ablated ({@code ablate}, θ ⊙ (1 − m)), against random masks — on a
 *       composite task, ablating one subroutine's subnetwork should hurt that subroutine and the
 *       composite and spare the other subroutine;
 *   <li>sparse-difference composition (Ansell et al. 2022), for methods with a Δ: θ⁰ + Δ_a
 *       ({@code delta}) and θ⁰ + Δ_a + Δ_b ({@code delta_sum}).
 * </ul>
 */
public final class Composition {
  private Composition() {}

  /** A group member: its run, mask and (LT-SFT) Δ over all parameters, or null. */
  public record Member(RunSpec spec, Mask mask, float[] delta) implements Serializable {}

  /** One evaluated composition. {@code controls} is null where no random control applies. */
  public record Row(
      String method, long seed, String operation, String operands, String evalSubtask,
      long keptParams, double accuracy, Ablation.ControlStats controls) implements Serializable {}

  public static List<Row> evaluate(
      Network model, float[] initialTheta, Task task, List<Member> group,
      int randomControls) {
    Dl4jObjective objective = new Dl4jObjective(model);
    float[] theta = ParamBridge.toFloats(model.params());
    EvalSets evals = EvalSets.of(task, true);
    RunSpec first = group.get(0).spec();
    Evaluator ev = new Evaluator(objective, theta, evals, randomControls, first);
    List<Row> rows = new ArrayList<>();
    for (Member m : group) {
      String a = m.spec().subtask();
      rows.addAll(ev.masked("subnetwork", a, m.mask()));
      rows.addAll(ev.masked("ablate", a, m.mask().complement()));
    }
    for (int i = 0; i < group.size(); i++) {
      for (int j = i + 1; j < group.size(); j++) {
        Member x = group.get(i);
        Member y = group.get(j);
        String xa = x.spec().subtask();
        String ya = y.spec().subtask();
        rows.addAll(ev.masked("union", xa + "," + ya, x.mask().or(y.mask())));
        rows.addAll(ev.masked("intersection", xa + "," + ya, x.mask().and(y.mask())));
        rows.addAll(ev.masked("difference", xa + "," + ya, x.mask().minus(y.mask())));
        rows.addAll(ev.masked("difference", ya + "," + xa, y.mask().minus(x.mask())));
      }
    }
    if (group.size() > 2) { // the same over all subtasks of the group at once
      Mask union = group.get(0).mask();
      Mask inter = group.get(0).mask();
      StringBuilder all = new StringBuilder(group.get(0).spec().subtask());
      for (Member m : group.subList(1, group.size())) {
        union = union.or(m.mask());
        inter = inter.and(m.mask());
        all.append(',').append(m.spec().subtask());
      }
      rows.addAll(ev.masked("union", all.toString(), union));
      rows.addAll(ev.masked("intersection", all.toString(), inter));
    }
    if (group.stream().allMatch(m -> m.delta() != null)) {
      float[] theta0 = first.hyperparameters().getOrDefault("from-initial", 0.0) == 1.0
          ? initialTheta : theta;
      for (int i = 0; i < group.size(); i++) {
        Member x = group.get(i);
        rows.addAll(ev.params("delta", x.spec().subtask(), add(theta0, x.delta())));
        for (int j = i + 1; j < group.size(); j++) {
          Member y = group.get(j);
          rows.addAll(ev.params("delta_sum", x.spec().subtask() + "," + y.spec().subtask(),
              add(add(theta0, x.delta()), y.delta())));
        }
      }
    }
    return rows;
  }

  /** θ + Δ, elementwise (a new array). */
  public static float[] add(float[] theta, float[] delta) {
    float[] out = theta.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += delta[i];
    }
    return out;
  }

  private static final class Evaluator {
    private final Dl4jObjective objective;
    private final float[] theta;
    private final EvalSets evals;
    private final int randomControls;
    private final RunSpec spec;
    private final float[] eff;

    Evaluator(Dl4jObjective objective, float[] theta, EvalSets evals, int randomControls,
        RunSpec spec) {
      this.objective = objective;
      this.theta = theta;
      this.evals = evals;
      this.randomControls = randomControls;
      this.spec = spec;
      this.eff = new float[theta.length];
    }

    List<Row> masked(String operation, String operands, Mask mask) {
      double[][] random = new double[evals.size()][randomControls];
      for (int r = 0; r < randomControls; r++) {
        Mask control = RandomMasks.matching(mask, Seeds.stream(spec.globalSeed(),
            "compose/" + spec.groupKey() + "/" + operation + "/" + operands + "/" + r));
        control.apply(theta, eff);
        Evaluation[] c = evals.evaluate(objective, eff);
        for (int e = 0; e < evals.size(); e++) {
          random[e][r] = c[e].accuracy();
        }
      }
      mask.apply(theta, eff);
      Evaluation[] m = evals.evaluate(objective, eff);
      List<Row> rows = new ArrayList<>();
      for (int e = 0; e < evals.size(); e++) {
        double acc = m[e].accuracy();
        rows.add(new Row(spec.method(), spec.seed(), operation, operands, evals.names().get(e),
            mask.kept(), acc,
            randomControls == 0 ? null : Ablation.ControlStats.of(acc, random[e])));
      }
      return rows;
    }

    List<Row> params(String operation, String operands, float[] p) {
      List<Row> rows = new ArrayList<>();
      Evaluation[] r = evals.evaluate(objective, p);
      for (int e = 0; e < evals.size(); e++) {
        rows.add(new Row(spec.method(), spec.seed(), operation, operands, evals.names().get(e),
            p.length, r[e].accuracy(), null));
      }
      return rows;
    }
  }
}
