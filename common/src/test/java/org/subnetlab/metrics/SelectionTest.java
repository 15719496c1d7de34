package org.subnetlab.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.subnetlab.metrics.Selection.Candidate;

/** The selection rule on hand-made runs, each choice worked out by hand in the comments. */
class SelectionTest {
  static Candidate run(String id, String family, long seed, double density, double acc) {
    return new Candidate(id, family, "add", seed, density, acc, 0.98);
  }

  static final List<Candidate> RUNS =
      List.of(
          // seed 0: threshold 0.95 × 0.98 = 0.931; a (0.99) and b (0.94) qualify, c (0.90) does
          // not;
          // the sparsest qualifying one is b (density 0.10), although c is sparser.
          run("a0", "csordas", 0, 0.50, 0.99),
          run("b0", "csordas", 0, 0.10, 0.94),
          run("c0", "csordas", 0, 0.05, 0.90),
          // seed 1: none reaches 0.931; the most accurate, e1 (0.92), is chosen.
          run("d1", "csordas", 1, 0.30, 0.80),
          run("e1", "csordas", 1, 0.60, 0.92),
          // another family competes on its own: one run, chosen although it is denser than b0.
          run("f0", "lt-sft (matched)", 0, 0.40, 0.97));

  @Test
  void picksTheSparsestWithinToleranceElseTheMostAccurate() {
    Map<String, Selection.Choice> c = Selection.select(RUNS, 0.05);
    assertThat(c).hasSize(3);
    assertThat(c.get("csordas|add|0|0").chosen().runId()).isEqualTo("b0");
    assertThat(c.get("csordas|add|0|0").withinTolerance()).isTrue();
    assertThat(c.get("csordas|add|0|0").candidates()).isEqualTo(3);
    assertThat(c.get("csordas|add|1|0").chosen().runId()).isEqualTo("e1");
    assertThat(c.get("csordas|add|1|0").withinTolerance()).isFalse();
    assertThat(c.get("lt-sft (matched)|add|0|0").chosen().runId()).isEqualTo("f0");
  }

  @Test
  void aLooserToleranceSelectsASparserMask() {
    // Tolerance 0.1: threshold 0.9 × 0.98 = 0.882, so c0 (0.90, density 0.05) and, at seed 1,
    // e1 (0.92) qualify; d1 (0.80) still does not.
    Map<String, Selection.Choice> c = Selection.select(RUNS, 0.1);
    assertThat(c.get("csordas|add|0|0").chosen().runId()).isEqualTo("c0");
    assertThat(c.get("csordas|add|1|0").chosen().runId()).isEqualTo("e1");
    assertThat(c.get("csordas|add|1|0").withinTolerance()).isTrue();
  }

  @Test
  void tiesGoToTheMoreAccurateThenTheLowerRunId() {
    List<Candidate> tied =
        List.of(
            run("z", "csordas", 0, 0.1, 0.95),
            run("y", "csordas", 0, 0.1, 0.97),
            run("x", "csordas", 0, 0.1, 0.97));
    assertThat(Selection.select(tied, 0.05).get("csordas|add|0|0").chosen().runId()).isEqualTo("x");
  }

  @Test
  void statesTheRuleWithItsTolerance() {
    assertThat(Selection.shortRule(0.05)).isEqualTo("sparsest within 5% of full accuracy");
    assertThat(Selection.rule(0.05))
        .isEqualTo(
            "sparsest with subnetwork accuracy >= (1 - 0.05)"
                + " x full-model accuracy on its subtask (else the most accurate)");
  }

  @Test
  void masksOfTwoBaseModelsNeverCompete() {
    // Same family, subtask and seed on model seeds 0 and 1: each base model keeps its own choice,
    // although model 1's run (density 0.05, accuracy 0.97) would beat model 0's (0.50, 0.99).
    List<Candidate> runs =
        List.of(
            new Candidate("m0", "csordas", "add", 0, 0.50, 0.99, 0.98, 0),
            new Candidate("m1", "csordas", "add", 0, 0.05, 0.97, 0.98, 1));
    Map<String, Selection.Choice> c = Selection.select(runs, 0.05);
    assertThat(c).hasSize(2);
    assertThat(c.get("csordas|add|0|0").chosen().runId()).isEqualTo("m0");
    assertThat(c.get("csordas|add|0|1").chosen().runId()).isEqualTo("m1");
  }
}
