package org.subnetlab.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.subnetlab.mask.MaskContext;
import org.subnetlab.mask.MaskMethods;
import org.subnetlab.model.Evaluation;
import org.subnetlab.model.Gpt2Objective;
import org.subnetlab.model.MaskedObjective;
import org.subnetlab.model.TransformerTrainer;
import org.subnetlab.task.Dataset;
import org.subnetlab.transformer.Gpt2;
import org.subnetlab.transformer.Gpt2Config;

/**
 * The transformer figures of {@code subnetlab bench}: mask-training steps/s and tokens/s on one
 * core, per method, for the shape of the PyTorch peer {@code torch_transformer_masks.py} (a
 * GPT-2-style decoder: vocabulary 64, context 16, width 128, 4 heads, 2 layers, MLP 512, exact
 * GELU, tied head; batch 32; next-token cross-entropy at every position; a mask on every
 * parameter), side by side with the peer in the same invocation.
 *
 * <p>Each step is what the project's mask methods do in a sweep ({@link MaskMethods}, the classes
 * the sweep runs): the peer's work per step is matched — csordas samples 4 masks per step, each on
 * its own quarter of the batch; continuous sparsification and hard concrete one gate per parameter;
 * Adam at learning rate 0.01 on the mask parameters; every parameter masked ({@code mask-biases =
 * 1}, as the peer masks LayerNorm gains and biases too).
 */
final class TransformerBench {
  static final int VOCAB = 64;
  static final int CONTEXT = 16;
  static final int BATCH = 32;
  static final Gpt2Config SHAPE =
      new Gpt2Config(2, 128, 4, 512, VOCAB, CONTEXT, 1e-5, Gpt2Config.Activation.GELU, true);

  /** The project's method id → the peer's {@code --method}. */
  static final Map<String, String> METHODS =
      Map.of(
          "csordas", "csordas",
          "continuous-sparsification", "cs",
          "hard-concrete", "hard-concrete");

  static final List<String> ORDER =
      List.of("csordas", "continuous-sparsification", "hard-concrete");

  private TransformerBench() {}

  /** The figure names' shape label. */
  static String shapeLabel() {
    return String.format(
        java.util.Locale.ROOT,
        "gpt2_L%d_d%d_h%d_ff%d_V%d_T%d",
        SHAPE.layers(),
        SHAPE.width(),
        SHAPE.heads(),
        SHAPE.mlpWidth(),
        VOCAB,
        CONTEXT);
  }

  /** The peer's arguments for {@code method} (beyond --steps and --threads). */
  static List<String> peerArgs(String method) {
    return List.of(
        "--vocab",
        Integer.toString(VOCAB),
        "--context",
        Integer.toString(CONTEXT),
        "--d-model",
        Integer.toString(SHAPE.width()),
        "--heads",
        Integer.toString(SHAPE.heads()),
        "--layers",
        Integer.toString(SHAPE.layers()),
        "--d-ff",
        Integer.toString(SHAPE.mlpWidth()),
        "--batch",
        Integer.toString(BATCH),
        "--method",
        METHODS.get(method));
  }

  /**
   * Next-token cross-entropy at every position of random sequences of {@code CONTEXT + 1} tokens
   * (the peer's loss): an example's features are its first {@code CONTEXT} tokens, and the targets
   * its last {@code CONTEXT}, held here by row.
   */
  static final class NextToken implements MaskedObjective {
    private final int[] sequences; // n × (CONTEXT + 1)
    private final ThreadLocal<Gpt2> decoder = ThreadLocal.withInitial(() -> new Gpt2(SHAPE));
    private int[] tokens = new int[0];
    private int[] targets = new int[0];

    NextToken(int[] sequences) {
      this.sequences = sequences;
    }

    @Override
    public int numParams() {
      return decoder.get().numParams();
    }

    @Override
    public double lossAndGradient(
        float[] effective, Dataset data, int[] rows, int from, int to, float[] gradient) {
      int batch = to - from;
      if (tokens.length != batch * CONTEXT) {
        tokens = new int[batch * CONTEXT];
        targets = new int[batch * CONTEXT];
      }
      for (int r = 0; r < batch; r++) {
        int row = rows[from + r];
        System.arraycopy(sequences, row * (CONTEXT + 1), tokens, r * CONTEXT, CONTEXT);
        System.arraycopy(sequences, row * (CONTEXT + 1) + 1, targets, r * CONTEXT, CONTEXT);
      }
      return decoder.get().lossAndGradient(effective, tokens, targets, batch, CONTEXT, gradient);
    }

