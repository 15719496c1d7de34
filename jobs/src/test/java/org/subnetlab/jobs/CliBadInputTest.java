package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.cli.Main;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.model.ModelStore;

/** Bad input ends in one clear message, exit code 2, and nothing a later run takes as complete. */
class CliBadInputTest {
  @TempDir Path dir;

  record Result(int code, String err) {}

  private static Result cli(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args);
      return new Result(code, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void badConfigFailsBeforeAnyWork() throws IOException {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "masks.csordas.steps = -3\n");
    Path out = dir.resolve("out");
    Result r = cli("run", conf.toString(), "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "Cannot set masks.csordas.steps to -3: must be a number or a non-empty list of "
                + "numbers, each an integer in [1, 10000000].");
    assertThat(out).doesNotExist();
  }

  @Test
  void unknownKeyAndBadOverrideAreNamed() {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Result r =
        cli(
            "run",
            conf.toString(),
            "--out",
            dir.resolve("o").toString(),
            "--set",
            "masks.sedes=[1]");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown key masks.sedes");
    assertThat(dir.resolve("o")).doesNotExist();
  }

  @Test
  void missingConfigFileAndMissingArgumentsExitWithTwo() {
    assertThat(cli("run", dir.resolve("none.conf").toString()).err())
        .contains("none.conf: no such file");
    Result r = cli("train-masks");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'CONFIG'");
    assertThat(cli("run", "--help").code()).isZero();
  }

  @Test
  void trainMasksWithoutModelSaysWhatToRun() {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Result r = cli("train-masks", conf.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("No base model at").contains("run `subnetlab train-model`");
    assertThat(MaskFiles.committed(dir.resolve("o").resolve("masks"))).isEmpty();
  }

  @Test
  void corruptModelFileIsNamed() throws IOException {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Path model = dir.resolve("o/model");
    Files.createDirectories(model);
    String fp = ConfigLoader.load(conf, List.of()).modelFingerprint();
    Files.writeString(model.resolve(ModelStore.META_FILE), "{\"fingerprint\": \"" + fp + "\"}");
    Files.write(model.resolve(ModelStore.MODEL_FILE), new byte[] {1, 2, 3, 4, 5});
    Result r = cli("run", conf.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Cannot read DL4J model file " + model.resolve("model.zip"));
    assertThat(dir.resolve("o/tables")).doesNotExist();
  }

  @Test
  void modelOfAnotherConfigIsRefused() throws IOException {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Path model = dir.resolve("o/model");
    Files.createDirectories(model);
    Files.writeString(model.resolve(ModelStore.META_FILE), "{\"fingerprint\": \"0123\"}");
    Files.write(model.resolve(ModelStore.MODEL_FILE), new byte[] {1});
    Result r = cli("train-masks", conf.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("was trained with another task/model config");
  }

  @Test
  void unwritableOutputIsNamed() throws IOException {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    Result r = cli("run", conf.toString(), "--out", file.resolve("sub").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Cannot write to output directory " + file.resolve("sub"));
    Result r2 = cli("run", conf.toString(), "--out", file.toString());
    assertThat(r2.code()).isEqualTo(2);
    assertThat(r2.err()).contains("Cannot use output directory " + file + ": it is a file.");
  }

  @Test
  void aggregateRefusesAnIncompleteSweepAndWritesNoTable() {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Path out = dir.resolve("o");
    assertThat(cli("train-model", conf.toString(), "--out", out.toString()).code()).isZero();
    Result r = cli("aggregate", conf.toString(), "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("8 of 8 runs of this sweep are not finished");
    assertThat(out.resolve("tables")).doesNotExist();
  }
}
