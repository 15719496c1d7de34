package org.subnetlab.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.subnetlab.sweep.RunSpec;

/**
 * The {@code summary} table: per (method, hyperparameters, subtask, layer), statistics over seeds
 * (matched-density runs, whose top-k differs per seed, are grouped without it) —
 * mean, std and 95% bootstrap interval of density, subnetwork accuracy and removal drop (the last two
 * on layer {@code ALL}, where they are defined) — and mean Jaccard overlaps across seeds (stability),
 * across subtasks at the same seed (modularity) and across methods for the same subtask and seed
 * (agreement between methods).
 */
public final class SummaryTable {
  private SummaryTable() {}

  /** Mean, std and interval of one quantity over seeds. */
  public record Stat(double mean, double std, double low, double high) implements Serializable {}

  /** One row of the table. */
  public record Row(
      String method, Map<String, String> hyperparameters, String subtask, String layer, int seeds,
      Stat density, Stat subnetworkAccuracy, Stat removalDrop, double jaccardAcrossSeeds,
      double jaccardAcrossSubtasks, double jaccardAcrossMethods)
      implements Serializable {}

  /** Per-run inputs: density per layer, and on the run's own subtask the three accuracies. */
  public record RunFigures(
      RunSpec spec, Map<String, Double> densityByLayer, double fullAccuracy,
      double subnetworkAccuracy, double removedAccuracy) {}

  /** One overlap row. */
  public record Pair(String runA, String runB, String layer, double jaccard) {}

  public static List<Row> compute(
      List<RunFigures> runs, List<Pair> overlap, int resamples, long seed) {
    Map<String, RunFigures> byId = new LinkedHashMap<>();
    Map<String, List<RunFigures>> groups = new LinkedHashMap<>();
    for (RunFigures r : runs) {
      byId.put(r.spec().runId(), r);
      groups.computeIfAbsent(groupOf(r.spec()), k -> new ArrayList<>()).add(r);
    }
    // Jaccard sums per (group, layer, kind).
    Map<String, double[]> jac = new TreeMap<>();
    for (Pair p : overlap) {
      RunSpec a = byId.get(p.runA()).spec();
      RunSpec b = byId.get(p.runB()).spec();
      String kind = a.method().equals(b.method())
          && a.comparableHyperparameters().equals(b.comparableHyperparameters())
          ? (a.subtask().equals(b.subtask()) && a.seed() != b.seed() ? "seeds"
              : !a.subtask().equals(b.subtask()) && a.seed() == b.seed() ? "subtasks" : null)
          : (!a.method().equals(b.method()) && a.subtask().equals(b.subtask())
              && a.seed() == b.seed() ? "methods" : null);
      if (kind == null) {
        continue;
      }
      add(jac, groupOf(a) + "|" + p.layer() + "|" + kind, p.jaccard());
      add(jac, groupOf(b) + "|" + p.layer() + "|" + kind, p.jaccard());
    }
    List<Row> out = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(seed);
    for (Map.Entry<String, List<RunFigures>> g : groups.entrySet()) {
      List<RunFigures> members = g.getValue();
      RunSpec first = members.get(0).spec();
      for (String layer : members.get(0).densityByLayer().keySet()) {
        double[] density = members.stream().mapToDouble(r -> r.densityByLayer().get(layer)).toArray();
        boolean all = layer.equals("ALL");
        Stat sub = all ? stat(members.stream().mapToDouble(RunFigures::subnetworkAccuracy)
            .toArray(), resamples, rng) : null;
        Stat drop = all ? stat(members.stream()
            .mapToDouble(r -> r.fullAccuracy() - r.removedAccuracy()).toArray(), resamples, rng)
            : null;
        Map<String, String> hp = new TreeMap<>(first.hyperparameterStrings());
        hp.keySet().retainAll(first.comparableHyperparameters().keySet());
        out.add(new Row(first.method(), hp, first.subtask(), layer,
            members.size(), stat(density, resamples, rng), sub, drop,
            mean(jac, g.getKey() + "|" + layer + "|seeds"),
            mean(jac, g.getKey() + "|" + layer + "|subtasks"),
            mean(jac, g.getKey() + "|" + layer + "|methods")));
      }
    }
    return out;
  }

  private static String groupOf(RunSpec s) {
    return s.method() + "|" + s.comparableHyperparameters() + "|" + s.subtask();
  }

  private static Stat stat(double[] x, int resamples, SplittableRandom rng) {
    Bootstrap.Interval ci = Bootstrap.meanInterval(x, 0.95, resamples, rng);
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
}
