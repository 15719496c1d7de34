package org.subnetlab.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.subnetlab.sweep.GridPoints;
import org.subnetlab.sweep.RunSpec;

/**
 * The {@code summary} table. Rows with {@code selection = "grid"}: per (grid point ({@link
 * GridPoints}: method and hyperparameters; matched-density runs, whose top-k differs per seed,
 * without it), subtask, layer), statistics over seeds. Rows with {@code selection = "selected"}:
 * per (method family, subtask, layer), the same statistics over the masks {@link Selection} picks,
 * one per seed, among all grid points of the family. Statistics: mean, std and a 95% interval
 * ({@link Intervals}: Student-t below {@link Intervals#STUDENT_T_BELOW} seeds, percentile bootstrap
 * from there on; the row says which) of density, subnetwork accuracy and removal drop (the last two
 * on layer {@code ALL}, where they are defined), and mean Jaccard overlaps across seeds
 * (stability), across subtasks at the same seed (modularity) and across methods for the same
 * subtask and seed (agreement between methods), each among the row's own kind of runs (one grid
 * point, or the selected masks).
 *
 * <p>Base models ({@code model.seeds}) are kept apart: every row above is per model seed ({@code
 * over = "mask seeds"}, {@code modelSeed} set), selection is per (family, subtask, seed, model
 * seed), and overlaps across seeds / subtasks / methods pair only runs of the same base model. When
 * a group has runs on more than one base model, one more row ({@code over = "base models"}, {@code
 * modelSeed} null, {@code seeds} = the number of base models) gives the statistics of the
 * per-base-model means over base models, so the spread across base models is reported separately
 * from the spread across mask seeds; {@code jaccardAcrossModels} is the mean Jaccard between masks
 * of the same grid point (or of the selected masks), subtask and mask seed on different base
 * models: whether a mask is about this network or about networks trained this way. On selected
 * rows, {@code gridPoint}, {@code selectedPoints}, {@code withinTolerance} and {@code warning} of a
 * per-base-model row count that base model's selected masks only (its warning ends with "[base
 * model N]" when there are several); on the row over base models they count every base model's
 * selected masks ({@code runIds}), and its warning is null.
 */
public final class SummaryTable {
  private SummaryTable() {}

  public static final String GRID = "grid";
  public static final String SELECTED = "selected";

  /** {@code over} of a row with statistics over the mask seeds of one base model. */
  public static final String OVER_SEEDS = "mask seeds";

  /** {@code over} of a row with statistics over the per-base-model means. */
  public static final String OVER_MODELS = "base models";

  /** Mean, std and interval of one quantity over seeds. */
  public record Stat(double mean, double std, double low, double high) implements Serializable {}

  /**
   * One row of the table. {@code gridPoint}: the hyperparameters that differ between the family's
   * grid points ("" for a lone point; for selected rows, the most often selected point); {@code
   * selectedPoints}, {@code withinTolerance} and {@code warning} only on selected rows.
   */
  public record Row(
      String method,
      Map<String, String> hyperparameters,
      String subtask,
      String layer,
      int seeds,
      Stat density,
      Stat subnetworkAccuracy,
      Stat removalDrop,
      double jaccardAcrossSeeds,
      double jaccardAcrossSubtasks,
      double jaccardAcrossMethods,
      String interval,
      String selection,
      String selectionRule,
      String gridPoint,
      List<String> runIds,
      String selectedPoints,
      Integer withinTolerance,
      String warning,
      String over,
      double jaccardAcrossModels,
      Long modelSeed)
      implements Serializable {}

  /** Per-run inputs: density per layer, and on the run's own subtask the three accuracies. */
  public record RunFigures(
      RunSpec spec,
      Map<String, Double> densityByLayer,
      double fullAccuracy,
      double subnetworkAccuracy,
      double removedAccuracy) {}

  /** One overlap row. */
  public record Pair(String runA, String runB, String layer, double jaccard) {}

  /**
   * Whether a pair of runs can count toward any Jaccard column of the summary: every kind it counts
   * (across seeds, subtasks, methods, base models) pairs runs of one subtask or of one mask seed. A
   * caller may leave every other pair out of {@link #compute}'s overlap without changing a value.
   */
  public static boolean mayCount(String subtaskA, long seedA, String subtaskB, long seedB) {
    return subtaskA.equals(subtaskB) || seedA == seedB;
  }

