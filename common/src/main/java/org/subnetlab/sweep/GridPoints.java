package org.subnetlab.sweep;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.subnetlab.mask.MaskMethods;

/**
 * The one place that says which runs of a sweep belong together: a run's <em>grid point</em> is its
 * method family (the method, or "method (matched)" for matched-density reruns) and the
 * hyperparameters that shape it (for matched runs without their top-k, which each run takes from
 * its own reference mask). Runs of one grid point differ only in subtask and seed, so statistics
 * over seeds and overlaps "across seeds / subtasks" pool only runs of one grid point.
 *
 * <p>The {@linkplain #label label} of a grid point names the family and the hyperparameters that
 * differ between the grid points of that family within the sweep ({@code "csordas alpha=0.0005"});
 * a family with one grid point is labelled by its name alone. Every table, figure and console
 * summary keys its groups by {@link #key} and shows {@link #label}.
 *
 * <p>A further dimension that separates runs (e.g. the base-model seed) is one more entry in {@link
 * #coordinates}: it then enters keys and, where it differs, labels.
 */
public final class GridPoints {
  /** One run as the result tables describe it: id, method and hyperparameters as strings. */
  public record Run(String runId, String method, Map<String, String> hyperparameters) {
    public Run {
      hyperparameters = new TreeMap<>(hyperparameters);
    }

    /** A run of a sweep, with its hyperparameters formatted as the tables store them. */
    public static Run of(RunSpec spec) {
      return new Run(spec.runId(), spec.method(), spec.hyperparameterStrings());
    }
  }

  private final Map<String, String> keyOfRun = new LinkedHashMap<>();
  private final Map<String, String> labelOfKey = new LinkedHashMap<>();
  private final Map<String, String> familyOfKey = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> differingOfKey = new LinkedHashMap<>();
  private final Map<String, Integer> pointsOfFamily = new TreeMap<>();

