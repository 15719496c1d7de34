package org.subnetlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.config.TransformerSettings;
import org.subnetlab.task.ArithmeticTask;
import org.subnetlab.task.ArithmeticTextTask;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Tasks;
import org.subnetlab.transformer.Gpt2;
import org.subnetlab.transformer.Gpt2Import;

/** model.kind = transformer: settings, arithmetic as text, the objective, training, storage. */
class TransformerObjectiveTest {
  @TempDir Path tmp;

  private Settings settings(String... overrides) throws Exception {
    Path f = tmp.resolve("t.conf");
    Files.writeString(f, "model.kind = transformer\n");
    return ConfigLoader.load(f, List.of(overrides));
  }

  private static final String[] TINY = {
    "task.arithmetic.modulus = 5",
    "task.arithmetic.train-examples-per-subtask = 64",
    "model.transformer.layers = 1",
    "model.transformer.width = 16",
    "model.transformer.heads = 2",
    "model.transformer.mlp-width = 32",
    "model.transformer.steps = 40",
    "model.transformer.warmup-steps = 5",
    "model.transformer.batch-size = 16",
  };

  @Test
  void arithmeticAsTextHoldsTheSamePairsAsTokens() {
    List<String> ops = List.of("add", "sub", "mul");
    ArithmeticTask numbers = new ArithmeticTask(7, ops, 0.25, 50, 3);
    ArithmeticTextTask text = new ArithmeticTextTask(7, ops, 0.25, 50, 3);
    assertThat(text.vocab()).isEqualTo(7 + 3 + 1);
    for (Dataset[] pair :
        new Dataset[][] {
          {numbers.trainSplit(), text.trainSplit()}, {numbers.evalSplit(), text.evalSplit()}
        }) {
      assertThat(pair[1].size()).isEqualTo(pair[0].size());
      float[] tok = new float[4];
      for (int i = 0; i < pair[1].size(); i++) {
        pair[1].copyFeatures(i, tok, 0);
        int a = (int) tok[0];
        int op = (int) tok[1] - 7;
        int b = (int) tok[2];
        assertThat(tok[3]).isEqualTo(10f); // '='
        int expected =
            switch (ops.get(op)) {
              case "add" -> (a + b) % 7;
              case "sub" -> Math.floorMod(a - b, 7);
              default -> (a * b) % 7;
            };
        assertThat(pair[1].label(i)).isEqualTo(expected).isEqualTo(pair[0].label(i));
        assertThat(pair[1].subtaskOf(i)).isEqualTo(op).isEqualTo(pair[0].subtaskOf(i));
      }
    }
  }

  @Test
  void objectiveScoresTheLastPositionAsGpt2Does() throws Exception {
    Settings s = settings(TINY);
    ArithmeticTextTask task = (ArithmeticTextTask) Tasks.create(s);
    TransformerTrainer.Trained t = TransformerTrainer.train(s.transformer(), task, s.seed(), 0);
    Gpt2Objective o = new Gpt2Objective(t.config());
    Dataset eval = task.evalSplit();
    // independent: logits of the whole sequence from Gpt2, softmax at position 3 by hand
    Gpt2 net = new Gpt2(t.config());
    int[] tokens = new int[eval.size() * 4];
    float[] row = new float[4];
    for (int i = 0; i < eval.size(); i++) {
      eval.copyFeatures(i, row, 0);
      for (int p = 0; p < 4; p++) {
        tokens[i * 4 + p] = (int) row[p];
      }
    }
    float[] logits = net.logits(t.params(), tokens, eval.size(), 4);
    int v = t.config().vocab();
    int right = 0;
    double loss = 0;
    for (int i = 0; i < eval.size(); i++) {
      int o3 = (i * 4 + 3) * v;
      int best = 0;
      double z = 0;
      for (int j = 0; j < v; j++) {
        best = logits[o3 + j] > logits[o3 + best] ? j : best;
        z += Math.exp(logits[o3 + j]);
      }
      right += best == eval.label(i) ? 1 : 0;
      loss += Math.log(z) - logits[o3 + eval.label(i)];
    }
    Evaluation e = o.evaluate(t.params(), eval);
    assertThat(e.accuracy()).isEqualTo((double) right / eval.size());
    assertThat(e.loss())
        .isCloseTo(loss / eval.size(), org.assertj.core.api.Assertions.within(1e-5));
    // the training loss and gradient: those of Gpt2 with a target at the last position only
    int[] rows = {0, 3, 5, 8};
    float[] g = new float[o.numParams()];
    double l = o.lossAndGradient(t.params(), task.trainSplit(), rows, 1, 4, g);
    int[] tk = new int[12];
    int[] tg = new int[12];
    java.util.Arrays.fill(tg, -1);
    for (int r = 0; r < 3; r++) {
      task.trainSplit().copyFeatures(rows[r + 1], row, 0);
      for (int p = 0; p < 4; p++) {
        tk[r * 4 + p] = (int) row[p];
      }
      tg[r * 4 + 3] = task.trainSplit().label(rows[r + 1]);
    }
    float[] g2 = new float[o.numParams()];
    assertThat(l).isEqualTo(net.lossAndGradient(t.params(), tk, tg, 3, 4, g2));
    assertThat(g).containsExactly(g2);
    // mask layers under Hugging Face's names
    assertThat(o.layout().names()).contains("wte.weight", "h.0.attn.c_attn.weight", "ln_f.bias");
    assertThat(o.layout().total()).isEqualTo(o.numParams());
  }