  /**
   * The table: grid rows, then selected rows ({@code tolerance}: relative, see Selection). {@code
   * overlap} is iterated twice, in the same order each time, and never held: it may stream from a
   * table; pairs the summary does not count ({@link #mayCount}) may be left out of it.
   */
  public static List<Row> compute(
      List<RunFigures> runs, Iterable<Pair> overlap, int resamples, long seed, double tolerance) {
    GridPoints points = GridPoints.ofSpecs(runs.stream().map(RunFigures::spec).toList());
    Map<String, RunFigures> byId = new LinkedHashMap<>();
    Map<String, List<RunFigures>> groups = new LinkedHashMap<>();
    for (RunFigures r : runs) {
      byId.put(r.spec().runId(), r);
      groups
          .computeIfAbsent(
              points.key(r.spec().runId()) + "|" + r.spec().subtask(), k -> new ArrayList<>())
          .add(r);
    }
    // Sort each group's runs by base model, so that rows come out per model seed in order.
    for (List<RunFigures> g : groups.values()) {
      g.sort(java.util.Comparator.comparingLong(r -> r.spec().modelSeed()));
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    String rule = Selection.rule(tolerance);
    Map<String, double[]> jac = jaccards(overlap, byId, points, null);
    for (Map.Entry<String, List<RunFigures>> g : groups.entrySet()) {
      List<RunFigures> members = g.getValue();
      RunSpec first = members.get(0).spec();
      Map<String, String> hp = new TreeMap<>(first.hyperparameterStrings());
      hp.keySet().retainAll(first.comparableHyperparameters().keySet());
      rows(
          out,
          members,
          first.method(),
          hp,
          g.getKey(),
          jac,
          GRID,
          rule,
          points.pointLabel(first.runId()),
          null,
          null,
          null,
          resamples,
          rng);
    }
    // The selected masks: one per (family, subtask, seed).
    List<Selection.Candidate> candidates = new ArrayList<>();
    for (RunFigures r : runs) {
      candidates.add(
          new Selection.Candidate(
              r.spec().runId(),
              points.family(r.spec().runId()),
              r.spec().subtask(),
              r.spec().seed(),
              r.densityByLayer().get("ALL"),
              r.subnetworkAccuracy(),
              r.fullAccuracy(),
              r.spec().modelSeed()));
    }
    Map<String, List<Selection.Choice>> chosen = new LinkedHashMap<>();
    List<Selection.Choice> choices =
        new ArrayList<>(Selection.select(candidates, tolerance).values());
    choices.sort(java.util.Comparator.comparingLong(c -> c.chosen().modelSeed()));
    for (Selection.Choice c : choices) {
      chosen
          .computeIfAbsent(c.chosen().family() + "|" + c.chosen().subtask(), k -> new ArrayList<>())
          .add(c);
    }
    Set<String> selectedIds = new TreeSet<>();
    chosen.values().forEach(cs -> cs.forEach(c -> selectedIds.add(c.chosen().runId())));
    Map<String, double[]> selJac = jaccards(overlap, byId, points, selectedIds);
    boolean severalModels = runs.stream().map(r -> r.spec().modelSeed()).distinct().count() > 1;
    for (Map.Entry<String, List<Selection.Choice>> g : chosen.entrySet()) {
      // Per base model, the selection's counts over that model's mask seeds only; then, with
      // several base models, the same counts over every base model's selected masks.
      Map<Long, List<Selection.Choice>> byModel = new TreeMap<>();
      for (Selection.Choice c : g.getValue()) {
        byModel.computeIfAbsent(c.chosen().modelSeed(), k -> new ArrayList<>()).add(c);
      }
      for (Map.Entry<Long, List<Selection.Choice>> m : byModel.entrySet()) {
        Selected s =
            selected(
                m.getValue(),
                byId,
                points,
                runs,
                tolerance,
                severalModels ? " [base model " + m.getKey() + "]" : "");
        rowsOverSeeds(
            out,
            s.members(),
            s.method(),
            s.hp(),
            g.getKey() + "|" + m.getKey(),
            selJac,
            SELECTED,
            rule,
            s.mostOften(),
            s.listed(),
            s.within(),
            s.warning(),
            resamples,
            rng,
            m.getKey());
      }
      if (byModel.size() > 1) {
        // The warnings are on the per-base-model rows, which name their base model.
        Selected s = selected(g.getValue(), byId, points, runs, tolerance, null);
        overModels(
            out,
            s.members(),
            s.method(),
            s.hp(),
            g.getKey(),
            selJac,
            SELECTED,
            rule,
            s.mostOften(),
            s.listed(),
            s.within(),
            null,
            resamples,
            rng);
      }
    }
    return out;
  }

  /** What a set of selected masks says about the selection. */
  private record Selected(
      List<RunFigures> members,
      String method,
      Map<String, String> hp,
      String mostOften,
      String listed,
      int within,
      String warning) {}

  /**
   * The selection's figures over {@code choices} (one per mask seed, of one or several base
   * models): the hyperparameters they agree on, how often each grid point was chosen, the most
   * often chosen, how many met the tolerance, and the warning ({@code warningSuffix} appended;
   * null: no warning).
   */
  private static Selected selected(
      List<Selection.Choice> choices,
      Map<String, RunFigures> byId,
      GridPoints points,
      List<RunFigures> runs,
      double tolerance,
      String warningSuffix) {
    List<RunFigures> members = choices.stream().map(c -> byId.get(c.chosen().runId())).toList();
    RunSpec first = members.get(0).spec();
    // The hyperparameters the selected masks agree on.
    Map<String, String> hp = new TreeMap<>(first.hyperparameterStrings());
    hp.keySet().retainAll(first.comparableHyperparameters().keySet());
    for (RunFigures m : members) {
      Map<String, String> other = m.spec().hyperparameterStrings();
      hp.entrySet().removeIf(e -> !e.getValue().equals(other.get(e.getKey())));
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (RunFigures m : members) {
      counts.merge(points.pointLabel(m.spec().runId()), 1, Integer::sum);
    }
    String mostOften =
        counts.entrySet().stream()
            .max(
                Map.Entry.<String, Integer>comparingByValue()
                    .thenComparing(
                        Map.Entry.comparingByKey(java.util.Comparator.<String>reverseOrder())))
            .orElseThrow()
            .getKey();
    StringBuilder listed = new StringBuilder();
    counts.forEach(
        (k, n) ->
            listed
                .append(listed.length() == 0 ? "" : ", ")
                .append(k.isEmpty() ? "(single grid point)" : k)
                .append(" x")
                .append(n));
    int within = (int) choices.stream().filter(Selection.Choice::withinTolerance).count();
    String warning = null;
    if (warningSuffix != null) {
      warning =
          warning(
              points.family(first.runId()),
              first.method(),
              first.subtask(),
              runs,
              points,
              members,
              mostOften,
              within,
              tolerance);
      warning = warning == null ? null : warning + warningSuffix;
    }
    return new Selected(members, first.method(), hp, mostOften, listed.toString(), within, warning);
  }

  /**
   * The rows of one group: per base model, statistics over its mask seeds; with more than one base
   * model, then statistics of the per-base-model means over base models.
   */
  private static void rows(
      List<Row> out,
      List<RunFigures> members,
      String method,
      Map<String, String> hp,
      String group,
      Map<String, double[]> jac,
      String selection,
      String rule,
      String gridPoint,
      String selectedPoints,
      Integer within,
      String warning,
      int resamples,
      SplittableRandom rng) {
    Map<Long, List<RunFigures>> byModel = byModel(members);
    for (Map.Entry<Long, List<RunFigures>> m : byModel.entrySet()) {
      rowsOverSeeds(
          out,
          m.getValue(),
          method,
          hp,
          group + "|" + m.getKey(),
          jac,
          selection,
          rule,
          gridPoint,
          selectedPoints,
          within,
          warning,
          resamples,
          rng,
          m.getKey());
    }
    if (byModel.size() > 1) {
      overModels(
          out,
          members,
          method,
          hp,
          group,
          jac,
          selection,
          rule,
          gridPoint,
          selectedPoints,
          within,
          warning,
          resamples,
          rng);
    }
  }

  /** {@code members} by base-model seed, in seed order. */
  private static Map<Long, List<RunFigures>> byModel(List<RunFigures> members) {
    Map<Long, List<RunFigures>> byModel = new TreeMap<>();
    for (RunFigures r : members) {
      byModel.computeIfAbsent(r.spec().modelSeed(), k -> new ArrayList<>()).add(r);
    }
    return byModel;
  }

  /** The rows over base models: statistics of the per-base-model means of {@code members}. */
  private static void overModels(
      List<Row> out,
      List<RunFigures> members,
      String method,
      Map<String, String> hp,
      String group,
      Map<String, double[]> jac,
      String selection,
      String rule,
      String gridPoint,
      String selectedPoints,
      Integer within,
      String warning,
      int resamples,
      SplittableRandom rng) {
    Map<Long, List<RunFigures>> byModel = byModel(members);
    RunSpec first = members.get(0).spec();
    List<String> ids = members.stream().map(r -> r.spec().runId()).toList();
    String interval = Intervals.methodFor(byModel.size());
    for (String layer : members.get(0).densityByLayer().keySet()) {
      boolean all = layer.equals("ALL");
      double[] density = modelMeans(byModel, r -> r.densityByLayer().get(layer));
      Stat sub =
          all ? stat(modelMeans(byModel, RunFigures::subnetworkAccuracy), resamples, rng) : null;
      Stat drop =
          all
              ? stat(
                  modelMeans(byModel, r -> r.fullAccuracy() - r.removedAccuracy()), resamples, rng)
              : null;
      String g = group + "|*|" + layer;
      out.add(
          new Row(
              method,
              hp,
              first.subtask(),
              layer,
              byModel.size(),
              stat(density, resamples, rng),
              sub,
              drop,
              mean(jac, g + "|seeds"),
              mean(jac, g + "|subtasks"),
              mean(jac, g + "|methods"),
              interval,
              selection,
              rule,
              gridPoint,
              ids,
              selectedPoints,
              within,
              all ? warning : null,
              OVER_MODELS,
              mean(jac, g + "|models"),
              null));
    }
  }

  /** Per base model, the mean of a quantity over its mask seeds. */
  private static double[] modelMeans(
      Map<Long, List<RunFigures>> byModel, java.util.function.ToDoubleFunction<RunFigures> f) {
    return byModel.values().stream()
        .mapToDouble(rs -> Bootstrap.mean(rs.stream().mapToDouble(f).toArray()))
        .toArray();
  }

  private static void rowsOverSeeds(
      List<Row> out,
      List<RunFigures> members,
      String method,
      Map<String, String> hp,
      String group,
      Map<String, double[]> jac,
      String selection,
      String rule,
      String gridPoint,
      String selectedPoints,
      Integer within,
      String warning,
      int resamples,
      SplittableRandom rng,
      long modelSeed) {
    RunSpec first = members.get(0).spec();
    List<String> ids = members.stream().map(r -> r.spec().runId()).toList();
    String interval = Intervals.methodFor(members.size());
    for (String layer : members.get(0).densityByLayer().keySet()) {
      double[] density = members.stream().mapToDouble(r -> r.densityByLayer().get(layer)).toArray();
      boolean all = layer.equals("ALL");
      Stat sub =
          all
              ? stat(
                  members.stream().mapToDouble(RunFigures::subnetworkAccuracy).toArray(),
                  resamples,
                  rng)
              : null;
      Stat drop =
          all
              ? stat(
                  members.stream()
                      .mapToDouble(r -> r.fullAccuracy() - r.removedAccuracy())
                      .toArray(),
                  resamples,
                  rng)
              : null;
      out.add(
          new Row(
              method,
              hp,
              first.subtask(),
              layer,
              members.size(),
              stat(density, resamples, rng),
              sub,
              drop,
              mean(jac, group + "|" + layer + "|seeds"),
              mean(jac, group + "|" + layer + "|subtasks"),
              mean(jac, group + "|" + layer + "|methods"),
              interval,
              selection,
              rule,
              gridPoint,
              ids,
              selectedPoints,
              within,
              all ? warning : null,
              OVER_SEEDS,
              mean(jac, group + "|" + layer + "|models"),
              modelSeed));
    }
  }

  /**
   * Jaccard sums per (group, layer, kind). With {@code selected} null, groups are grid points and
   * pairs count within one grid point (seeds, subtasks) or between families (methods); with a set
   * of selected runs, only pairs of selected runs count and groups are families.
   */
  private static Map<String, double[]> jaccards(
      Iterable<Pair> overlap,
      Map<String, RunFigures> byId,
      GridPoints points,
      Set<String> selected) {
    Map<String, double[]> jac = new TreeMap<>();
    for (Pair p : overlap) {
      RunFigures ra = byId.get(p.runA());
      RunFigures rb = byId.get(p.runB());
      if (ra == null
          || rb == null
          || selected != null && !(selected.contains(p.runA()) && selected.contains(p.runB()))) {
        continue;
      }
      RunSpec a = ra.spec();
      RunSpec b = rb.spec();
      String ga = selected == null ? points.key(a.runId()) : points.family(a.runId());
      String gb = selected == null ? points.key(b.runId()) : points.family(b.runId());
      boolean sameFamily = points.family(a.runId()).equals(points.family(b.runId()));
      // Pairs across seeds, subtasks and methods count only within one base model; pairs of
      // one group, subtask and mask seed on two base models are "models".
      boolean sameModel = a.modelSeed() == b.modelSeed();
      String kind =
          !sameModel
              ? (ga.equals(gb) && a.subtask().equals(b.subtask()) && a.seed() == b.seed()
                  ? "models"
                  : null)
              : ga.equals(gb)
                  ? (a.subtask().equals(b.subtask()) && a.seed() != b.seed()
                      ? "seeds"
                      : !a.subtask().equals(b.subtask()) && a.seed() == b.seed()
                          ? "subtasks"
                          : null)
                  : (!sameFamily && a.subtask().equals(b.subtask()) && a.seed() == b.seed()
                      ? "methods"
                      : null);
      if (kind == null) {
        continue;
      }
      String tail = "|" + p.layer() + "|" + kind;
      add(jac, ga + "|" + a.subtask() + "|" + a.modelSeed() + tail, p.jaccard());
      add(jac, gb + "|" + b.subtask() + "|" + b.modelSeed() + tail, p.jaccard());
      add(jac, ga + "|" + a.subtask() + "|*" + tail, p.jaccard());
      add(jac, gb + "|" + b.subtask() + "|*" + tail, p.jaccard());
    }
    return jac;
  }

  /**
   * The warning of a selected row, or null: no grid point within tolerance; the regulariser run at
   * one value only; or the most often selected point at the sparse end of the swept path.
   */
  static String warning(
      String family,
      String method,
      String subtask,
      List<RunFigures> runs,
      GridPoints points,
      List<RunFigures> selected,
      String mostOften,
      int within,
      double tolerance) {
    if (!family.equals(method)) {
      return null; // matched runs take their size from the reference mask
    }
    var reg = GridPoints.regulariser(method);
    String key = reg.map(r -> "masks." + method + "." + r.getKey()).orElse(null);
    if (within < selected.size()) {
      return String.format(
          java.util.Locale.ROOT,
          "%s on %s: no grid point within %s of the"
              + " full model's accuracy for %d of %d seeds (the most accurate was selected);"
              + " extend the path toward weaker regularisation%s",
          family,
          subtask,
          Selection.percent(tolerance),
          selected.size() - within,
          selected.size(),
          key == null ? "" : " (" + key + ")");
    }
    if (reg.isEmpty()) {
      return null;
    }
    String name = reg.get().getKey();
    int direction = reg.get().getValue();
    TreeSet<Double> values = new TreeSet<>();
    for (RunFigures r : runs) {
      if (points.family(r.spec().runId()).equals(family)
          && r.spec().hyperparameters().containsKey(name)) {
        values.add(r.spec().hyperparameters().get(name));
      }
    }
    if (values.size() == 1) {
      return String.format(
          java.util.Locale.ROOT,
          "%s on %s: only one value of %s was run (%s);"
              + " the default regularisation may be too weak for this model: sweep it, e.g. `%s ="
              + " auto`",
          family,
          subtask,
          key,
          RunSpecs.number(values.first()),
          key);
    }
    if (values.isEmpty()) {
      return null;
    }
    double sparseEnd = direction > 0 ? values.last() : values.first();
    long atEnd =
        selected.stream().filter(r -> r.spec().hyperparameters().get(name) == sparseEnd).count();
    if (atEnd * 2 > selected.size()) {
      return String.format(
          java.util.Locale.ROOT,
          "%s on %s: the selected %s=%s is the sparsest"
              + " end of the swept path (%d of %d seeds); the path may need extending (%s %s)",
          family,
          subtask,
          name,
          RunSpecs.number(sparseEnd),
          atEnd,
          selected.size(),
          direction > 0 ? "larger" : "smaller",
          key);
    }
    return null;
  }

  private static Stat stat(double[] x, int resamples, SplittableRandom rng) {
    Intervals.Interval ci = Intervals.mean(x, 0.95, resamples, rng);
    return new Stat(Bootstrap.mean(x), Bootstrap.std(x), ci.low(), ci.high());
  }

  private static void add(Map<String, double[]> acc, String key, double v) {
    double[] s = acc.computeIfAbsent(key, k -> new double[2]);
    s[0] += v;
    s[1] += 1;
  }

  private static double mean(Map<String, double[]> acc, String key) {
    double[] s = acc.get(key);
    return s == null ? Double.NaN : s[0] / s[1];
  }

  /** Formatting of hyperparameter values as the tables store them. */
  private static final class RunSpecs {
    static String number(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15
          ? Long.toString((long) v)
          : String.format(java.util.Locale.ROOT, "%s", v);
    }
  }
}
