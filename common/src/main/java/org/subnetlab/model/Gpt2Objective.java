package org.subnetlab.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.subnetlab.config.BadInputException;
import org.subnetlab.task.Dataset;
import org.subnetlab.transformer.Gpt2;
import org.subnetlab.transformer.Gpt2Config;
import org.subnetlab.transformer.Gpt2Layout;

/**
 * A GPT-2-style decoder ({@link Gpt2}) as a {@link MaskedObjective}, so the mask methods run on it
 * unchanged: an example's features are its token ids (one per position, as floats; {@link
 * Dataset#inputSize()} is the sequence length) and its label is the token the model must predict at
 * the last position. The loss is the mean cross-entropy at that position, the accuracy that of the
 * argmax over the vocabulary there. The parameter layout ({@link #layout}) names the blocks as
 * Hugging Face does ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, …), so mask layers carry
 * those names.
 *
 * <p>Bad rows (a token id that is not an integer in the vocabulary, a sequence longer than the
 * context, a label outside the vocabulary) fail with one {@link BadInputException} naming the row.
 * Thread-safe: each thread gets its own decoder (the decoder keeps activations between its forward
 * and backward passes).
 */
public final class Gpt2Objective implements MaskedObjective {
  /** Sequences per forward pass in {@link #evaluate}. */
  static final int EVAL_CHUNK = 512;

  private final Gpt2Config config;
  private final ThreadLocal<Gpt2> decoder;

  public Gpt2Objective(Gpt2Config config) {
    this.config = config;
    this.decoder = ThreadLocal.withInitial(() -> new Gpt2(config));
  }

  public Gpt2Config config() {
    return config;
  }

  /** The parameter blocks under Hugging Face's names, in the order of the flat array. */
  public static ParamLayout layout(Gpt2Config config) {
    List<Gpt2Layout.Block> blocks = new Gpt2Layout(config).blocks();
    List<String> names = new ArrayList<>();
    long[] off = new long[blocks.size()];
    long[] size = new long[blocks.size()];
    for (int i = 0; i < blocks.size(); i++) {
      names.add(blocks.get(i).name());
      off[i] = blocks.get(i).offset();
      size[i] = blocks.get(i).size();
    }
    return new ParamLayout(List.copyOf(names), off, size);
  }

  public ParamLayout layout() {
    return layout(config);
  }

  @Override
  public int numParams() {
    return decoder.get().numParams();
  }

  @Override
  public double lossAndGradient(
      float[] effective, Dataset data, int[] rows, int from, int to, float[] gradient) {
    int len = data.inputSize();
    int batch = to - from;
    int[] tokens = new int[batch * len];
    int[] targets = new int[batch * len];
    java.util.Arrays.fill(targets, -1);
    float[] row = new float[len];
    for (int r = 0; r < batch; r++) {
      int i = rows[from + r];
      tokens(data, i, row, tokens, r * len);
      targets[r * len + len - 1] = label(data, i);
    }
    return decoder.get().lossAndGradient(effective, tokens, targets, batch, len, gradient);
  }

  @Override
  public Evaluation evaluate(float[] effective, Dataset data) {
    boolean[] correct = new boolean[data.size()];
    double[] loss = new double[data.size()];
    perExample(effective, data, correct, loss);
    return Evaluation.of(correct, loss, null);
  }

  /** Per example: whether the argmax at the last position is the label, and its cross-entropy. */
  public void perExample(float[] effective, Dataset data, boolean[] correct, double[] loss) {
    int len = data.inputSize();
    int v = config.vocab();
    float[] row = new float[len];
    Gpt2 net = decoder.get();
    for (int start = 0; start < data.size(); start += EVAL_CHUNK) {
      int batch = Math.min(EVAL_CHUNK, data.size() - start);
      int[] tokens = new int[batch * len];
      for (int r = 0; r < batch; r++) {
        tokens(data, start + r, row, tokens, r * len);
      }
      float[] logits = net.logits(effective, tokens, batch, len);
      for (int r = 0; r < batch; r++) {
        int o = (r * len + len - 1) * v;
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
          if (logits[o + j] > max) {
            max = logits[o + j];
            best = j;
          }
        }
        double sum = 0;
        for (int j = 0; j < v; j++) {
          sum += Math.exp(logits[o + j] - max);
        }
        int label = label(data, start + r);
        correct[start + r] = best == label;
        loss[start + r] = max + Math.log(sum) - logits[o + label];
      }
    }
  }

  private void tokens(Dataset data, int i, float[] row, int[] out, int offset) {
    int len = row.length;
    if (len > config.context()) {
      throw new BadInputException(
          String.format(
              Locale.ROOT,
              "Row %d: a sequence of %d tokens is longer than the transformer's context of %d"
                  + " positions (model.transformer.context)",
              i,
              len,
              config.context()));
    }
    data.copyFeatures(i, row, 0);
    for (int p = 0; p < len; p++) {
      float t = row[p];
      if (!(t >= 0) || t >= config.vocab() || t != Math.rint(t)) {
        throw new BadInputException(
            String.format(
                Locale.ROOT,
                "Row %d: token id %s at position %d is not a token of the vocabulary [0, %d)",
                i,
                Float.toString(t),
                p,
                config.vocab()));
      }
      out[offset + p] = (int) t;
    }
  }

  private int label(Dataset data, int i) {
    int label = data.label(i);
    if (label < 0 || label >= config.vocab()) {
      throw new BadInputException(
          String.format(
              Locale.ROOT,
              "Row %d: target token %d is not a token of the vocabulary [0, %d)",
              i,
              label,
              config.vocab()));
    }
    return label;
  }
}
