package org.subnetlab.transformer;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Forward + backward steps per second of {@link Gpt2} on one thread, for the shape of the PyTorch
 * transformer peer ({@code torch_transformer_masks.py}: vocab 64, context 16, width 128, 4 heads, 2
 * layers, MLP 512, batch 32, next-token loss at every position). A step is one {@link
 * Gpt2#lossAndGradient} plus the mask gradient (∂L/∂m = g ⊙ θ); no optimiser. Prints one line.
 * Usage: {@code Gpt2Bench [steps] [batch] [gelu|gelu_new]} (the peer uses the exact GELU).
 */
public final class Gpt2Bench {
  private Gpt2Bench() {}

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    Gpt2Config.Activation activation =
        args.length > 2
            ? Gpt2Config.Activation.valueOf(args[2].toUpperCase(Locale.ROOT))
            : Gpt2Config.Activation.GELU;
    int vocab = 64;
    int context = 16;
    Gpt2Config config = new Gpt2Config(2, 128, 4, 512, vocab, context, 1e-5, activation, true);
    Gpt2 model = new Gpt2(config);
    SplittableRandom r = new SplittableRandom(0);
    float[] theta = new float[model.numParams()];
    for (Gpt2Layout.Block b : model.layout().blocks()) {
      boolean gain = b.shape().length == 1 && b.name().contains("ln");
      boolean bias = b.shape().length == 1 && !gain;
      for (int i = 0; i < b.size(); i++) {
        theta[b.offset() + i] =
            gain && b.name().endsWith("weight")
                ? 1f
                : bias || gain ? 0f : (float) (0.02 * r.nextGaussian());
      }
    }
    int[] seq = new int[batch * (context + 1)];
    for (int i = 0; i < seq.length; i++) {
      seq[i] = r.nextInt(vocab);
    }
    int[] tokens = new int[batch * context];
    int[] targets = new int[batch * context];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < context; t++) {
        tokens[b * context + t] = seq[b * (context + 1) + t];
        targets[b * context + t] = seq[b * (context + 1) + t + 1];
      }
    }
    float[] g = new float[theta.length];
    float[] gm = new float[theta.length];
    double loss = 0;
    for (int i = 0; i < Math.max(5, steps / 5); i++) {
      loss = model.lossAndGradient(theta, tokens, targets, batch, context, g);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      loss = model.lossAndGradient(theta, tokens, targets, batch, context, g);
      Gpt2.maskGradient(g, theta, gm);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "{\"impl\": \"subnetlab Gpt2 (%s, %s)\", \"params\": %d, \"shape\":"
            + " \"gpt2 L2 d128 h4 ff512 V64 T16\", \"batch\": %d, \"steps_per_s\": %.2f,"
            + " \"tokens_per_s\": %.0f, \"ms_per_step\": %.2f, \"loss\": %.4f}%n",
        Gpt2.gemmName(),
        activation.hfName(),
        theta.length,
        batch,
        steps / s,
        steps * batch * context / s,
        1000 * s / steps,
        loss);
  }
}