  private GridPoints(Collection<Run> runs) {
    Map<String, Map<String, Set<String>>> valuesByFamily = new TreeMap<>();
    Map<String, Map<String, String>> coordsOfKey = new LinkedHashMap<>();
    for (Run r : runs) {
      String family = family(r.method(), r.hyperparameters());
      Map<String, String> coords = coordinates(r);
      String key = joinKey(family, coords);
      keyOfRun.put(r.runId(), key);
      coordsOfKey.put(key, coords);
      familyOfKey.put(key, family);
      Map<String, Set<String>> values =
          valuesByFamily.computeIfAbsent(family, f -> new TreeMap<>());
      coords.forEach((k, v) -> values.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
    }
    for (Map.Entry<String, Map<String, String>> e : coordsOfKey.entrySet()) {
      String family = familyOfKey.get(e.getKey());
      Map<String, Set<String>> values = valuesByFamily.get(family);
      Map<String, String> differing = new TreeMap<>();
      // A key that some grid points of the family lack also differs ("–" where absent).
      for (String k : values.keySet()) {
        boolean everywhere =
            coordsOfKey.entrySet().stream()
                .filter(o -> familyOfKey.get(o.getKey()).equals(family))
                .allMatch(o -> o.getValue().containsKey(k));
        if (values.get(k).size() > 1 || !everywhere) {
          differing.put(k, e.getValue().getOrDefault(k, "–"));
        }
      }
      differingOfKey.put(e.getKey(), differing);
      StringBuilder label = new StringBuilder(family);
      differing.forEach((k, v) -> label.append(' ').append(k).append('=').append(v));
      labelOfKey.put(e.getKey(), label.toString());
      pointsOfFamily.merge(family, 1, Integer::sum);
    }
  }

  /** The grid points of these runs (typically every run of one output directory). */
  public static GridPoints of(Collection<Run> runs) {
    return new GridPoints(runs);
  }

  /** The grid points of a sweep's runs. */
  public static GridPoints ofSpecs(Collection<RunSpec> runs) {
    return new GridPoints(runs.stream().map(Run::of).toList());
  }

  /**
   * The coordinates that separate runs into grid points, beyond the method family: the comparable
   * hyperparameters (without the {@code matched} flag, which the family carries, and without a
   * matched run's top-k). Add a dimension here to separate runs by it everywhere.
   */
  static Map<String, String> coordinates(Run r) {
    Map<String, String> c = new TreeMap<>(r.hyperparameters());
    c.remove(RunSpec.MATCHED_KEY);
    if (matched(r.hyperparameters())) {
      c.remove("top-k");
    }
    return c;
  }

  /**
   * "method", or "method (matched)" for a matched-density rerun: the one definition of the label,
   * which the summary, the report and the tables' readers all take from here.
   */
  public static String family(String method, Map<String, String> hyperparameters) {
    return method + (matched(hyperparameters) ? MATCHED_SUFFIX : "");
  }

  /** What {@link #family} appends to the method of a matched-density rerun. */
  public static final String MATCHED_SUFFIX = " (matched)";

  /**
   * Whether a table row's hyperparameters (as the {@code hyperparameters} column holds them) are
   * those of a matched-density rerun: {@link RunSpec#MATCHED_KEY} recorded as "1".
   */
  public static boolean matched(Map<String, String> hyperparameters) {
    return "1".equals(hyperparameters.get(RunSpec.MATCHED_KEY));
  }

  private static String joinKey(String family, Map<String, String> coords) {
    return family + "|" + coords;
  }

  /** The grid-point key of a run; equal keys mean the runs may be pooled over seeds. */
  public String key(String runId) {
    return Objects.requireNonNull(keyOfRun.get(runId), () -> "unknown run " + runId);
  }

  /** The grid-point key of a table row's method and hyperparameters. */
  public static String key(String method, Map<String, String> hyperparameters) {
    Run r = new Run("", method, hyperparameters);
    return joinKey(family(method, hyperparameters), coordinates(r));
  }

  /** The label of a run's grid point, e.g. {@code "csordas alpha=0.0005"}. */
  public String label(String runId) {
    return labelOfKey.get(key(runId));
  }

  /**
   * The label of the grid point of a table row's method and hyperparameters; the family's name when
   * the point is not one of these runs'.
   */
  public String label(String method, Map<String, String> hyperparameters) {
    return labelOfKey.getOrDefault(key(method, hyperparameters), family(method, hyperparameters));
  }

  /** The family (method, or "method (matched)") of a run. */
  public String family(String runId) {
    return familyOfKey.get(key(runId));
  }

  /** The hyperparameters of a run's grid point that differ within its family, sorted by name. */
  public Map<String, String> differing(String runId) {
    return differingOfKey.get(key(runId));
  }

  /** The differing hyperparameters as text, {@code "alpha=0.0005"}; empty for a lone point. */
  public String pointLabel(String runId) {
    StringBuilder sb = new StringBuilder();
    differing(runId)
        .forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return sb.toString();
  }

  /** How many grid points the family of a run has in these runs. */
  public int pointsInFamily(String family) {
    return pointsOfFamily.getOrDefault(family, 0);
  }

  /** Every grid-point label, sorted. */
  public List<String> labels() {
    return labelOfKey.values().stream().distinct().sorted().toList();
  }

  /**
   * The hyperparameter that sets a method's sparsity (its regulariser), if it has one, and the
   * direction in which the mask gets sparser: +1 when a larger value gives a sparser mask (α, λ,
   * pruning rounds), −1 when a smaller one does (top-k): the method's declared regulariser.
   */
  public static Optional<Map.Entry<String, Integer>> regulariser(String method) {
    if (!MaskMethods.ids().contains(method)) {
      return Optional.empty();
    }
    return MaskMethods.declaration(method)
        .regulariser()
        .map(p -> Map.entry(p.name(), p.sparserWhenLarger()));
  }
}
