package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.model.Gpt2Objective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.model.TransformerTrainer;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;
import org.subnetlab.transformer.Gpt2;

/** The mask methods run unchanged on a GPT-2 through {@link Gpt2Objective}. */
class TransformerMasksTest {
  @TempDir Path tmp;

  @Test
  void csordasAndContinuousSparsificationMaskAGpt2UnderHuggingFaceNames() throws Exception {
    Path f = tmp.resolve("t.conf");
    Files.writeString(f, "model.kind = transformer\n");
    Settings s =
        ConfigLoader.load(
            f,
            List.of(
                "task.arithmetic.modulus = 5",
                "task.arithmetic.train-examples-per-subtask = 64",
                "model.transformer.layers = 1",
                "model.transformer.width = 16",
                "model.transformer.heads = 2",
                "model.transformer.mlp-width = 32",
                "model.transformer.steps = 60",
                "model.transformer.warmup-steps = 5",
                "model.transformer.batch-size = 16"));
    Task task = Tasks.create(s);
    TransformerTrainer.Trained t = TransformerTrainer.train(s.transformer(), task, s.seed(), 0);
    Gpt2Objective objective = new Gpt2Objective(t.config());
    ParamLayout layout = objective.layout();
    Dataset examples = task.trainExamples("add");
    for (String id : List.of(CsordasMethod.ID, ContinuousSparsification.ID)) {
      MaskMethod method = MaskMethods.create(id, Map.of("steps", 30.0, "batch-size", 16.0));
      MaskContext ctx =
          new MaskContext(
              objective, t.params(), t.initial(), layout, examples, new SplittableRandom(7));
      Mask mask = method.train(ctx).mask();
      assertThat(mask.layout().names()).contains("h.0.attn.c_attn.weight", "h.0.mlp.c_fc.weight");
      assertThat(mask.kept()).isGreaterThan(0).isLessThanOrEqualTo(layout.total());
      // with mask-biases = 0 (both methods' default) every *.bias block is kept whole
      int biasBlocks = 0;
      for (int l = 0; l < layout.layers(); l++) {
        if (layout.name(l).endsWith(".bias")) {
          biasBlocks++;
          assertThat(mask.keptInLayer(l)).as(layout.name(l)).isEqualTo(layout.size(l));
        }
      }
      assertThat(biasBlocks).isEqualTo(1 * 6 + 1); // ln_1, c_attn, c_proj, ln_2, c_fc, c_proj; ln_f
      // the masked model's accuracy, recomputed directly with Gpt2 on θ ⊙ mask
      float[] masked = new float[t.params().length];
      mask.apply(t.params(), masked);
      Dataset eval = task.evalExamples("add");
      int[] tokens = new int[eval.size() * 4];
      float[] row = new float[4];
      for (int i = 0; i < eval.size(); i++) {
        eval.copyFeatures(i, row, 0);
        for (int p = 0; p < 4; p++) {
          tokens[i * 4 + p] = (int) row[p];
        }
      }
      float[] logits = new Gpt2(t.config()).logits(masked, tokens, eval.size(), 4);
      int v = t.config().vocab();
      int right = 0;
      for (int i = 0; i < eval.size(); i++) {
        int o = (i * 4 + 3) * v;
        int best = 0;
        for (int j = 1; j < v; j++) {
          best = logits[o + j] > logits[o + best] ? j : best;
        }
        right += best == eval.label(i) ? 1 : 0;
      }
      assertThat(objective.evaluate(masked, eval).accuracy())
          .as(id)
          .isEqualTo((double) right / eval.size());
    }
  }
}
