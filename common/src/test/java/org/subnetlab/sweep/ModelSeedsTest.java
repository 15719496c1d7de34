package org.subnetlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.model.BaseModelTrainer;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/** Several base models ({@code model.seeds}): ids, fingerprints, seeding and validation. */
class ModelSeedsTest {
  @TempDir Path dir;

  private Settings settings(String text) throws IOException {
    Path f = dir.resolve("s.conf");
    Files.writeString(f, text);
    return ConfigLoader.load(f, List.of());
  }

  @Test
  void defaultDemoConfigKeepsTheFingerprintAndRunIdFormulaOfEarlierVersions() throws IOException {
    // Computed with the code before model.seeds existed (commit 7709cf4), from conf/demo.conf.
    Settings s = ConfigLoader.load(Path.of("../conf/demo.conf"), List.of("model.seeds=[0]"));
    assertThat(s.model().seeds()).containsExactly(0L);
    assertThat(s.modelFingerprint()).isEqualTo("74175429ef1b7334");
    assertThat(s.modelFingerprint(0)).isEqualTo("74175429ef1b7334");
    List<RunSpec> runs = SweepGrid.expand(s, List.of("add", "sub", "mul"));
    assertThat(runs).hasSize(18);
    // Model seed 0's ids follow the formula of the versions before model.seeds, recomputed
    // here: method-subtask-s<seed>-sha256(method|subtask|seed|global seed|k=v;...|fingerprint).
    for (RunSpec r : runs) {
      StringBuilder hp = new StringBuilder();
      new java.util.TreeMap<>(r.hyperparameterStrings())
          .forEach((k, v) -> hp.append(k).append('=').append(v).append(';'));
      String key =
          String.join(
              "|",
              r.method(),
              r.subtask(),
              Long.toString(r.seed()),
              Long.toString(s.seed()),
              hp,
              "74175429ef1b7334");
      assertThat(r.runId())
          .isEqualTo(
              r.method()
                  + "-"
                  + r.subtask()
                  + "-s"
                  + r.seed()
                  + "-"
                  + sha256(key).substring(0, 10));
      assertThat(r.modelSeed()).isZero();
      assertThat(r.streamId()).isEqualTo(r.runId());
    }
  }

  @Test
  void severalModelSeedsRunTheWholeGridOnEachAndKeepModelSeedZerosRuns() throws IOException {
    String base = "masks.seeds = [0, 1]\n";
    Settings one = settings(base);
    Settings three = settings(base + "model.seeds = [0, 4, 2]\n");
    List<String> subtasks = List.of("add", "sub", "mul");
    List<RunSpec> r1 = SweepGrid.expand(one, subtasks);
    List<RunSpec> r3 = SweepGrid.expand(three, subtasks);
    assertThat(r3).hasSize(3 * r1.size());
    // The list of model seeds is not part of any model's fingerprint.
    assertThat(three.modelFingerprint(0)).isEqualTo(one.modelFingerprint());
    assertThat(
            List.of(
                three.modelFingerprint(0), three.modelFingerprint(4), three.modelFingerprint(2)))
        .doesNotHaveDuplicates();
    assertThat(r3.subList(0, r1.size())).isEqualTo(r1);
    Map<String, RunSpec> seed0ById = new HashMap<>();
    r1.forEach(r -> seed0ById.put(r.runId(), r));
    for (RunSpec r : r3.subList(r1.size(), r3.size())) {
      assertThat(r.modelSeed()).isIn(4L, 2L);
      assertThat(r.runId())
          .startsWith(
              r.method() + "-" + r.subtask() + "-m" + r.modelSeed() + "-s" + r.seed() + "-");
      assertThat(r.modelFingerprint()).isEqualTo(three.modelFingerprint(r.modelSeed()));
      // Its random streams are those of the same run on model seed 0.
      RunSpec twin = seed0ById.get(r.streamId());
      assertThat(twin).isNotNull();
      assertThat(List.of(twin.method(), twin.subtask(), twin.seed(), twin.hyperparameters()))
          .isEqualTo(List.of(r.method(), r.subtask(), r.seed(), r.hyperparameters()));
      assertThat(r.groupKey()).isEqualTo(twin.groupKey() + "|model-seed=" + r.modelSeed());
    }
    assertThat(r3.stream().map(RunSpec::runId).distinct().count()).isEqualTo(r3.size());
  }

