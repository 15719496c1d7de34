package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * The base model when {@code model.kind = transformer} (issue 25): a GPT-2-style decoder trained by
 * subnetlab with Adam ({@code model.transformer.*}). The vocabulary is not a key: it comes from the
 * task (numbers, operation tokens and {@code =} for arithmetic as text).
 *
 * @param layers decoder blocks
 * @param width residual stream width (a multiple of {@code heads})
 * @param heads attention heads per block
 * @param mlpWidth inner width of each block's MLP
 * @param context positions the model takes (at least the task's sequence length)
 * @param activation Hugging Face's name of the MLP activation: {@code gelu_new} or {@code gelu}
 * @param tiedHead whether the output head is the token embedding ({@code wte}) transposed
 * @param steps Adam steps
 * @param batchSize sequences per step
 * @param learningRate peak learning rate
 * @param warmupSteps steps of linear warm-up from 0 to the peak
 * @param finalLearningRate the learning rate the cosine decay ends at, as a fraction of the peak
 * @param importPath a directory holding a Hugging Face GPT-2 checkpoint ({@code config.json} and
 *     {@code model.safetensors}) to use as the base model instead of training one; "" = train
 */
public record TransformerSettings(
    int layers,
    int width,
    int heads,
    int mlpWidth,
    int context,
    String activation,
    boolean tiedHead,
    int steps,
    int batchSize,
    double learningRate,
    int warmupSteps,
    double finalLearningRate,
    String importPath) {

  public static final List<String> KINDS = List.of("mlp", "transformer");
  public static final List<String> ACTIVATIONS = List.of("gelu_new", "gelu");

  /** {@code model.kind} is {@code transformer}. */
  static boolean selected(Config c) {
    return Keys.oneOf(c, "model.kind", KINDS).equals("transformer");
  }

  /** The settings under {@code model.transformer}; every key range-checked. */
  static TransformerSettings of(Config c) {
    String p = "model.transformer.";
    int width = Keys.intIn(c, p + "width", 1, 65_536);
    int heads = Keys.intIn(c, p + "heads", 1, 1024);
    if (width % heads != 0) {
      throw Keys.bad(
          c, p + "width", "must be a multiple of model.transformer.heads (" + heads + ")");
    }
    int steps = Keys.intIn(c, p + "steps", 1, 10_000_000);
    int warmup = Keys.intIn(c, p + "warmup-steps", 0, 10_000_000);
    if (warmup >= steps) {
      throw Keys.bad(
          c, p + "warmup-steps", "must be less than model.transformer.steps (" + steps + ")");
    }
    if (c.getValue(p + "tied-head").valueType() != com.typesafe.config.ConfigValueType.BOOLEAN) {
      throw Keys.bad(c, p + "tied-head", "must be true or false");
    }
    return new TransformerSettings(
        Keys.intIn(c, p + "layers", 1, 1024),
        width,
        heads,
        Keys.intIn(c, p + "mlp-width", 1, 262_144),
        Keys.intIn(c, p + "context", 1, 65_536),
        Keys.oneOf(c, p + "activation", ACTIVATIONS),
        c.getBoolean(p + "tied-head"),
        steps,
        Keys.intIn(c, p + "batch-size", 1, 65_536),
        Keys.doubleIn(c, p + "learning-rate", 0.0, true, 1.0),
        warmup,
        Keys.doubleIn(c, p + "final-learning-rate", 0.0, false, 1.0),
        c.getString(p + "import"));
  }

  /** Whether the base model is a checkpoint the user brings ({@code model.transformer.import}). */
  public boolean isImported() {
    return !importPath.isBlank();
  }

  /** The learning rate of Adam step {@code t} (from 0): linear warm-up, then cosine decay. */
  public double learningRateAt(int t) {
    if (t < warmupSteps) {
      return learningRate * (t + 1) / warmupSteps;
    }
    double progress = (double) (t - warmupSteps) / Math.max(1, steps - warmupSteps);
    double cos = 0.5 * (1 + Math.cos(Math.PI * progress));
    return learningRate * (finalLearningRate + (1 - finalLearningRate) * cos);
  }
}
