package org.subnetlab.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Picks one mask per (method family, subtask, seed, model seed) from the grid points of a sweep:
 * the sparsest (lowest whole-model density) whose subnetwork accuracy on its own subtask is at
 * least (1 − tolerance) × the full model's accuracy on that subtask; when none is, the most
 * accurate. Candidates are all grid points of the family (not only those sharing the other
 * hyperparameters): the rule asks for the smallest subnetwork that still does the subtask, whatever
 * setting found it. Ties go to the more accurate, then the lower run id, so the choice is
 * deterministic.
 */
public final class Selection {
  private Selection() {}

  /** One finished run, as the selection sees it. */
  public record Candidate(
      String runId,
      String family,
      String subtask,
      long seed,
      double density,
      double subnetworkAccuracy,
      double fullAccuracy,
      long modelSeed) {

    /** A run on the base model of model seed 0. */
    public Candidate(
        String runId,
        String family,
        String subtask,
        long seed,
        double density,
        double subnetworkAccuracy,
        double fullAccuracy) {
      this(runId, family, subtask, seed, density, subnetworkAccuracy, fullAccuracy, 0);
    }

    /**
     * The group this run competes in: family, subtask, mask seed and base model (masks of two base
     * models never compete: each base model gets its own selected mask).
     */
    String group() {
      return family + "|" + subtask + "|" + seed + "|" + modelSeed;
    }

    boolean within(double tolerance) {
      return subnetworkAccuracy >= (1 - tolerance) * fullAccuracy;
    }
  }

  /** The chosen run of a group, whether it met the tolerance, and how many runs competed. */
  public record Choice(Candidate chosen, boolean withinTolerance, int candidates) {}

  /** The rule in words, as the {@code selection_rule} column states it. */
  public static String rule(double tolerance) {
    return String.format(
        Locale.ROOT,
        "sparsest with subnetwork accuracy >= (1 - %s) x full-model accuracy on its subtask"
            + " (else the most accurate)",
        trim(tolerance));
  }

  /** A short form of the rule for headings: "sparsest within 5% of full accuracy". */
  public static String shortRule(double tolerance) {
    return "sparsest within " + percent(tolerance) + " of full accuracy";
  }

  /** The tolerance as a percentage, "5%". */
  public static String percent(double tolerance) {
    return trim(tolerance * 100) + "%";
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.6f", v);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  /**
   * The choice of every (family, subtask, seed, model seed) group, in the order groups first
   * appear.
   */
  public static Map<String, Choice> select(List<Candidate> candidates, double tolerance) {
    Map<String, List<Candidate>> groups = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      groups.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c);
    }
    Comparator<Candidate> moreAccurate =
        Comparator.comparingDouble((Candidate c) -> -c.subnetworkAccuracy())
            .thenComparing(Candidate::runId);
    Comparator<Candidate> sparser =
        Comparator.comparingDouble(Candidate::density).thenComparing(moreAccurate);
    Map<String, Choice> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Candidate>> g : groups.entrySet()) {
      List<Candidate> ok = g.getValue().stream().filter(c -> c.within(tolerance)).toList();
      Candidate chosen =
          ok.isEmpty()
              ? g.getValue().stream().min(moreAccurate).orElseThrow()
              : ok.stream().min(sparser).orElseThrow();
      out.put(g.getKey(), new Choice(chosen, !ok.isEmpty(), g.getValue().size()));
    }
    return out;
  }
}
