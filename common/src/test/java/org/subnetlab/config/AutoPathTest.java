package org.subnetlab.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;

/** {@code masks.<method>.<regulariser> = auto}: the documented regularisation paths. */
class AutoPathTest {
  @TempDir Path dir;

  private Settings load(String text) throws IOException {
    Path f = dir.resolve("x.conf");
    Files.writeString(f, text);
    return ConfigLoader.load(f, List.of());
  }

  /** The lists of reference.conf and docs/methods.md, written out by hand. */
  @Test
  void autoExpandsToTheDocumentedPathOfEachMethod() throws IOException {
    Settings s =
        load(
            """
        masks.methods = [csordas, continuous-sparsification, lt-sft, magnitude, lottery-ticket,
          hard-concrete]
        masks.csordas.alpha = auto
        masks.continuous-sparsification.lambda = auto
        masks.lt-sft.top-k = auto
        masks.magnitude.top-k = auto
        masks.lottery-ticket.rounds = auto
        masks.hard-concrete.lambda = auto
        """);
    assertThat(s.masks().grid("csordas").get("alpha"))
        .containsExactly(1e-4, 3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2, 0.1);
    assertThat(s.masks().grid("continuous-sparsification").get("lambda"))
        .containsExactly(1.58e-5, 5e-5, 1.58e-4, 5e-4, 1.58e-3, 5e-3);
    List<Double> fractions = List.of(0.316, 0.1, 0.0316, 0.01, 0.00316, 0.001);
    assertThat(s.masks().grid("hard-concrete").get("lambda"))
        .containsExactly(1.58e-5, 5e-5, 1.58e-4, 5e-4, 1.58e-3, 5e-3, 1.58e-2);
    assertThat(s.masks().grid("lt-sft").get("top-k")).isEqualTo(fractions);
    assertThat(s.masks().grid("magnitude").get("top-k")).isEqualTo(fractions);
    assertThat(s.masks().grid("lottery-ticket").get("rounds"))
        .containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    assertThat(s.masks().gridPoints("csordas")).hasSize(7);
  }

  /** auto and the same list written out give the same runs, with the same run ids. */
  @Test
  void autoAndItsListWrittenOutGiveTheSameRunIds() throws IOException {
    List<String> subtasks = List.of("add", "mul");
    Settings auto =
        load(
            """
        masks.methods = [continuous-sparsification, magnitude]
        masks.continuous-sparsification.lambda = auto
        masks.magnitude.top-k = auto
        """);
    Settings written =
        load(
            """
        masks.methods = [continuous-sparsification, magnitude]
        masks.continuous-sparsification.lambda = [1.58e-5, 5e-5, 1.58e-4, 5e-4, 1.58e-3, 5e-3]
        masks.magnitude.top-k = [0.316, 0.1, 0.0316, 0.01, 0.00316, 0.001]
        """);
    List<String> a = SweepGrid.expand(auto, subtasks).stream().map(RunSpec::runId).toList();
    List<String> w = SweepGrid.expand(written, subtasks).stream().map(RunSpec::runId).toList();
    assertThat(a).hasSize(2 * 6 * 2 * 3).isEqualTo(w);
  }

  @Test
  void autoOnAKeyWithoutAPathFailsNamingTheKeyAndTheRule() {
    assertThatThrownBy(() -> load("masks.csordas.tau = auto"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.csordas.tau to \"auto\": must be a number or a non-empty "
                + "list of numbers, each a number in (0.0, 100.0].");
    assertThatThrownBy(() -> load("masks.csordas.alpha = automatic"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.csordas.alpha to \"automatic\": must be a number, a "
                + "non-empty list of numbers, each a number in [0.0, 1.0], or \"auto\" (= [1.0E-4, "
                + "3.16E-4, 0.001, 0.00316, 0.01, 0.0316, 0.1]).");
  }

  /** Every path is inside its key's range and geometric (a constant ratio between neighbours). */
  @Test
  void everyPathIsInRangeAndGeometric() {
    int paths = 0;
    for (org.subnetlab.config.MethodDeclaration m : org.subnetlab.mask.MaskMethods.declarations()) {
      for (HyperParameter k : m.parameters()) {
        List<Double> path = k.autoPath();
        if (path == null) {
          continue;
        }
        paths++;
        assertThat(path)
            .as("%s.%s", m.id(), k.name())
            .hasSize(m.id().equals("csordas") || m.id().equals("hard-concrete") ? 7 : 6)
            .allMatch(k::inRange);
        if (!k.name().equals("rounds")) {
          double ratio = path.get(1) / path.get(0);
          for (int i = 1; i < path.size(); i++) {
            assertThat(path.get(i) / path.get(i - 1))
                .as("%s.%s", m.id(), k.name())
                .isCloseTo(ratio, org.assertj.core.data.Percentage.withPercentage(1));
          }
        }
      }
    }
    assertThat(paths).isEqualTo(6);
  }
}