  @Test
  void matchedDensityRunsStayOnTheirReferenceRunsBaseModel() throws IOException {
    Settings s =
        settings(
            """
        model.seeds = [0, 1]
        masks.methods = [csordas, magnitude]
        masks.seeds = [0]
        masks.subtasks = [add]
        masks.matched-density { reference = csordas, methods = [magnitude] }
        """);
    List<RunSpec> grid = SweepGrid.expand(s, List.of("add", "sub", "mul"));
    Map<String, Long> kept = new HashMap<>();
    long k = 100;
    for (RunSpec r : grid) {
      if (r.method().equals("csordas")) {
        kept.put(r.runId(), k);
        k += 50; // each reference mask its own size
      }
    }
    List<RunSpec> matched = SweepGrid.matched(s, grid, kept);
    assertThat(matched).hasSize(2);
    for (RunSpec m : matched) {
      RunSpec ref =
          grid.stream()
              .filter(r -> r.method().equals("csordas") && r.modelSeed() == m.modelSeed())
              .findFirst()
              .orElseThrow();
      assertThat(m.hyperparameters().get("top-k")).isEqualTo(kept.get(ref.runId()).doubleValue());
      assertThat(m.modelFingerprint()).isEqualTo(ref.modelFingerprint());
    }
    assertThat(matched.stream().map(RunSpec::modelSeed).toList()).containsExactly(0L, 1L);
  }

  @Test
  void aModelSeedChangesTheInitialWeightsAndBatchOrderOnly() throws IOException {
    Settings s =
        settings(
            """
        seed = 3
        task.arithmetic { modulus = 5, operations = [add, mul], train-examples-per-subtask = 64 }
        model { hidden = [6], epochs = 2, seeds = [0, 1] }
        """);
    Task task = Tasks.create(s);
    BaseModelTrainer.Trained m0 = BaseModelTrainer.train(task, s.model(), s.seed(), 0);
    BaseModelTrainer.Trained m1 = BaseModelTrainer.train(task, s.model(), s.seed(), 1);
    // Model seed 0: the streams the base model always had; model seed 1: the documented ones.
    float[] init0 =
        ParamBridge.toFloats(
            BaseModelTrainer.build(task, s.model(), Seeds.stream(3, "model/init")).params());
    float[] init1 =
        ParamBridge.toFloats(
            BaseModelTrainer.build(task, s.model(), Seeds.stream(3, "model/init/model-seed-1"))
                .params());
    assertThat(m0.initialParams()).isEqualTo(init0);
    assertThat(m1.initialParams()).isEqualTo(init1);
    assertThat(init1).isNotEqualTo(init0);
    assertThat(ParamBridge.toFloats(m1.net().params()))
        .isNotEqualTo(ParamBridge.toFloats(m0.net().params()));
    // The data split comes from the global seed alone.
    Task again =
        Tasks.create(
            settings(
                """
        seed = 3
        task.arithmetic { modulus = 5, operations = [add, mul], train-examples-per-subtask = 64 }
        model { hidden = [6], epochs = 2 }
        """));
    assertThat(again.trainSplit().size()).isEqualTo(task.trainSplit().size());
    for (int i = 0; i < task.trainSplit().size(); i++) {
      assertThat(again.trainSplit().label(i)).isEqualTo(task.trainSplit().label(i));
    }
  }

  @Test
  void modelSeedsWithAnImportedModelAreRefusedNamingBothKeys() {
    assertThatThrownBy(() -> settings("model { import = \"net.zip\", seeds = [0, 1] }"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set model.seeds to [0,1]: an imported model (model.import) has no"
                + " seed: it was trained elsewhere, so only the default [0] is allowed with"
                + " model.import; leave model.seeds unset, or set model.import = \"\" to train the"
                + " base models here.");
    assertThatThrownBy(() -> settings("model { import = \"net.zip\", seeds = [7] }"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("model.seeds")
        .hasMessageContaining("model.import");
  }

  @Test
  void modelSeedsMustBeDistinctNonNegativeIntegers() {
    assertThatThrownBy(() -> settings("model.seeds = [0, 1, 1]"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set model.seeds to [0,1,1]: must be distinct (each seed trains one"
                + " base model).");
    assertThatThrownBy(() -> settings("model.seeds = [-1]"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set model.seeds to [-1]: must be a non-empty list of distinct"
                + " integers in [0, 2147483647].");
    assertThatThrownBy(() -> settings("model.seeds = []"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Cannot set model.seeds to []: must be a non-empty list");
  }

  private static String sha256(String text) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder();
      for (byte x : d) {
        sb.append(String.format("%02x", x));
      }
      return sb.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
