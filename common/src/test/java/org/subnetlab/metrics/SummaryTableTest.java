package org.subnetlab.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.subnetlab.sweep.RunSpec;

/**
 * The summary table of a hand-made sweep over two λ of continuous sparsification, three seeds: grid
 * points stay apart, the selected masks and their warning follow the rule, and intervals are
 * Student-t. Every expected number is worked out by hand in the comments.
 */
class SummaryTableTest {
  static final String CS = "continuous-sparsification";
  // λ = 1e-4: densities 0.30, 0.32, 0.34, accuracies 0.99, 0.98, 0.97;
  // λ = 1e-3: densities 0.05, 0.07, 0.06, accuracies 0.96, 0.90, 0.97; full accuracy 1.0.
  static final double[][] DENSITY = {{0.30, 0.32, 0.34}, {0.05, 0.07, 0.06}};
  static final double[][] ACC = {{0.99, 0.98, 0.97}, {0.96, 0.90, 0.97}};
  static final double[] LAMBDA = {1e-4, 1e-3};

  static RunSpec spec(int l, int seed) {
    return RunSpec.of(CS, "add", seed, 7, Map.of("lambda", LAMBDA[l], "steps", 100.0), "fp");
  }

  static List<SummaryTable.RunFigures> figures(int lambdas) {
    List<SummaryTable.RunFigures> out = new ArrayList<>();
    for (int l = 0; l < lambdas; l++) {
      for (int s = 0; s < 3; s++) {
        Map<String, Double> d = new TreeMap<>(Map.of("ALL", DENSITY[l][s], "0_W", DENSITY[l][s]));
        out.add(new SummaryTable.RunFigures(spec(l, s), d, 1.0, ACC[l][s], 0.2 + 0.3 * l));
      }
    }
    return out;
  }

  static SummaryTable.Pair pair(int la, int sa, int lb, int sb, double j) {
    return new SummaryTable.Pair(spec(la, sa).runId(), spec(lb, sb).runId(), "ALL", j);
  }

  static final List<SummaryTable.Pair> PAIRS =
      List.of(
          pair(0, 0, 0, 1, 0.6),
          pair(0, 0, 0, 2, 0.5),
          pair(0, 1, 0, 2, 0.4),
          pair(1, 0, 1, 1, 0.7),
          pair(1, 0, 1, 2, 0.2),
          pair(1, 1, 1, 2, 0.8),
          // across λ: same seed, or the selected masks of two seeds
          pair(0, 0, 1, 0, 0.9),
          pair(1, 0, 0, 1, 0.3),
          pair(0, 1, 1, 2, 0.1));

