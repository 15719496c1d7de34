package org.subnetlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.task.AgreementTask;
import org.subnetlab.task.Tasks;

/** A small decoder trained by TransformerTrainer learns agreement, attractors included. */
class AgreementTrainingTest {
  @TempDir Path tmp;

  /**
   * 2 layers of width 32, 3000 Adam steps of 32 sentences: about 11 s per model seed on one core,
   * and every subtask (attractor included) at >= 95 % eval accuracy on model seeds 0 and 1
   * (measured 99.7-100 %). The eval sentences are not in the train split.
   */
  @Test
  void aSmallDecoderLearnsAgreementOnEverySubtask() throws Exception {
    Path f = tmp.resolve("a.conf");
    Files.writeString(
        f,
        "model.kind = transformer\ntask.name = agreement\n"
            + "model.transformer { layers = 2, width = 32, heads = 4, mlp-width = 64,"
            + " steps = 3000, batch-size = 32, learning-rate = 0.003, warmup-steps = 50 }\n");
    Settings s = ConfigLoader.load(f, List.of());
    AgreementTask task = (AgreementTask) Tasks.create(s);
    for (long modelSeed : new long[] {0, 1}) {
      long t0 = System.nanoTime();
      TransformerTrainer.Trained t =
          TransformerTrainer.train(s.transformer(), task, s.seed(), modelSeed);
      Map<String, Evaluation> e = t.evaluation();
      System.out.printf(
          "agreement, model seed %d: %.1f s, eval accuracy %s%n",
          modelSeed,
          (System.nanoTime() - t0) / 1e9,
          e.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue().accuracy()).toList());
      assertThat(e.keySet()).containsExactly("ALL", "singular", "plural", "attractor");
      for (String st : task.subtasks()) {
        assertThat(e.get(st).accuracy()).as(st).isGreaterThanOrEqualTo(0.95);
      }
      // The objective's accuracy, recomputed from Gpt2's logits at the last position.
      Gpt2Objective o = new Gpt2Objective(t.config());
      org.subnetlab.transformer.Gpt2 net = new org.subnetlab.transformer.Gpt2(t.config());
      org.subnetlab.task.Dataset d = task.evalSplit().subtask("attractor");
      int len = d.inputSize();
      int[] tokens = new int[d.size() * len];
      float[] row = new float[len];
      for (int i = 0; i < d.size(); i++) {
        d.copyFeatures(i, row, 0);
        for (int p = 0; p < len; p++) {
          tokens[i * len + p] = (int) row[p];
        }
      }
      float[] logits = net.logits(t.params(), tokens, d.size(), len);
      int v = t.config().vocab();
      int right = 0;
      for (int i = 0; i < d.size(); i++) {
        int best = 0;
        for (int j = 1; j < v; j++) {
          if (logits[(i * len + len - 1) * v + j] > logits[(i * len + len - 1) * v + best]) {
            best = j;
          }
        }
        right += best == d.label(i) ? 1 : 0;
      }
      assertThat((double) right / d.size()).isEqualTo(o.evaluate(t.params(), d).accuracy());
    }
  }
}
