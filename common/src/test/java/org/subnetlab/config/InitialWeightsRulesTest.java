package org.subnetlab.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported model has no initial weights: the methods and values that need them (declared by
 * lottery-ticket and by lt-sft's from-initial) are refused by name, the others load.
 */
class InitialWeightsRulesTest {
  @TempDir Path dir;

  private Settings load(String text) throws IOException {
    Path model = Files.write(dir.resolve("m.zip"), new byte[] {1});
    Path f = dir.resolve("s.conf");
    Files.writeString(f, "model.import = \"" + model + "\"\n" + text);
    return ConfigLoader.load(f, List.of());
  }

  @Test
  void refusesWhatNeedsInitialWeightsWithAnImportedModel() throws IOException {
    assertThatThrownBy(() -> load("masks.methods = [lt-sft]\nmasks.lt-sft.from-initial = [0, 1]"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.lt-sft.from-initial to [0,1]: an imported model"
                + " (model.import) has no initial weights to fine-tune from; use 0.");
    assertThatThrownBy(
            () -> load("masks.methods = [lt-sft, lottery-ticket]\nmasks.lt-sft.from-initial = 1"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.methods to [\"lt-sft\",\"lottery-ticket\"]: lottery-ticket"
                + " rewinds to the model's initial weights, which an imported model (model.import)"
                + " does not have.");
    assertThat(load("masks.methods = [lt-sft]\nmasks.lt-sft.from-initial = 0").masks().methods())
        .containsExactly("lt-sft");
    // A method outside the sweep is not asked for its values.
    assertThat(load("masks.methods = [csordas]\nmasks.lt-sft.from-initial = 1").masks().methods())
        .containsExactly("csordas");
  }
}
