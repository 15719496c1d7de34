package org.subnetlab.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompositionSettingsTest {
  @TempDir Path dir;

  private Settings load(String text, String... overrides) throws IOException {
    Path f = dir.resolve("x.conf");
    Files.writeString(f, text);
    return ConfigLoader.load(f, List.of(overrides));
  }

  @Test
  void defaultsAreZeroAndReinitAblationWithoutTheRandomInitControl() throws IOException {
    CompositionSettings c = load("").composition();
    assertThat(c.ablation()).containsExactly("zero", "reinit");
    assertThat(c.randomInitControl()).isFalse();
    CompositionSettings all =
        load("composition { ablation = [rewind, zero]," + " random-init-control = true }")
            .composition();
    assertThat(all.ablation()).containsExactly("rewind", "zero");
    assertThat(all.randomInitControl()).isTrue();
  }

  @Test
  void rejectsAnUnknownAblationMode() {
    assertThatThrownBy(() -> load("composition.ablation = [zero, shuffle]"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set composition.ablation to [\"zero\",\"shuffle\"]: must be a"
                + " non-empty list of distinct strings from [zero, reinit, rewind].");
    assertThatThrownBy(() -> load("composition.ablation = []"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Cannot set composition.ablation to []: must be a non-empty list");
  }

  @Test
  void rejectsANonBooleanRandomInitControl() {
    assertThatThrownBy(() -> load("composition.random-init-control = 1"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Cannot set composition.random-init-control to 1: must be true or false.");
  }

  @Test
  void rejectsRewindForAnImportedModel() {
    assertThatThrownBy(
            () -> load("", "model.import=\"m.zip\"", "composition.ablation=[zero, rewind]"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Cannot set composition.ablation to [\"zero\",\"rewind\"]")
        .hasMessageContaining("an imported model (model.import) does not have");
  }

  @Test
  void rejectsAnUnknownKeyInTheCompositionBlock() {
    assertThatThrownBy(() -> load("composition.ablations = [zero]"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("unknown key composition.ablations");
  }
}