    @Override
    public Evaluation evaluate(float[] effective, Dataset data) {
      int n = data.size();
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      double loss = lossAndGradient(effective, data, all, 0, n, null);
      return new Evaluation(0, loss, n);
    }

    /** The bench times training only; no stage asks this objective for per-example results. */
    @Override
    public void perExample(float[] effective, Dataset data, boolean[] correct, double[] loss) {
      throw new UnsupportedOperationException("the bench's next-token objective reports loss only");
    }
  }

  /** A context over GPT-2-initialised θ and {@code n} random sequences, seeded. */
  static MaskContext context(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] theta = TransformerTrainer.initialise(SHAPE, rng);
    int n = 1024;
    int[] sequences = new int[n * (CONTEXT + 1)];
    for (int i = 0; i < sequences.length; i++) {
      sequences[i] = rng.nextInt(VOCAB);
    }
    float[] features = new float[n * CONTEXT];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < CONTEXT; p++) {
        features[i * CONTEXT + p] = sequences[i * (CONTEXT + 1) + p];
      }
      labels[i] = sequences[i * (CONTEXT + 1) + CONTEXT];
    }
    Dataset data = new Dataset(CONTEXT, VOCAB, features, labels, new int[n], List.of("all"));
    return new MaskContext(
        new NextToken(sequences), theta, theta, Gpt2Objective.layout(SHAPE), data, rng);
  }

  /** The peer's settings, in the project's hyperparameter names. */
  static Map<String, Double> hyperparameters(String method, int steps) {
    Map<String, Double> hp = new LinkedHashMap<>();
    hp.put("steps", (double) steps);
    hp.put("batch-size", (double) BATCH);
    hp.put("learning-rate", 0.01);
    hp.put("mask-biases", 1.0);
    switch (method) {
      case "csordas" -> {
        hp.put("alpha", 1e-4);
        hp.put("tau", 1.0);
        hp.put("logit-init", 0.9);
        hp.put("masks-per-batch", 4.0);
      }
      case "continuous-sparsification" -> {
        hp.put("lambda", 1e-4);
        hp.put("beta-start", 1.0);
        hp.put("beta-end", 1.0);
        hp.put("mask-init", 1.0);
      }
      case "hard-concrete" -> {
        hp.put("lambda", 1e-4);
        hp.put("log-alpha-init", 1.0);
      }
      default -> throw new IllegalArgumentException("no transformer bench for " + method);
    }
    return hp;
  }

  /** Steps/s of one mask run of {@code steps} steps after an untimed run of 20. */
  static double maskSteps(String method, int steps) {
    MaskContext ctx = context(1);
    MaskMethods.create(method, hyperparameters(method, 20)).train(ctx);
    long t0 = System.nanoTime();
    MaskMethods.create(method, hyperparameters(method, steps)).train(ctx);
    return steps / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * One figure per method and unit, with the peer's beside it when {@code peer} runs: {@code
   * repeats} rounds of the project's run then the peer's, the fastest of each kept (so a busy
   * moment of the machine does not decide the ratio).
   */
  static List<Figure> figures(int steps, Path peer, int repeats) {
    List<Figure> out = new ArrayList<>();
    String shape = shapeLabel();
    for (String method : ORDER) {
      double stepsPerS = 0;
      Double peerValue = null;
      for (int r = 0; r < repeats; r++) {
        double own = maskSteps(method, steps);
        stepsPerS = Math.max(stepsPerS, own);
        Double p = PeerProcess.stepsPerSecond(peer, peerArgs(method), steps);
        if (p != null) {
          peerValue = peerValue == null ? p : Math.max(peerValue, p);
        }
        System.err.printf(
            java.util.Locale.ROOT,
            "bench: transformer %s round %d: %.3f steps/s, peer %s%n",
            method,
            r + 1,
            own,
            p == null ? "-" : String.format(java.util.Locale.ROOT, "%.3f", p));
      }
      int tokensPerStep = BATCH * CONTEXT;
      out.add(
          new Figure(
              "transformer_mask_steps_per_s/" + method + "/" + shape,
              stepsPerS,
              "steps/s",
              peerValue));
      out.add(
          new Figure(
              "transformer_mask_tokens_per_s/" + method + "/" + shape,
              stepsPerS * tokensPerStep,
              "tokens/s",
              peerValue == null ? null : peerValue * tokensPerStep));
    }
    return out;
  }

  /** A bench figure: name, value, unit, the peer's value or null. */
  record Figure(String name, double value, String unit, Double peerValue) {}
}
