package org.subnetlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Grid-point keys and labels of a hand-made sweep. */
class GridPointsTest {
  static GridPoints.Run run(String id, String method, Map<String, String> hp) {
    return new GridPoints.Run(id, method, hp);
  }

  static final GridPoints POINTS =
      GridPoints.of(
          List.of(
              run("c1", "csordas", Map.of("alpha", "0.0001", "tau", "1", "steps", "100")),
              run("c2", "csordas", Map.of("alpha", "0.0001", "tau", "1", "steps", "100")),
              run("c3", "csordas", Map.of("alpha", "0.001", "tau", "1", "steps", "100")),
              run("s1", "continuous-sparsification", Map.of("lambda", "1.0E-4", "steps", "100")),
              // matched reruns: top-k differs per seed (from each reference mask), yet one grid
              // point
              run("m1", "lt-sft", Map.of("top-k", "120", "matched", "1", "per-layer", "0")),
              run("m2", "lt-sft", Map.of("top-k", "95", "matched", "1", "per-layer", "0")),
              run("l1", "lt-sft", Map.of("top-k", "0.2", "per-layer", "1"))));

  @Test
  void labelsNameOnlyTheHyperparametersThatDifferWithinTheMethod() {
    assertThat(POINTS.label("c1")).isEqualTo("csordas alpha=0.0001");
    assertThat(POINTS.label("c3")).isEqualTo("csordas alpha=0.001");
    assertThat(POINTS.pointLabel("c3")).isEqualTo("alpha=0.001");
    assertThat(POINTS.label("s1")).isEqualTo("continuous-sparsification");
    assertThat(POINTS.pointLabel("s1")).isEmpty();
    assertThat(POINTS.label("m1")).isEqualTo("lt-sft (matched)");
    assertThat(POINTS.label("l1")).isEqualTo("lt-sft");
    assertThat(POINTS.labels())
        .containsExactly(
            "continuous-sparsification",
            "csordas alpha=0.0001",
            "csordas alpha=0.001",
            "lt-sft",
            "lt-sft (matched)");
  }

  @Test
  void theMatchedLabelIsTheOneFamilyOfARowsHyperparameters() {
    // The one definition of "(matched)" (Summary and the report take it from here): the run's
    // hyperparameters column records a matched-density rerun as matched = 1 (RunSpec.MATCHED_KEY).
    RunSpec matched =
        RunSpec.matchedOf(
            "lt-sft", "add", 0, 0, Map.of("top-k", 120.0, "per-layer", 0.0), "fp", 0, "fp");
    assertThat(GridPoints.family("lt-sft", matched.hyperparameterStrings()))
        .isEqualTo("lt-sft (matched)");
    assertThat(GridPoints.family("lt-sft", Map.of("matched", "0"))).isEqualTo("lt-sft");
    assertThat(GridPoints.family("lt-sft", Map.of("top-k", "120"))).isEqualTo("lt-sft");
    assertThat(GridPoints.matched(Map.of(RunSpec.MATCHED_KEY, "1"))).isTrue();
  }

  @Test
  void keysSeparateGridPointsAndPoolSeedsOfOnePoint() {
    assertThat(POINTS.key("c1")).isEqualTo(POINTS.key("c2"));
    assertThat(POINTS.key("c1")).isNotEqualTo(POINTS.key("c3"));
    assertThat(POINTS.key("m1")).isEqualTo(POINTS.key("m2"));
    assertThat(POINTS.key("m1")).isNotEqualTo(POINTS.key("l1"));
    assertThat(POINTS.family("m1")).isEqualTo("lt-sft (matched)");
    assertThat(POINTS.pointsInFamily("csordas")).isEqualTo(2);
    assertThat(POINTS.pointsInFamily("lt-sft (matched)")).isEqualTo(1);
    // A summary row's hyperparameters (matched: without top-k) find the same point and label.
    assertThat(GridPoints.key("lt-sft", Map.of("matched", "1", "per-layer", "0")))
        .isEqualTo(POINTS.key("m2"));
    assertThat(POINTS.label("csordas", Map.of("alpha", "0.001", "tau", "1", "steps", "100")))
        .isEqualTo("csordas alpha=0.001");
  }
}
