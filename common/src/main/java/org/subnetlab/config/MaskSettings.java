package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subnetlab.config.Keys.Range;

/**
 * Settings of the mask sweep: methods, subtasks, seeds, and per method the list of values of each
 * hyperparameter (the sweep is their cartesian product).
 */
public final class MaskSettings {
  /** Hyperparameters of each method with their allowed ranges, in reference.conf order. */
  public static final Map<String, Map<String, Range>> METHOD_KEYS = methodKeys();

  /**
   * The regularisation path that {@code masks.<method>.<key> = auto} stands for, per method and
   * key (documented in reference.conf and docs/methods.md): geometric, from the dense end to well
   * past the point where subnetworks lose accuracy, so that the selection of the sparsest mask
   * within tolerance has both sides of the trade-off to choose from.
   * <ul>
   *   <li>csordas alpha: 1e-4 × 10^(k/2), k = 0 … 6 (1e-4 … 0.1 by factors of √10: from the
   *   reference code's weight, tuned for 20000-step runs on 800–2000-unit networks and nearly dense
   *   in 1500 steps on the demo MLP, to past the collapse of its subnetworks);
   *   <li>continuous-sparsification lambda: 5e-5 × 10^(k/2), k = −1 … 4 (default/√10 to
   *   default × 100 by factors of √10);
   *   <li>lt-sft and magnitude top-k: fractions 10^(−k/2), k = 1 … 6 (0.316 … 0.001);
   *   <li>lottery-ticket rounds: 1 … 6 (at p = 0.5, hidden-layer densities 0.5 … 0.016).
   * </ul>
   */
  public static final Map<String, Map<String, List<Double>>> AUTO_PATHS = autoPaths();

  private final List<String> methods;
  private final List<String> subtasks;
  private final List<Long> seeds;
  private final Map<String, Map<String, List<Double>>> grids = new LinkedHashMap<>();
  private final String matchedReference;
  private final List<String> matchedMethods;

  /** Methods that take a top-k, and so can be run at a matched density. */
  public static final List<String> TOP_K_METHODS = List.of("lt-sft", "magnitude");

  MaskSettings(Config c) {
    this.methods =
        Keys.stringsFrom(c, "masks.methods", List.copyOf(METHOD_KEYS.keySet()), true);
    this.subtasks = Keys.stringsFrom(c, "masks.subtasks", null, false);
    this.seeds = Keys.longsIn(c, "masks.seeds", 0, Integer.MAX_VALUE, true);
    for (Map.Entry<String, Map<String, Range>> m : METHOD_KEYS.entrySet()) {
      Map<String, List<Double>> grid = new LinkedHashMap<>();
      for (Map.Entry<String, Range> k : m.getValue().entrySet()) {
        String path = "masks." + m.getKey() + "." + k.getKey();
        List<Double> auto = AUTO_PATHS.getOrDefault(m.getKey(), Map.of()).get(k.getKey());
        grid.put(k.getKey(), Keys.sweepValues(c, path, k.getValue(), auto));
      }
      grids.put(m.getKey(), grid);
    }
    checkCrossKeys(c);
    this.matchedMethods =
        Keys.stringsFrom(c, "masks.matched-density.methods", TOP_K_METHODS, false);
    String ref = c.getString("masks.matched-density.reference");
    if (!ref.isEmpty() && !methods.contains(ref)) {
      throw Keys.bad(c, "masks.matched-density.reference",
          "must be \"\" (off) or one of masks.methods " + methods);
    }
    if (!ref.isEmpty() && matchedMethods.isEmpty()) {
      throw Keys.bad(c, "masks.matched-density.methods",
          "must name at least one method when masks.matched-density.reference is set");
    }
    this.matchedReference = ref;
  }

  /** The method whose densities the matched runs take; empty when the comparison is off. */
  public String matchedReference() {
    return matchedReference;
  }

  public List<String> matchedMethods() {
    return matchedMethods;
  }

  private void checkTopK(Config c) {
    for (Map.Entry<String, Map<String, List<Double>>> m : grids.entrySet()) {
      List<Double> ks = m.getValue().get("top-k");
      if (ks == null) {
        continue;
      }
      for (double k : ks) {
        if (k >= 1 && k != Math.rint(k)) {
          throw Keys.bad(c, "masks." + m.getKey() + ".top-k",
              "must be a fraction in (0, 1) or a whole count >= 1");
        }
      }
    }
  }

  private void checkCrossKeys(Config c) {
    checkTopK(c);
    Map<String, List<Double>> cs = grids.get("csordas");
    double minBatch = cs.get("batch-size").stream().mapToDouble(d -> d).min().orElseThrow();
    double maxMasks = cs.get("masks-per-batch").stream().mapToDouble(d -> d).max().orElseThrow();
    if (maxMasks > minBatch) {
      throw Keys.bad(
          c, "masks.csordas.masks-per-batch",
          "must be at most masks.csordas.batch-size (" + (long) minBatch + ")");
    }
    Map<String, List<Double>> sp = grids.get("continuous-sparsification");
    double maxStart = sp.get("beta-start").stream().mapToDouble(d -> d).max().orElseThrow();
    double minEnd = sp.get("beta-end").stream().mapToDouble(d -> d).min().orElseThrow();
    if (minEnd < maxStart) {
      throw Keys.bad(
          c, "masks.continuous-sparsification.beta-end",
          "must be at least masks.continuous-sparsification.beta-start (" + maxStart + ")");
    }
  }

