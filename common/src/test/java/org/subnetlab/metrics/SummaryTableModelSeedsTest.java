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
 * The summary table of one grid point over 2 base models x 2 mask seeds: rows per base model over
 * mask seeds, a row over base models from the per-model means, and overlaps paired only within one
 * base model (across seeds) or across base models at one mask seed. Expected values by hand in the
 * comments.
 */
class SummaryTableModelSeedsTest {
  static final String CS = "continuous-sparsification";
  // model 0: densities 0.2, 0.4 (mean 0.3), accuracies 0.9, 0.8 (mean 0.85)
  // model 1: densities 0.6, 0.8 (mean 0.7), accuracies 0.7, 0.5 (mean 0.6)
  static final double[][] DENSITY = {{0.2, 0.4}, {0.6, 0.8}};
  static final double[][] ACC = {{0.9, 0.8}, {0.7, 0.5}};

  static RunSpec spec(int model, int seed) {
    return RunSpec.of(CS, "add", seed, 7, Map.of("lambda", 1e-3), "fp" + model, model, "fp0");
  }

  static SummaryTable.Pair pair(int ma, int sa, int mb, int sb, double j) {
    return new SummaryTable.Pair(spec(ma, sa).runId(), spec(mb, sb).runId(), "ALL", j);
  }

