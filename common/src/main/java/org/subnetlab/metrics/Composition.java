package org.subnetlab.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.PackedBits;
import org.subnetlab.mask.RandomMasks;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.EvalSets;
import org.subnetlab.model.Evaluation;
import org.subnetlab.model.MaskedObjective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;

/**
 * Composition of the subnetworks of one (method, seed, hyperparameters) group, each result
 * evaluated on every subtask and on the whole task ({@code ALL}):
 *
 * <ul>
 *   <li>set algebra: for every pair of subtasks a, b, the subnetworks θ ⊙ m for m = a ∪ b ({@code
 *       union}), a ∩ b ({@code intersection}), a ∖ b and b ∖ a ({@code difference}), and with three
 *       or more subtasks the union and intersection of all, against random masks of the same
 *       per-layer size;
 *   <li>structural compositionality (Lepori et al. 2023): each subnetwork alone ({@code
 *       subnetwork}) and the model with it ablated ({@code ablate}), against random masks — on a
 *       composite task, ablating one subroutine's subnetwork should hurt that subroutine and the
 *       composite and spare the other subroutine. Ablation replaces the subnetwork's entries by
 *       zero (θ ⊙ (1 − m), mode {@code zero}) or by other values over all parameters (θ ⊙ (1 − m) +
 *       v ⊙ m): a fresh draw from the initial distribution ({@code reinit}) or θ_init ({@code
 *       rewind}), one set of rows per mode;
 *   <li>sparse-difference composition (Ansell et al. 2022), for methods with a Δ: θ⁰ + Δ_a ({@code
 *       delta}) and θ⁰ + Δ_a + Δ_b ({@code delta_sum}).
 * </ul>
 *
 * <p>The same evaluation serves the random-model control: the group's masks trained on a
 * random-init copy of the base model and evaluated on that copy ({@link Options#base()}).
 */
public final class Composition {
  private Composition() {}

  /** A group member: its run, mask and (LT-SFT) Δ over all parameters, or null. */
  public record Member(RunSpec spec, Mask mask, float[] delta) implements Serializable {}

  /** The {@code ablation} value of rows that ablate nothing. */
  public static final String NO_ABLATION = "none";

  /** The {@code base} value of rows on the trained base model. */
  public static final String TRAINED = "trained";

  /** The {@code base} value of rows of the random-model control. */
  public static final String RANDOM_INIT = "random-init";

  /**
   * One evaluated composition. {@code hyperparameters} are the group's (the grid point); {@code
   * base} says which model the masks were trained and evaluated on ({@link #TRAINED} or {@link
   * #RANDOM_INIT}); {@code ablation} the ablation mode of {@code ablate} rows ({@link #NO_ABLATION}
   * for the other operations). {@code controls} is null where no random control applies.
   */
  public record Row(
      String method,
      long seed,
      Map<String, String> hyperparameters,
      String base,
      String operation,
      String ablation,
      String operands,
      String evalSubtask,
      long keptParams,
      double accuracy,
      Ablation.ControlStats controls)
      implements Serializable {}

  /**
   * How a group is evaluated: the base label of its rows, the ablation modes in order, each with
   * the values written into the ablated entries (over all parameters; null = zeros), and the number
   * of random control masks per result.
   */
  public record Options(String base, Map<String, float[]> ablation, int randomControls)
      implements Serializable {
    /** Zero ablation only, on the trained model. */
    public static Options zeroOnly(int randomControls) {
      Map<String, float[]> zero = new LinkedHashMap<>();
      zero.put("zero", null);
      return new Options(TRAINED, zero, randomControls);
    }
  }

  /** {@link #evaluate(BaseModel, float[], Task, List, Options)} with zero ablation only. */
  public static List<Row> evaluate(
      BaseModel model, float[] initialTheta, Task task, List<Member> group, int randomControls) {
    return evaluate(model, initialTheta, task, group, Options.zeroOnly(randomControls));
  }