  private static Map<String, Map<String, List<Double>>> autoPaths() {
    Map<String, Map<String, List<Double>>> all = new LinkedHashMap<>();
    all.put("csordas", Map.of("alpha", halfDecades(1e-4, 0, 6)));
    all.put("continuous-sparsification", Map.of("lambda", halfDecades(5e-5, -1, 4)));
    List<Double> fractions = halfDecades(1.0, -6, -1);
    java.util.Collections.reverse(fractions);
    all.put("lt-sft", Map.of("top-k", List.copyOf(fractions)));
    all.put("magnitude", Map.of("top-k", List.copyOf(fractions)));
    all.put("lottery-ticket", Map.of("rounds", List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0)));
    return all;
  }

  /**
   * centre × 10^(k/2) for k = from … to, rounded to 3 significant digits (the values a user would
   * write, so that {@code auto} and its list written out give the same run ids).
   */
  static List<Double> halfDecades(double centre, int from, int to) {
    List<Double> out = new ArrayList<>();
    for (int k = from; k <= to; k++) {
      double v = centre * Math.pow(10, k / 2.0);
      out.add(Double.parseDouble(String.format(java.util.Locale.ROOT, "%.3g", v)));
    }
    return out;
  }

  private static Map<String, Map<String, Range>> methodKeys() {
    Map<String, Map<String, Range>> all = new LinkedHashMap<>();
    Map<String, Range> cs = new LinkedHashMap<>();
    common(cs);
    cs.put("alpha", Range.real(0, false, 1));
    cs.put("tau", Range.real(0, true, 100));
    cs.put("logit-init", Range.real(-20, false, 20));
    cs.put("masks-per-batch", Range.integer(1, 64));
    cs.put("mask-biases", Range.integer(0, 1));
    all.put("csordas", cs);
    Map<String, Range> sp = new LinkedHashMap<>();
    common(sp);
    sp.put("lambda", Range.real(0, false, 1));
    sp.put("beta-start", Range.real(0, true, 10_000));
    sp.put("beta-end", Range.real(0, true, 10_000));
    sp.put("mask-init", Range.real(-20, false, 20));
    sp.put("mask-biases", Range.integer(0, 1));
    all.put("continuous-sparsification", sp);
    Map<String, Range> lt = new LinkedHashMap<>();
    common(lt);
    lt.put("sparse-steps", Range.integer(1, 10_000_000));
    lt.put("top-k", Range.real(0, true, 1e9));
    lt.put("per-layer", Range.integer(0, 1));
    lt.put("from-initial", Range.integer(0, 1));
    lt.put("mask-biases", Range.integer(0, 1));
    all.put("lt-sft", lt);
    Map<String, Range> mag = new LinkedHashMap<>();
    mag.put("top-k", Range.real(0, true, 1e9));
    mag.put("per-layer", Range.integer(0, 1));
    mag.put("mask-biases", Range.integer(0, 1));
    all.put("magnitude", mag);
    Map<String, Range> lth = new LinkedHashMap<>();
    common(lth);
    lth.put("rounds", Range.integer(1, 100));
    lth.put("prune-fraction", Range.real(0, true, 0.99));
    lth.put("output-prune-ratio", Range.real(0, false, 1));
    lth.put("mask-biases", Range.integer(0, 1));
    all.put("lottery-ticket", lth);
    return all;
  }

  private static void common(Map<String, Range> keys) {
    keys.put("steps", Range.integer(1, 10_000_000));
    keys.put("batch-size", Range.integer(1, 65_536));
    keys.put("learning-rate", Range.real(0, true, 10));
  }

  public List<String> methods() {
    return methods;
  }

  /** Subtasks named in the config; empty means every subtask of the task. */
  public List<String> subtasks() {
    return subtasks;
  }

  public List<Long> seeds() {
    return seeds;
  }

  /** Per hyperparameter of {@code method}, its list of values. */
  public Map<String, List<Double>> grid(String method) {
    return grids.get(method);
  }

  /** Every combination of {@code method}'s hyperparameter values, as key → value. */
  public List<Map<String, Double>> gridPoints(String method) {
    List<Map<String, Double>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<Double>> k : grid(method).entrySet()) {
      List<Map<String, Double>> next = new ArrayList<>();
      for (Map<String, Double> p : points) {
        for (double v : k.getValue()) {
          Map<String, Double> q = new LinkedHashMap<>(p);
          q.put(k.getKey(), v);
          next.add(q);
        }
      }
      points = next;
    }
    return points;
  }
}