  static SummaryTable.Row row(List<SummaryTable.Row> rows, String selection, String point) {
    return rows.stream()
        .filter(
            r ->
                r.selection().equals(selection)
                    && r.layer().equals("ALL")
                    && r.gridPoint().equals(point))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void gridPointsStayApartWithStudentTIntervals() {
    List<SummaryTable.Row> rows = SummaryTable.compute(figures(2), PAIRS, 1000, 1, 0.05);
    // 2 grid rows + 1 selected row, each on layers ALL and 0_W.
    assertThat(rows).hasSize(6);
    SummaryTable.Row weak = row(rows, "grid", "lambda=1.0E-4");
    assertThat(weak.seeds()).isEqualTo(3);
    assertThat(weak.hyperparameters()).containsEntry("lambda", "1.0E-4");
    assertThat(weak.density().mean()).isCloseTo(0.32, within(1e-12));
    assertThat(weak.density().std()).isCloseTo(0.02, within(1e-12));
    double half = 4.302652730 * 0.02 / Math.sqrt(3);
    assertThat(weak.density().low()).isCloseTo(0.32 - half, within(1e-8));
    assertThat(weak.density().high()).isCloseTo(0.32 + half, within(1e-8));
    assertThat(weak.interval()).isEqualTo("student-t");
    assertThat(weak.removalDrop().mean()).isCloseTo(0.8, within(1e-12));
    // Across seeds only pairs of the same λ: (0.6 + 0.5 + 0.4) / 3; the cross-λ pairs are out.
    assertThat(weak.jaccardAcrossSeeds()).isCloseTo(0.5, within(1e-12));
    SummaryTable.Row strong = row(rows, "grid", "lambda=0.001");
    assertThat(strong.density().mean()).isCloseTo(0.06, within(1e-12));
    assertThat(strong.subnetworkAccuracy().mean())
        .isCloseTo((0.96 + 0.90 + 0.97) / 3, within(1e-12));
    assertThat(strong.jaccardAcrossSeeds()).isCloseTo((0.7 + 0.2 + 0.8) / 3, within(1e-12));
    assertThat(Double.isNaN(strong.jaccardAcrossMethods())).isTrue();
  }

  @Test
  void selectedRowsPoolTheChosenMaskOfEachSeed() {
    List<SummaryTable.Row> rows = SummaryTable.compute(figures(2), PAIRS, 1000, 1, 0.05);
    // Threshold 0.95: seed 0 → λ=1e-3 (0.05, 0.96 qualifies); seed 1 → λ=1e-4 (λ=1e-3 has 0.90);
    // seed 2 → λ=1e-3 (0.06, 0.97).
    SummaryTable.Row sel = row(rows, "selected", "lambda=0.001");
    assertThat(sel.runIds())
        .containsExactlyInAnyOrder(spec(1, 0).runId(), spec(0, 1).runId(), spec(1, 2).runId());
    assertThat(sel.seeds()).isEqualTo(3);
    assertThat(sel.withinTolerance()).isEqualTo(3);
    assertThat(sel.selectedPoints()).isEqualTo("lambda=0.001 x2, lambda=1.0E-4 x1");
    assertThat(sel.density().mean()).isCloseTo((0.05 + 0.32 + 0.06) / 3, within(1e-12));
    assertThat(sel.subnetworkAccuracy().mean()).isCloseTo((0.96 + 0.98 + 0.97) / 3, within(1e-12));
    // The selected masks disagree on λ, so the row keeps only what they share.
    assertThat(sel.hyperparameters()).containsOnlyKeys("steps");
    // Among the selected masks: (0.3 + 0.2 + 0.1) / 3.
    assertThat(sel.jaccardAcrossSeeds()).isCloseTo(0.2, within(1e-12));
    assertThat(sel.selectionRule()).startsWith("sparsest with subnetwork accuracy >= (1 - 0.05)");
    // λ = 1e-3 is the strongest swept value: the path may need extending.
    assertThat(sel.warning())
        .contains("sparsest end of the swept path (2 of 3 seeds)")
        .contains("larger masks.continuous-sparsification.lambda");
  }

  @Test
  void warnsWhenOnlyOneRegulariserValueWasRun() {
    List<SummaryTable.Row> rows = SummaryTable.compute(figures(1), List.of(), 1000, 1, 0.05);
    SummaryTable.Row sel = row(rows, "selected", "");
    assertThat(sel.warning())
        .isEqualTo(
            "continuous-sparsification on add: only one value of"
                + " masks.continuous-sparsification.lambda was run (1.0E-4); the default regularisation"
                + " may be too weak for this model: sweep it, e.g."
                + " `masks.continuous-sparsification.lambda = auto`");
  }

  @Test
  void warnsWhenNoGridPointIsWithinTolerance() {
    // Tolerance 0: only an accuracy of 1.0 qualifies, which no run has.
    List<SummaryTable.Row> rows = SummaryTable.compute(figures(2), PAIRS, 1000, 1, 0.0);
    SummaryTable.Row sel =
        rows.stream()
            .filter(r -> r.selection().equals("selected") && r.layer().equals("ALL"))
            .findFirst()
            .orElseThrow();
    // Each seed falls back to its most accurate mask; all three seeds miss the tolerance.
    assertThat(sel.withinTolerance()).isZero();
    assertThat(sel.warning())
        .contains("no grid point within 0% of the full model's accuracy for" + " 3 of 3 seeds");
  }
}
