package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.cli.Main;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.model.Gpt2Objective;
import org.subnetlab.model.TransformerTrainer;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;
import org.subnetlab.transformer.Gpt2Import;

/** model.kind = transformer from the command line: train-model stores it; cluster refuses it. */
class TransformerCliTest {
  @TempDir Path dir;

  private static final String CONF =
      String.join(
          "\n",
          "model.kind = transformer",
          "task.arithmetic.modulus = 5",
          "task.arithmetic.train-examples-per-subtask = 64",
          "model.transformer.layers = 1",
          "model.transformer.width = 16",
          "model.transformer.heads = 2",
          "model.transformer.mlp-width = 32",
          "model.transformer.steps = 30",
          "model.transformer.warmup-steps = 5",
          "model.transformer.batch-size = 16",
          "");

  record Result(int code, String err) {}

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
  void trainModelStoresTheTransformerAsHuggingFaceLaysItOut() throws Exception {
    Path conf = dir.resolve("t.conf");
    Files.writeString(conf, CONF);
    Path out = dir.resolve("out");
    Result r = cli("train-model", conf.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Gpt2Import.Checkpoint stored = Gpt2Import.read(out.resolve("model"));
    Gpt2Import.Checkpoint initial = Gpt2Import.read(out.resolve("model").resolve("initial"));
    // the same training, run here: the stored parameters are its bits
    Settings s = ConfigLoader.load(conf, List.of());
    Task task = Tasks.create(s);
    TransformerTrainer.Trained t = TransformerTrainer.train(s.transformer(), task, s.seed(), 0);
    assertThat(stored.config()).isEqualTo(t.config());
    assertThat(stored.params()).containsExactly(t.params());
    assertThat(initial.params()).containsExactly(t.initial());
    assertThat(new Gpt2Objective(stored.config()).layout().names())
        .contains("h.0.attn.c_attn.weight");
    // a second train-model reuses it; another config is refused with one message
    assertThat(cli("train-model", conf.toString(), "--out", out.toString()).code()).isZero();
    Result other =
        cli(
            "train-model",
            conf.toString(),
            "--out",
            out.toString(),
            "--set",
            "model.transformer.width=32");
    assertThat(other.code()).isEqualTo(2);
    assertThat(other.err()).contains("was made by another config");
  }

  @Test
  void clusteringATransformerIsRefusedWithExitTwo() throws Exception {
    Path conf = dir.resolve("t.conf");
    Files.writeString(conf, CONF);
    Result r = cli("cluster", conf.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("subnetlab cluster is not defined for model.kind = transformer")
        .containsOnlyOnce("transformer:");
  }

  @Test
  void aCheckpointMissingATensorIsRefusedNamingItWithExitTwo() throws Exception {
    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    Files.copy(
        ImportedGpt2PipelineTest.FIXTURE.resolve("config.json"), broken.resolve("config.json"));
    // the same config with one more layer than the weights hold: h.2.* are missing
    String config = Files.readString(broken.resolve("config.json"));
    Files.writeString(
        broken.resolve("config.json"), config.replace("\"n_layer\": 2", "\"n_layer\": 3"));
    Files.copy(
        ImportedGpt2PipelineTest.FIXTURE.resolve("model.safetensors"),
        broken.resolve("model.safetensors"));
    Path conf = dir.resolve("broken.conf");
    Files.writeString(conf, ImportedGpt2PipelineTest.conf(broken));
    Result r = cli("train-model", conf.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("model.safetensors").contains("h.2.");
  }
}
