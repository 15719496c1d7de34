package org.subnetlab.transformer;

import java.util.Locale;

/**
 * The shape of a GPT-2-style decoder: {@code layers} pre-LayerNorm blocks of {@code width}-wide
 * causal self-attention with {@code heads} heads and a GELU MLP {@code mlpWidth} wide, a vocabulary
 * of {@code vocab} tokens, {@code context} positions, LayerNorm epsilon {@code epsilon}, the MLP's
 * activation, and whether the output head is tied to the token embedding ({@code wte}) or a
 * separate {@code lm_head.weight} [vocab, width].
 */
public record Gpt2Config(
    int layers,
    int width,
    int heads,
    int mlpWidth,
    int vocab,
    int context,
    double epsilon,
    Activation activation,
    boolean tiedHead) {

  /** The MLP's activation, by Hugging Face's {@code activation_function} name. */
  public enum Activation {
    /** GPT-2's tanh approximation, {@code gelu_new}: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    GELU_NEW("gelu_new"),
    /** The exact GELU, {@code gelu}: x·Φ(x). */
    GELU("gelu");

    private final String hfName;

    Activation(String hfName) {
      this.hfName = hfName;
    }

    /** Hugging Face's name of this activation. */
    public String hfName() {
      return hfName;
    }
  }

  public Gpt2Config {
    positive("layers", layers);
    positive("width", width);
    positive("heads", heads);
    positive("mlpWidth", mlpWidth);
    positive("vocab", vocab);
    positive("context", context);
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "GPT-2 width %d must be a multiple of heads %d", width, heads));
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("GPT-2 LayerNorm epsilon must be > 0, got " + epsilon);
    }
    if (activation == null) {
      throw new IllegalArgumentException("GPT-2 activation must be given");
    }
  }

  /** GPT-2's defaults for the rest: MLP 4·width, epsilon 1e-5, gelu_new, tied head. */
  public static Gpt2Config of(int layers, int width, int heads, int vocab, int context) {
    return new Gpt2Config(
        layers, width, heads, 4 * width, vocab, context, 1e-5, Activation.GELU_NEW, true);
  }

  /** Width of one attention head. */
  public int headWidth() {
    return width / heads;
  }

  /** This configuration with an untied output head ({@code lm_head.weight}). */
  public Gpt2Config untied() {
    return new Gpt2Config(
        layers, width, heads, mlpWidth, vocab, context, epsilon, activation, false);
  }

  private static void positive(String name, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException("GPT-2 " + name + " must be > 0, got " + v);
    }
  }
}
