package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.cli.Main;

/** Bad {@code model.seeds} stop the command line before any work, with exit code 2. */
class ModelSeedsCliTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result cli(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return new Result(Main.execute(args), buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void modelSeedsWithAnImportedModelExitWithTwoNamingBothKeys() throws IOException {
    Path model = dir.resolve("net.zip");
    Files.writeString(model, "not read: the config is refused first");
    Path conf = dir.resolve("import.conf");
    Files.writeString(conf, "model { import = \"" + model + "\", seeds = [0, 1] }\n");
    Path out = dir.resolve("out");
    Result r = cli("train-model", conf.toString(), "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "Cannot set model.seeds to [0,1]: an imported model" + " (model.import) has no seed")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  @Test
  void repeatedModelSeedsExitWithTwo() throws IOException {
    Path conf = dir.resolve("dup.conf");
    Files.writeString(conf, "model.seeds = [2, 0, 2]\n");
    Path out = dir.resolve("out");
    Result r = cli("run", conf.toString(), "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "Cannot set model.seeds to [2,0,2]: must be distinct (each seed"
                + " trains one base model).");
    assertThat(out).doesNotExist();
  }
}
