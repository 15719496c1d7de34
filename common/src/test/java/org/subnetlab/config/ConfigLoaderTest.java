package org.subnetlab.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path conf(String text) throws IOException {
    Path f = dir.resolve("x.conf");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void defaultsComeFromReferenceConf() throws IOException {
    Settings s = ConfigLoader.load(conf(""), List.of());
    assertThat(s.task().modulus()).isEqualTo(16);
    assertThat(s.masks().methods()).containsExactly("csordas", "continuous-sparsification");
    assertThat(s.masks().grid("csordas").get("alpha")).containsExactly(0.01);
    assertThat(s.masks().grid("continuous-sparsification").get("lambda")).containsExactly(5e-4);
  }

  @Test
  void repeatedSweepValuesAreNamedAsNotDistinct() throws IOException {
    // Each value is in (0, 1]: the message used to repeat that rule, which the values satisfy.
    assertThatThrownBy(
            () -> ConfigLoader.load(conf("masks.csordas.alpha = [1e-5, 1e-5]"), List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.csordas.alpha to [1.0E-5,1.0E-5]: the values must be"
                + " distinct (each is one point of the sweep); value 2 (1.0E-5) repeats value 1"
                + " (1.0E-5).");
    assertThatThrownBy(
            () -> ConfigLoader.load(conf("masks.csordas.steps = [10, 20, 10.0]"), List.of()))
        .hasMessage(
            "Cannot set masks.csordas.steps to [10,20,10]: the values must be distinct"
                + " (each is one point of the sweep); value 3 (10) repeats value 1 (10).");
  }

  @Test
  void overridesWinOverTheFile() throws IOException {
    Settings s =
        ConfigLoader.load(
            conf("masks.seeds = [0, 1, 2]\nmodel.epochs = 3"),
            List.of("masks.seeds=[7]", "masks.csordas.alpha=[0.1, 0.2]"));
    assertThat(s.masks().seeds()).containsExactly(7L);
    assertThat(s.model().epochs()).isEqualTo(3);
    assertThat(s.masks().gridPoints("csordas")).hasSize(2);
  }

  @Test
  void rejectsUnknownKeysByName() throws IOException {
    Path f = conf("model { hiden = [3] }\nmasks.csordas.alpah = 1");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("unknown key model.hiden")
        .hasMessageContaining("unknown key masks.csordas.alpah");
  }

  @Test
  void rejectsWrongTypeNamingKeyValueAndRule() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(conf("model.epochs = lots"), List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Cannot set model.epochs to \"lots\": must be an integer in [1, 100000].");
  }

  @Test
  void selectionToleranceIsARelativeFractionBelowOne() throws IOException {
    assertThat(ConfigLoader.load(conf(""), List.of()).selectionTolerance()).isEqualTo(0.05);
    assertThat(
            ConfigLoader.load(conf("aggregate.selection.tolerance = 0"), List.of())
                .selectionTolerance())
        .isZero();
    assertThatThrownBy(
            () -> ConfigLoader.load(conf("aggregate.selection.tolerance = 1"), List.of()))
        .hasMessage(
            "Cannot set aggregate.selection.tolerance to 1: must be a number" + " in [0, 1).");
    assertThatThrownBy(
            () -> ConfigLoader.load(conf("aggregate.selection.tolerance = -0.1"), List.of()))
        .hasMessage(
            "Cannot set aggregate.selection.tolerance to -0.1: must be a" + " number in [0, 1).");
  }

  @Test
  void overlapBlockIsAutoByDefaultOrAPositiveInteger() throws IOException {
    assertThat(ConfigLoader.load(conf(""), List.of()).overlapBlock()).isEmpty();
    assertThat(ConfigLoader.load(conf("aggregate.overlap-block = 128"), List.of()).overlapBlock())
        .hasValue(128);
    for (String bad : List.of("0", "big", "1.5")) {
      assertThatThrownBy(
              () -> ConfigLoader.load(conf("aggregate.overlap-block = " + bad), List.of()))
          .isInstanceOf(BadInputException.class)
          .hasMessage(
              "Cannot set aggregate.overlap-block to "
                  + (bad.equals("big") ? "\"big\"" : bad)
                  + ": must be auto or an integer in [1, 1000000].");
    }
  }

  @Test
  void rejectsOutOfRangeValues() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(conf("task.arithmetic.modulus = 1"), List.of()))
        .hasMessage("Cannot set task.arithmetic.modulus to 1: must be an integer in [2, 256].");
    assertThatThrownBy(() -> ConfigLoader.load(conf("masks.csordas.tau = [1.0, 0]"), List.of()))
        .hasMessageContaining("masks.csordas.tau")
        .hasMessageContaining("each a number in (0.0, 100.0]");
    assertThatThrownBy(() -> ConfigLoader.load(conf("masks.methods = [lasso]"), List.of()))
        .hasMessageContaining("masks.methods")
        .hasMessageContaining("Cannot set masks.methods to [\"lasso\"]")
        .hasMessageContaining(
            "[csordas, continuous-sparsification, lt-sft, magnitude, lottery-ticket,"
                + " hard-concrete]");
  }

  @Test
  void rejectsInconsistentKeys() throws IOException {
    Path f = conf("masks.csordas { batch-size = 4, masks-per-batch = 8 }");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .hasMessageContaining("masks.csordas.masks-per-batch")
        .hasMessageContaining("at most masks.csordas.batch-size (4)");
  }

  @Test
  void matchedDensityNeedsAReferenceAmongTheMethodsAndTopKMethods() throws IOException {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    conf(
                        "masks.matched-density { reference = lottery-ticket, methods = [magnitude] }"),
                    List.of()))
        .hasMessageContaining("masks.matched-density.reference")
        .hasMessageContaining("one of masks.methods");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    conf("masks.matched-density { reference = csordas, methods = [csordas] }"),
                    List.of()))
        .hasMessageContaining("masks.matched-density.methods")
        .hasMessageContaining("[lt-sft, magnitude]");
  }

  @Test
  void rejectsMalformedOverrideAndMissingFile() throws IOException {
    Path f = conf("");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of("seeds")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("must be key=value");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.conf"), List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("nope.conf: no such file");
  }

  @Test
  void modelFingerprintIgnoresMaskSettings() throws IOException {
    Path f = conf("");
    Settings a = ConfigLoader.load(f, List.of("masks.seeds=[5]"));
    Settings b = ConfigLoader.load(f, List.of());
    Settings c = ConfigLoader.load(f, List.of("model.epochs=2"));
    assertThat(a.modelFingerprint()).isEqualTo(b.modelFingerprint());
    assertThat(c.modelFingerprint()).isNotEqualTo(b.modelFingerprint());
  }

  /**
   * The same config given by another path, with other line breaks and comments, has the same
   * fingerprint (values are rendered without their origins, which would name the file and line).
   */
  @Test
  void modelFingerprintDoesNotDependOnTheConfigFilesPathOrLayout() throws IOException {
    Path a = Files.createDirectories(dir.resolve("a")).resolve("exp.conf");
    Path b = Files.createDirectories(dir.resolve("b/c")).resolve("other.conf");
    Files.writeString(
        a,
        "model { hidden = [16, 8], epochs = 3 }\n" + "task.arithmetic.operations = [add, mul]\n");
    Files.writeString(
        b,
        "# the same experiment\n\nmodel {\n  epochs = 3\n  hidden = [\n    16,\n"
            + "    8\n  ]\n}\ntask.arithmetic.operations = [add,\n mul]\n");
    Settings sa = ConfigLoader.load(a, List.of());
    Settings sb = ConfigLoader.load(b, List.of());
    Settings relative = ConfigLoader.load(Path.of("").toAbsolutePath().relativize(a), List.of());
    assertThat(sb.modelFingerprint()).isEqualTo(sa.modelFingerprint());
    assertThat(relative.modelFingerprint()).isEqualTo(sa.modelFingerprint());
    assertThat(ConfigLoader.load(a, List.of("model.hidden=[16, 9]")).modelFingerprint())
        .isNotEqualTo(sa.modelFingerprint());
  }

  @Test
  void fingerprintLeavesLaterKeysOutAtTheValueThatKeepsTheEarlierBehaviour() throws IOException {
    Path f = conf("");
    Settings plain = ConfigLoader.load(f, List.of());
    // What a version without conv, kernel, import, trainer, seeds and the training options of
    // issue 27 (dropout, l1, l2, pruning) and model.kind/model.transformer (issue 25) hashed: its
    // outputs are recognised.
    com.typesafe.config.Config before =
        plain
            .config()
            .withoutPath("model.conv")
            .withoutPath("model.kernel")
            .withoutPath("model.import")
            .withoutPath("model.trainer")
            .withoutPath("model.spark-training")
            .withoutPath("model.seeds")
            .withoutPath("model.dropout")
            .withoutPath("model.l1")
            .withoutPath("model.l2")
            .withoutPath("model.pruning")
            .withoutPath("model.kind")
            .withoutPath("model.transformer");
    assertThat(plain.modelFingerprint())
        .isEqualTo(
            Settings.fingerprint(before, List.of("seed", "task.name", "task.arithmetic", "model")));
    assertThat(ConfigLoader.load(f, List.of("model.seeds=[0,5]")).modelFingerprint())
        .as("model seed 0 of several")
        .isEqualTo(plain.modelFingerprint());
    assertThat(ConfigLoader.load(f, List.of("model.kernel=3")).modelFingerprint())
        .as("kernel of an MLP")
        .isEqualTo(plain.modelFingerprint());
    assertThat(
            ConfigLoader.load(f, List.of("model.spark-training.averaging-frequency=9"))
                .modelFingerprint())
        .as("averaging of a locally trained model")
        .isEqualTo(plain.modelFingerprint());
    Settings spark = ConfigLoader.load(f, List.of("model.trainer=spark"));
    assertThat(spark.modelFingerprint()).isNotEqualTo(plain.modelFingerprint());
    assertThat(
            ConfigLoader.load(
                    f, List.of("model.trainer=spark", "model.spark-training.averaging-frequency=9"))
                .modelFingerprint())
        .isNotEqualTo(spark.modelFingerprint());
    assertThat(ConfigLoader.load(f, List.of("model.conv=[4]", "model.kernel=3")).modelFingerprint())
        .isNotEqualTo(ConfigLoader.load(f, List.of("model.conv=[4]")).modelFingerprint());
  }

  @Test
  void sparkTrainingSettingsAreChecked() throws IOException {
    Path f = conf("");
    assertThat(ConfigLoader.load(f, List.of("model.trainer=spark")).model().trainsOnSpark())
        .isTrue();
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of("model.trainer=cluster")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("model.trainer");
    assertThatThrownBy(
            () -> ConfigLoader.load(f, List.of("model.spark-training.averaging-frequency=0")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("model.spark-training.averaging-frequency");
    assertThatThrownBy(
            () -> ConfigLoader.load(f, List.of("model.trainer=spark", "model.import=\"m.zip\"")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("model.trainer")
        .hasMessageContaining("model.import brings a trained one");
  }
}
