package org.subnetlab.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.subnetlab.config.TransformerSettings;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;
import org.subnetlab.transformer.Gpt2Config;
import org.subnetlab.transformer.Gpt2Layout;

/**
 * Trains a GPT-2-style decoder on a sequence task ({@code model.kind = transformer}): GPT-2's
 * initialisation (weights N(0, 0.02²), the residual projections {@code c_proj} N(0, (0.02/√(2L))²),
 * biases 0, LayerNorm gains 1) except the embeddings ({@code wte}, {@code wpe}, an untied {@code
 * lm_head}), which are N(0, 1) as PyTorch's {@code nn.Embedding} draws them ({@link
 * #EMBEDDING_STD}), drawn from the model seed, then {@code steps} Adam steps (β 0.9 / 0.999, ε
 * 1e-8, no weight decay) on minibatches drawn with replacement from the train split, with linear
 * warm-up and cosine decay ({@link TransformerSettings#learningRateAt}). Single-threaded arithmetic
 * in a fixed order: the same settings, seeds and task give bit-identical parameters (with OpenBLAS
 * on one thread, as {@code bin/subnetlab} runs it).
 */
public final class TransformerTrainer {
  private TransformerTrainer() {}

  /**
   * Standard deviation of the embeddings' initialisation. GPT-2's 0.02 left the demo's decoder (and
   * a PyTorch peer with the same settings) on a plateau near 30–55 % of the 768-entry table: Adam
   * moves every weight by about the learning rate per step, 15 % of a 0.02 embedding at 0.003, and
   * the tokens' codes never separate. At 1.0 both memorise it (docs/transformers.md).
   */
  public static final double EMBEDDING_STD = 1.0;

  /** The trained decoder: config, initial and trained parameters, eval accuracy per subtask. */
  public record Trained(
      Gpt2Config config, float[] initial, float[] params, Map<String, Evaluation> evaluation) {}

  /** The decoder's shape for {@code task} (vocabulary = the task's classes, which are tokens). */
  public static Gpt2Config config(TransformerSettings s, Task task) {
    return new Gpt2Config(
        s.layers(),
        s.width(),
        s.heads(),
        s.mlpWidth(),
        task.numClasses(),
        s.context(),
        1e-5,
        s.activation().equals("gelu") ? Gpt2Config.Activation.GELU : Gpt2Config.Activation.GELU_NEW,
        s.tiedHead());
  }

  /** GPT-2's initialisation of {@code config}'s parameters from {@code rng}. */
  public static float[] initialise(Gpt2Config config, SplittableRandom rng) {
    Gpt2Layout layout = new Gpt2Layout(config);
    float[] p = new float[layout.numParams()];
    double projStd = 0.02 / Math.sqrt(2.0 * config.layers());
    for (Gpt2Layout.Block b : layout.blocks()) {
      String n = b.name();
      if (n.contains(".ln_") || n.startsWith("ln_f")) {
        if (n.endsWith(".weight")) {
          java.util.Arrays.fill(p, b.offset(), b.offset() + b.size(), 1f);
        }
      } else if (n.endsWith(".weight")) {
        boolean embedding =
            n.startsWith("wte.") || n.startsWith("wpe.") || n.startsWith("lm_head.");
        double std = embedding ? EMBEDDING_STD : n.endsWith("c_proj.weight") ? projStd : 0.02;
        for (int i = 0; i < b.size(); i++) {
          p[b.offset() + i] = (float) (std * rng.nextGaussian());
        }
      }
    }
    return p;
  }

  /** Trains on {@code task}'s train split; evaluates on its eval split, per eval subtask. */
  public static Trained train(TransformerSettings s, Task task, long seed, long modelSeed) {
    Gpt2Config config = config(s, task);
    String stream = "model/transformer" + (modelSeed == 0 ? "" : "/seed-" + modelSeed);
    float[] initial = initialise(config, Seeds.stream(seed, stream + "/init"));
    SplittableRandom batches = Seeds.stream(seed, stream + "/batches");
    Gpt2Objective objective = new Gpt2Objective(config);
    Dataset train = task.trainSplit();
    int n = train.size();
    float[] p = initial.clone();
    float[] g = new float[p.length];
    float[] m = new float[p.length];
    float[] v = new float[p.length];
    int[] rows = new int[s.batchSize()];
    double b1 = 0.9;
    double b2 = 0.999;
    for (int t = 0; t < s.steps(); t++) {
      for (int r = 0; r < rows.length; r++) {
        rows[r] = batches.nextInt(n);
      }
      objective.lossAndGradient(p, train, rows, 0, rows.length, g);
      double lr = s.learningRateAt(t);
      double c1 = 1 - Math.pow(b1, t + 1);
      double c2 = 1 - Math.pow(b2, t + 1);
      float step = (float) (lr / c1);
      float sqrtC2 = (float) Math.sqrt(c2);
      for (int i = 0; i < p.length; i++) {
        m[i] = (float) (b1 * m[i] + (1 - b1) * g[i]);
        v[i] = (float) (b2 * v[i] + (1 - b2) * g[i] * g[i]);
        p[i] -= step * m[i] / ((float) Math.sqrt(v[i]) / sqrtC2 + 1e-8f);
      }
    }
    return new Trained(config, initial, p, evaluate(objective, p, task));
  }

  /**
   * A trained GPT-2 the user brings ({@code model.transformer.import}): the Hugging Face checkpoint
   * in {@code dir}, checked against the task (its vocabulary holds every token id and label, its
   * context the sequence length), evaluated on the eval split. A checkpoint has no initial weights:
   * θ_init (what rewinding methods rewind to) is a fresh draw of this tool's GPT-2 initialisation
   * for its shape, seeded like a trained model's.
   */
  public static Trained imported(java.nio.file.Path dir, Task task, long seed, long modelSeed) {
    org.subnetlab.transformer.Gpt2Import.Checkpoint c =
        org.subnetlab.transformer.Gpt2Import.read(dir);
    Gpt2Config config = c.config();
    if (config.vocab() < task.numClasses()) {
      throw new org.subnetlab.config.BadInputException(
          "The GPT-2 checkpoint in "
              + dir
              + " has vocab_size "
              + config.vocab()
              + ", but task "
              + task.name()
              + " uses token ids up to "
              + (task.numClasses() - 1)
              + ": the checkpoint's vocabulary must hold them.");
    }
    if (config.context() < task.inputSize()) {
      throw new org.subnetlab.config.BadInputException(
          "The GPT-2 checkpoint in "
              + dir
              + " has n_positions "
              + config.context()
              + ", shorter than the task's sequences of "
              + task.inputSize()
              + " tokens.");
    }
    String stream = "model/transformer" + (modelSeed == 0 ? "" : "/seed-" + modelSeed);
    float[] initial = initialise(config, Seeds.stream(seed, stream + "/init"));
    return new Trained(
        config, initial, c.params(), evaluate(new Gpt2Objective(config), c.params(), task));
  }

  /** Accuracy on the whole eval split ({@code ALL}) and on each eval subtask. */
  public static Map<String, Evaluation> evaluate(Gpt2Objective objective, float[] p, Task task) {
    Map<String, Evaluation> out = new LinkedHashMap<>();
    out.put("ALL", objective.evaluate(p, task.evalSplit()));
    for (String sub : task.evalSubtasks()) {
      out.put(sub, objective.evaluate(p, task.evalExamples(sub)));
    }
    return out;
  }
}