  @Test
  void trainingIsSeededBitIdenticalAndStoredAsHuggingFaceReadsIt() throws Exception {
    Settings s = settings(TINY);
    ArithmeticTextTask task = (ArithmeticTextTask) Tasks.create(s);
    TransformerTrainer.Trained a = TransformerTrainer.train(s.transformer(), task, s.seed(), 0);
    TransformerTrainer.Trained b = TransformerTrainer.train(s.transformer(), task, s.seed(), 0);
    TransformerTrainer.Trained c = TransformerTrainer.train(s.transformer(), task, s.seed(), 1);
    assertThat(a.params()).containsExactly(b.params());
    assertThat(a.params()).isNotEqualTo(c.params());
    assertThat(a.params()).isNotEqualTo(a.initial());
    // training lowers the training loss
    Gpt2Objective o = new Gpt2Objective(a.config());
    assertThat(o.evaluate(a.params(), task.trainSplit()).loss())
        .isLessThan(o.evaluate(a.initial(), task.trainSplit()).loss());
    TransformerStore store = new TransformerStore(tmp.resolve("model"));
    store.save(a, s.modelFingerprint());
    Gpt2Import.Checkpoint back = store.load(s.modelFingerprint());
    assertThat(back.config()).isEqualTo(a.config());
    assertThat(back.params()).containsExactly(a.params());
    assertThat(store.initial(s.modelFingerprint()).params()).containsExactly(a.initial());
    assertThatThrownBy(() -> store.load("0000"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("another config");
  }

  @Test
  void badRowsAreNamed() throws Exception {
    Settings s = settings(TINY);
    ArithmeticTextTask task = (ArithmeticTextTask) Tasks.create(s);
    Gpt2Objective o = new Gpt2Objective(TransformerTrainer.config(s.transformer(), task));
    float[] p = TransformerTrainer.initialise(o.config(), new java.util.SplittableRandom(1));
    float[] f = {1, 5, 2, 8, 1, 5, 42, 8};
    Dataset bad = new Dataset(4, 9, f, new int[] {3, 1}, new int[] {0, 0}, List.of("add"));
    assertThatThrownBy(() -> o.evaluate(p, bad))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Row 1: token id 42.0 at position 2 is not a token of the vocabulary [0, 9)");
    Dataset tooLong = new Dataset(9, 9, new float[9], new int[] {0}, new int[] {0}, List.of("add"));
    assertThatThrownBy(
            () -> o.lossAndGradient(p, tooLong, new int[] {0}, 0, 1, new float[p.length]))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "Row 0: a sequence of 9 tokens is longer than the transformer's context of 8");
  }

  @Test
  void settingsAreCheckedAndMlpFingerprintsDoNotSeeTheTransformerKeys() throws Exception {
    TransformerSettings t = settings().transformer();
    assertThat(t.layers()).isEqualTo(2);
    assertThat(t.learningRateAt(0)).isEqualTo(t.learningRate() / t.warmupSteps());
    assertThat(t.learningRateAt(t.warmupSteps())).isEqualTo(t.learningRate());
    assertThatThrownBy(() -> settings("model.transformer.width = 30"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("model.transformer.width")
        .hasMessageContaining("multiple of model.transformer.heads");
    assertThatThrownBy(() -> settings("task.name = images"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("task.name");
    assertThatThrownBy(() -> settings().refuseForTransformer("subnetlab cluster"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("subnetlab cluster is not defined for model.kind = transformer");
    Settings mlp = settings("model.kind = mlp");
    Settings mlpOther = settings("model.kind = mlp", "model.transformer.width = 32");
    assertThat(mlp.isTransformer()).isFalse();
    assertThat(mlpOther.modelFingerprint()).isEqualTo(mlp.modelFingerprint());
    assertThat(settings().modelFingerprint()).isNotEqualTo(mlp.modelFingerprint());
    assertThat(settings("model.transformer.width = 32").modelFingerprint())
        .isNotEqualTo(settings().modelFingerprint());
  }

  /** The initialisation's scales per block, measured from the draws (docs/transformers.md). */
  @Test
  void initialisationDrawsEmbeddingsAtUnitScaleAndTheRestAsGpt2() {
    org.subnetlab.transformer.Gpt2Config c =
        new org.subnetlab.transformer.Gpt2Config(
            2,
            64,
            4,
            256,
            200,
            64,
            1e-5,
            org.subnetlab.transformer.Gpt2Config.Activation.GELU_NEW,
            false);
    float[] p = TransformerTrainer.initialise(c, new java.util.SplittableRandom(3));
    for (org.subnetlab.transformer.Gpt2Layout.Block b :
        new org.subnetlab.transformer.Gpt2Layout(c).blocks()) {
      double sum = 0;
      double sq = 0;
      for (int i = b.offset(); i < b.offset() + b.size(); i++) {
        sum += p[i];
        sq += (double) p[i] * p[i];
      }
      double mean = sum / b.size();
      double std = Math.sqrt(sq / b.size() - mean * mean);
      String n = b.name();
      double want;
      if (n.startsWith("wte.") || n.startsWith("wpe.") || n.startsWith("lm_head.")) {
        want = 1.0;
      } else if (n.contains("ln_") && n.endsWith(".weight")) {
        assertThat(mean).as(n).isEqualTo(1.0);
        want = 0;
      } else if (n.endsWith(".bias")) {
        want = 0;
      } else if (n.endsWith("c_proj.weight")) {
        want = 0.02 / Math.sqrt(4);
      } else {
        want = 0.02;
      }
      assertThat(std).as(n).isCloseTo(want, org.assertj.core.data.Offset.offset(0.05 * want));
    }
  }
}
