package org.subnetlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.RandomMasks;
import org.subnetlab.model.BaseModelTrainer;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

class SweepTest {
  @TempDir Path dir;

  private Settings settings(String text) throws IOException {
    Path f = dir.resolve("s.conf");
    Files.writeString(f, text);
    return ConfigLoader.load(f, List.of());
  }

  @Test
  void expandsMethodsTimesSubtasksTimesSeedsTimesHyperparameterLists() throws IOException {
    Settings s =
        settings(
            """
        task.arithmetic.operations = [add, mul]
        masks.seeds = [0, 1, 2]
        masks.csordas.alpha = [1e-4, 1e-3]
        masks.csordas.tau = [0.5, 1]
        """);
    List<RunSpec> runs = SweepGrid.expand(s, List.of("add", "mul"));
    // csordas: 2 alpha x 2 tau x 2 subtasks x 3 seeds; continuous-sparsification: 2 x 3.
    assertThat(runs).hasSize(24 + 6);
    assertThat(new HashSet<>(runs.stream().map(RunSpec::runId).toList())).hasSize(30);
    assertThat(SweepGrid.expand(s, List.of("add", "mul"))).isEqualTo(runs);
    assertThat(runs.get(0).runId()).startsWith("csordas-add-s0-");
  }

  @Test
  void longestRunsFirstAndTiesInGridOrder() throws IOException {
    Settings s =
        settings(
            """
        task.arithmetic.operations = [add, mul]
        masks.methods = [magnitude, continuous-sparsification, csordas, lottery-ticket]
        masks.seeds = [0]
        masks.continuous-sparsification.steps = [500, 4000]
        masks.csordas.steps = 1000
        masks.lottery-ticket.rounds = 2
        masks.lottery-ticket.steps = 300
        """);
    List<RunSpec> grid = SweepGrid.expand(s, List.of("add", "mul"));
    List<RunSpec> ordered = SweepGrid.longestFirst(grid);
    assertThat(ordered).containsExactlyInAnyOrderElementsOf(grid);
    // CS 4000 steps (4000 passes), csordas 1000 (1800), lottery ticket 2 x 300 (600),
    // CS 500 (500), magnitude (no training); within each, the grid's own order (add, then mul).
    List<String> expected =
        List.of(
            "continuous-sparsification-add",
            "continuous-sparsification-mul",
            "csordas-add",
            "csordas-mul",
            "lottery-ticket-add",
            "lottery-ticket-mul",
            "continuous-sparsification-add",
            "continuous-sparsification-mul",
            "magnitude-add",
            "magnitude-mul");
    assertThat(ordered.stream().map(r -> r.method() + "-" + r.subtask()).toList())
        .isEqualTo(expected);
    assertThat(ordered.get(0).hyperparameters().get("steps")).isEqualTo(4000.0);
    assertThat(ordered.get(6).hyperparameters().get("steps")).isEqualTo(500.0);
  }

  @Test
  void runIdChangesWithAnythingThatShapesTheMask() throws IOException {
    String a = SweepGrid.expand(settings(""), List.of("add", "sub", "mul")).get(0).runId();
    String b =
        SweepGrid.expand(settings("masks.csordas.steps = 7"), List.of("add", "sub", "mul"))
            .get(0)
            .runId();
    String c =
        SweepGrid.expand(settings("model.epochs = 7"), List.of("add", "sub", "mul")).get(0).runId();
    assertThat(a).isNotEqualTo(b).isNotEqualTo(c);
  }

  @Test
  void rejectsSubtasksTheTaskDoesNotHave() throws IOException {
    Settings s = settings("masks.subtasks = [add, div]");
    assertThatThrownBy(() -> SweepGrid.expand(s, List.of("add", "sub", "mul")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("div is not a subtask of task arithmetic");
  }

  @Test
  void sameRunGivesBitIdenticalMasksAndOtherSeedsDiffer() throws IOException {
    Settings s =
        settings(
            """
        task.arithmetic { modulus = 5, operations = [add, mul], train-examples-per-subtask = 256 }
        model { hidden = [24], epochs = 8 }
        masks.seeds = [0, 1]
        masks.csordas.steps = 40
        masks.continuous-sparsification.steps = 40
        """);
    Task task = Tasks.create(s);
    BaseModelTrainer.Trained trained = BaseModelTrainer.train(task, s.model(), s.seed());
    var model = trained.net();
    List<RunSpec> runs = SweepGrid.expand(s, task.subtasks());
    for (String method : List.of("csordas", "continuous-sparsification")) {
      RunSpec seed0 =
          runs.stream()
              .filter(r -> r.method().equals(method) && r.seed() == 0)
              .findFirst()
              .orElseThrow();
      RunSpec seed1 =
          runs.stream()
              .filter(
                  r ->
                      r.method().equals(method)
                          && r.seed() == 1
                          && r.subtask().equals(seed0.subtask()))
              .findFirst()
              .orElseThrow();
      MaskRunner.Finished first = MaskRunner.run(seed0, model, trained.initialParams(), task);
      MaskRunner.Finished again = MaskRunner.run(seed0, model, trained.initialParams(), task);
      MaskRunner.Finished other = MaskRunner.run(seed1, model, trained.initialParams(), task);
      assertThat(again.result().mask()).as(method).isEqualTo(first.result().mask());
      assertThat(again.result().lossHistory()).isEqualTo(first.result().lossHistory());
      assertThat(other.result().lossHistory()).isNotEqualTo(first.result().lossHistory());
    }
  }

  @Test
  void randomControlsKeepExactlyThePerLayerCounts() throws IOException {
    Settings s = settings("task.arithmetic.modulus = 5\nmodel { hidden = [9, 7], epochs = 1 }");
    var net = BaseModelTrainer.train(Tasks.create(s), s.model(), 0).net();
    var layout = org.subnetlab.model.ParamLayout.of(net);
    SplittableRandom rng = new SplittableRandom(2);
    float[] scores = new float[layout.total()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = rng.nextInt(4) == 0 ? 1 : -1;
    }
    Mask mask = Mask.positive(layout, scores);
    Mask control = RandomMasks.matching(mask, new SplittableRandom(3));
    Mask control2 = RandomMasks.matching(mask, new SplittableRandom(4));
    for (int l = 0; l < layout.layers(); l++) {
      assertThat(control.keptInLayer(l)).isEqualTo(mask.keptInLayer(l));
    }
    assertThat(control).isNotEqualTo(mask).isNotEqualTo(control2);
    assertThat(RandomMasks.matching(mask, new SplittableRandom(3))).isEqualTo(control);
  }
}