  public static List<Row> evaluate(
      BaseModel model, float[] initialTheta, Task task, List<Member> group, Options options) {
    MaskedObjective objective = model.objective();
    float[] theta = model.theta();
    EvalSets evals = EvalSets.of(task, true);
    RunSpec first = group.get(0).spec();
    Evaluator ev = new Evaluator(objective, theta, evals, options, first);
    List<Row> rows = new ArrayList<>();
    for (Member m : group) {
      String a = m.spec().subtask();
      rows.addAll(ev.masked("subnetwork", a, m.mask()));
      for (Map.Entry<String, float[]> mode : options.ablation().entrySet()) {
        rows.addAll(ev.masked("ablate", mode.getKey(), a, m.mask().complement(), mode.getValue()));
      }
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
      float[] theta0 =
          first.hyperparameters().getOrDefault("from-initial", 0.0) == 1.0 ? initialTheta : theta;
      for (int i = 0; i < group.size(); i++) {
        Member x = group.get(i);
        rows.addAll(ev.params("delta", x.spec().subtask(), add(theta0, x.delta())));
        for (int j = i + 1; j < group.size(); j++) {
          Member y = group.get(j);
          rows.addAll(
              ev.params(
                  "delta_sum",
                  x.spec().subtask() + "," + y.spec().subtask(),
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

  /**
   * The effective parameters of an ablation: θ where {@code keep} keeps an entry, else {@code fill}
   * (zero where {@code fill} is null).
   */
  public static float[] ablated(float[] theta, Mask keep, float[] fill) {
    float[] out = new float[theta.length];
    fillAblated(theta, keep, fill, out);
    return out;
  }

  private static void fillAblated(float[] theta, Mask keep, float[] fill, float[] out) {
    keep.apply(theta, out);
    if (fill == null) {
      return;
    }
    ParamLayout layout = keep.layout();
    for (int l = 0; l < layout.layers(); l++) {
      int off = layout.offset(l);
      byte[] bits = keep.bits(l);
      for (int i = 0; i < layout.size(l); i++) {
        if (!PackedBits.get(bits, i)) {
          out[off + i] = fill[off + i];
        }
      }
    }
  }

  /** The grid point as strings (integers without a decimal point), sorted by key. */
  static Map<String, String> gridPoint(RunSpec spec) {
    Map<String, String> out = new TreeMap<>();
    spec.comparableHyperparameters()
        .forEach(
            (k, v) ->
                out.put(
                    k,
                    v == Math.rint(v) && Math.abs(v) < 1e15
                        ? Long.toString((long) (double) v)
                        : String.format(Locale.ROOT, "%s", v)));
    return Map.copyOf(out);
  }

  private static final class Evaluator {
    private final MaskedObjective objective;
    private final float[] theta;
    private final EvalSets evals;
    private final int randomControls;
    private final String base;
    private final RunSpec spec;
    private final Map<String, String> gridPoint;
    private final float[] eff;

    Evaluator(
        MaskedObjective objective, float[] theta, EvalSets evals, Options options, RunSpec spec) {
      this.objective = objective;
      this.theta = theta;
      this.evals = evals;
      this.randomControls = options.randomControls();
      this.base = options.base();
      this.spec = spec;
      this.gridPoint = gridPoint(spec);
      this.eff = new float[theta.length];
    }

    List<Row> masked(String operation, String operands, Mask mask) {
      return masked(operation, NO_ABLATION, operands, mask, null);
    }

    /** θ where {@code mask} keeps an entry, {@code fill} (or zero) elsewhere, against controls. */
    List<Row> masked(String operation, String ablation, String operands, Mask mask, float[] fill) {
      double[][] random = new double[evals.size()][randomControls];
      for (int r = 0; r < randomControls; r++) {
        Mask control =
            RandomMasks.matching(
                mask,
                Seeds.stream(
                    spec.globalSeed(),
                    "compose/" + spec.groupKey() + "/" + operation + "/" + operands + "/" + r));
        fillAblated(theta, control, fill, eff);
        Evaluation[] c = evals.evaluate(objective, eff);
        for (int e = 0; e < evals.size(); e++) {
          random[e][r] = c[e].accuracy();
        }
      }
      fillAblated(theta, mask, fill, eff);
      Evaluation[] m = evals.evaluate(objective, eff);
      List<Row> rows = new ArrayList<>();
      for (int e = 0; e < evals.size(); e++) {
        double acc = m[e].accuracy();
        rows.add(
            new Row(
                spec.method(),
                spec.seed(),
                gridPoint,
                base,
                operation,
                ablation,
                operands,
                evals.names().get(e),
                mask.kept(),
                acc,
                randomControls == 0 ? null : Ablation.ControlStats.of(acc, random[e])));
      }
      return rows;
    }

    List<Row> params(String operation, String operands, float[] p) {
      List<Row> rows = new ArrayList<>();
      Evaluation[] r = evals.evaluate(objective, p);
      for (int e = 0; e < evals.size(); e++) {
        rows.add(
            new Row(
                spec.method(),
                spec.seed(),
                gridPoint,
                base,
                operation,
                NO_ABLATION,
                operands,
                evals.names().get(e),
                p.length,
                r[e].accuracy(),
                null));
      }
      return rows;
    }
  }
}