  static List<SummaryTable.Row> rows() {
    List<SummaryTable.RunFigures> runs = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      for (int s = 0; s < 2; s++) {
        Map<String, Double> d = new TreeMap<>(Map.of("ALL", DENSITY[m][s]));
        runs.add(new SummaryTable.RunFigures(spec(m, s), d, 1.0, ACC[m][s], 0.5));
      }
    }
    List<SummaryTable.Pair> pairs =
        List.of(
            pair(0, 0, 0, 1, 0.6),
            pair(1, 0, 1, 1, 0.4), // across mask seeds, one base model
            pair(0, 0, 1, 0, 0.1),
            pair(0, 1, 1, 1, 0.3), // across base models, one mask seed
            pair(0, 0, 1, 1, 0.9)); // other model and other seed: counts nowhere
    return SummaryTable.compute(runs, pairs, 1000, 1, 0.05).stream()
        .filter(r -> r.selection().equals(SummaryTable.GRID))
        .toList();
  }

  @Test
  void rowsPerBaseModelOverMaskSeedsKeepModelsApart() {
    List<SummaryTable.Row> rows = rows();
    assertThat(rows)
        .extracting(SummaryTable.Row::over)
        .containsExactly(
            SummaryTable.OVER_SEEDS, SummaryTable.OVER_SEEDS, SummaryTable.OVER_MODELS);
    SummaryTable.Row m0 = rows.get(0);
    SummaryTable.Row m1 = rows.get(1);
    assertThat(m0.modelSeed()).isEqualTo(0L);
    assertThat(m1.modelSeed()).isEqualTo(1L);
    assertThat(m0.seeds()).isEqualTo(2);
    assertThat(m0.density().mean()).isCloseTo(0.3, within(1e-12));
    assertThat(m1.density().mean()).isCloseTo(0.7, within(1e-12));
    // sample std of {0.2, 0.4} = sqrt(0.02) = 0.141421
    assertThat(m0.density().std()).isCloseTo(Math.sqrt(0.02), within(1e-9));
    assertThat(m1.subnetworkAccuracy().mean()).isCloseTo(0.6, within(1e-12));
    assertThat(m0.jaccardAcrossSeeds()).isCloseTo(0.6, within(1e-12));
    assertThat(m1.jaccardAcrossSeeds()).isCloseTo(0.4, within(1e-12));
    // model 0 meets model 1 at seed 0 (0.1) and seed 1 (0.3)
    assertThat(m0.jaccardAcrossModels()).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void rowOverBaseModelsIsTheSpreadOfThePerModelMeans() {
    SummaryTable.Row over = rows().get(2);
    assertThat(over.modelSeed()).isNull();
    assertThat(over.seeds()).isEqualTo(2);
    assertThat(over.runIds()).hasSize(4);
    assertThat(over.density().mean()).isCloseTo(0.5, within(1e-12));
    // sample std of the means {0.3, 0.7} = sqrt(0.08) = 0.282843, not the pooled
    // std of {0.2, 0.4, 0.6, 0.8} = 0.258199
    assertThat(over.density().std()).isCloseTo(Math.sqrt(0.08), within(1e-9));
    // means {0.85, 0.6}: mean 0.725, std sqrt(2 * 0.125^2) = 0.176777
    assertThat(over.subnetworkAccuracy().mean()).isCloseTo(0.725, within(1e-12));
    assertThat(over.subnetworkAccuracy().std())
        .isCloseTo(Math.sqrt(2 * 0.125 * 0.125), within(1e-9));
    assertThat(over.jaccardAcrossSeeds()).isCloseTo(0.5, within(1e-12));
    assertThat(over.jaccardAcrossModels()).isCloseTo(0.2, within(1e-12));
    assertThat(over.interval()).isEqualTo(Intervals.methodFor(2));
  }

  static RunSpec spec(int model, int seed, double lambda) {
    return RunSpec.of(CS, "add", seed, 7, Map.of("lambda", lambda), "fp" + model, model, "fp0");
  }

  /**
   * Two grid points (λ = 0.01 at density 0.1, λ = 0.001 at density 0.3), 2 base models x 2 mask
   * seeds, full accuracy 1.0, tolerance 5%. Subnetwork accuracy (λ = 0.01 / λ = 0.001): model 0
   * seed 0: 0.97 / 0.99 -> 0.01 (within); seed 1: 0.90 / 0.99 -> 0.001 (within); model 1 seed 0:
   * 0.97 / 0.99 -> 0.01 (within); seed 1: 0.50 / 0.80 -> 0.001 (none within: the most accurate).
   */
  @Test
  void selectedRowsCountTheirOwnBaseModelsMasks() {
    double[][][] acc = {{{0.97, 0.99}, {0.90, 0.99}}, {{0.97, 0.99}, {0.50, 0.80}}};
    List<SummaryTable.RunFigures> runs = new ArrayList<>();
    for (int m = 0; m < 2; m++) {
      for (int s = 0; s < 2; s++) {
        runs.add(
            new SummaryTable.RunFigures(
                spec(m, s, 0.01), new TreeMap<>(Map.of("ALL", 0.1)), 1.0, acc[m][s][0], 0.5));
        runs.add(
            new SummaryTable.RunFigures(
                spec(m, s, 0.001), new TreeMap<>(Map.of("ALL", 0.3)), 1.0, acc[m][s][1], 0.5));
      }
    }
    List<SummaryTable.Row> sel =
        SummaryTable.compute(runs, List.of(), 1000, 1, 0.05).stream()
            .filter(r -> r.selection().equals(SummaryTable.SELECTED))
            .toList();
    assertThat(sel).extracting(SummaryTable.Row::modelSeed).containsExactly(0L, 1L, null);
    SummaryTable.Row m0 = sel.get(0);
    SummaryTable.Row m1 = sel.get(1);
    SummaryTable.Row over = sel.get(2);
    assertThat(m0.selectedPoints()).isEqualTo("lambda=0.001 x1, lambda=0.01 x1");
    assertThat(m0.withinTolerance()).isEqualTo(2);
    assertThat(m0.gridPoint()).isEqualTo("lambda=0.001"); // tie: the lexically smaller
    assertThat(m0.seeds()).isEqualTo(2);
    assertThat(m0.runIds()).containsExactly(spec(0, 0, 0.01).runId(), spec(0, 1, 0.001).runId());
    assertThat(m0.density().mean()).isCloseTo(0.2, within(1e-12));
    assertThat(m0.warning()).isNull();
    assertThat(m1.selectedPoints()).isEqualTo("lambda=0.001 x1, lambda=0.01 x1");
    assertThat(m1.withinTolerance()).isEqualTo(1);
    assertThat(m1.warning()).contains("for 1 of 2 seeds").endsWith("[base model 1]");
    // over base models: all four selected masks; density over the model means {0.2, 0.2}
    assertThat(over.selectedPoints()).isEqualTo("lambda=0.001 x2, lambda=0.01 x2");
    assertThat(over.withinTolerance()).isEqualTo(3);
    assertThat(over.runIds()).hasSize(4);
    assertThat(over.seeds()).isEqualTo(2);
    assertThat(over.over()).isEqualTo(SummaryTable.OVER_MODELS);
    assertThat(over.warning()).isNull();
    // subnetwork accuracy: model 1 over its own two masks; over base models the mean of the
    // two base models' means
    assertThat(m1.subnetworkAccuracy().mean()).isCloseTo((0.97 + 0.80) / 2, within(1e-12));
    assertThat(over.subnetworkAccuracy().mean())
        .isCloseTo(((0.97 + 0.99) / 2 + (0.97 + 0.80) / 2) / 2, within(1e-12));
  }
}
