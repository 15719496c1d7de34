package org.subnetlab.mask;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.Hyperparameters;
import org.subnetlab.config.MethodDeclaration;
import org.subnetlab.model.MaskedObjective;
import org.subnetlab.numeric.FloatExp;
import org.subnetlab.task.Dataset;

/**
 * Differentiable weight masks of Csordás, van Steenkiste & Schmidhuber (ICLR 2021), at the scale of
 * their reference code (RobertCsordas/modules, {@code tasks/task.py} {@code train_step}, {@code
 * masked_model.py} {@code mask_loss}).
 *
 * <p>Logits l (one per parameter, initialised to {@code logit-init}); each step samples {@code
 * masks-per-batch} masks, mask j on its own slice S_j of the batch of B examples: s = σ((l + z)/τ)
 * with z = log(u/(1−u)), u ~ U(0,1) — the logistic variable equal in law to −log(log U1 / log U2)
 * of the paper — and hard b = [s > 0.5] in the forward pass with the straight-through gradient
 * ∂b/∂s = 1. The loss of a step is
 *
 * <pre>
 *   L = (1/B) Σ_j Σ_{x ∈ S_j} CE(x; θ ⊙ b_j)  +  (α/B) Σ_i l_i
 * </pre>
 *
 * <p>the batch-mean cross-entropy (PyTorch's default {@code reduction='mean'} over the whole batch,
 * each slice with its own mask) plus the sum of the logits times α divided by the batch size, as
 * the reference code divides {@code mask_loss_weight · Σ l} by {@code batch_size}. So α is the
 * reference code's {@code mask_loss_weight} (default 1e-4 there). Until issue 22 subnetlab's α
 * weighed each logit against the mean CE without the division: α = α_old · B (e.g. the old default
 * 5e-5 at B = 128 is α = 6.4e-3). The final mask is [l > 0].
 *
 * <p>With {@code mask-biases = 0} (the default, as the reference code's feed-forward add/mul and
 * tuple experiments, {@code bias_no_mask = 1} in {@code sweeps/addmul_feedforward*.yaml} and {@code
 * sweeps/tuple_feedforward*.yaml}) the biases have no logit that matters: their gate is 1 in every
 * sample, their gradient 0, they are left out of Σ l and kept in the final mask.
 */
public final class CsordasMethod implements MaskMethod {
  public static final String ID = "csordas";

  /** Forward gate: the hard sample of training, or the soft sample (for gradient checks). */
  enum Gate {
    HARD,
    SOFT
  }

  private final int steps;
  private final int batchSize;
  private final double learningRate;
  private final double alpha;
  private final double tau;
  private final double logitInit;
  private final int masksPerBatch;
  private final boolean maskBiases;

  /** The reference code's feed-forward experiments do not mask biases (see the class comment). */
  static final boolean MASK_BIASES_DEFAULT = false;

  /** Its hyperparameters (reference.conf, block {@code masks.csordas}, says why each default). */
  public static final MethodDeclaration DECLARATION =
      MethodDeclaration.of(
              ID,
              "differentiable weight masks: Gumbel-sigmoid logits, straight-through hard samples",
              HyperParameter.integer("steps", 1, 10_000_000, 1500, "Adam steps"),
              HyperParameter.integer(
                  "batch-size",
                  1,
                  65_536,
                  128,
                  "examples per step, split over the masks of the step; divisor of the penalty"),
              HyperParameter.real(
                  "learning-rate", 0, true, 10, 0.01, "Adam learning rate of the logits"),
              HyperParameter.real(
                      "alpha",
                      0,
                      false,
                      1,
                      0.01,
                      "weight of the sum-of-logits penalty, divided by batch-size")
                  .regulariser(+1, HyperParameter.halfDecades(1e-4, 0, 6)),
              HyperParameter.real("tau", 0, true, 100, 1.0, "Gumbel-sigmoid temperature"),
              HyperParameter.real("logit-init", -20, false, 20, 2.0, "initial logit"),
              HyperParameter.integer(
                  "masks-per-batch",
                  1,
                  64,
                  4,
                  "masks sampled per step, each on its own slice of the batch"),
              Maskable.parameter(
                  MASK_BIASES_DEFAULT,
                  "biases get logits like the weights (1) or are" + " always kept (0)"))
          .atMost("masks-per-batch", "batch-size");

  public CsordasMethod(Hyperparameters hp) {
    this.steps = hp.integer("steps");
    this.batchSize = hp.integer("batch-size");
    this.learningRate = hp.real("learning-rate");
    this.alpha = hp.real("alpha");
    this.tau = hp.real("tau");
    this.logitInit = hp.real("logit-init");
    this.masksPerBatch = hp.integer("masks-per-batch");
    this.maskBiases = hp.flag("mask-biases");
  }

  /** The method at these values, missing keys at their defaults (for tests). */
  CsordasMethod(Map<String, Double> hp) {
    this(DECLARATION.values(hp));
  }

  @Override
  public String id() {
    return ID;
  }

  /**
   * Each step passes the batch once (a slice per mask) but samples and accumulates every gate once
   * per mask: with 4 masks a step measured 1.7–1.8 continuous-sparsification steps.
   */
  @Override
  public double work() {
    return (double) steps * batchSize * (1 + 0.2 * masksPerBatch);
  }

  @Override
  public MaskTrainingResult train(MaskContext ctx) {
    MaskedObjective objective = ctx.objective();
    float[] theta = ctx.theta();
    Dataset examples = ctx.examples();
    SplittableRandom rng = ctx.rng();
    int n = theta.length;
    float[] logits = new float[n];
    Arrays.fill(logits, (float) logitInit);
    boolean[] maskable = Maskable.of(ctx.layout(), maskBiases);
    Scratch scratch = new Scratch(n, Maskable.fixed(maskable));
    return TrainingLoop.run(
        logits,
        ctx.layout(),
        maskable,
        examples,
        steps,
        batchSize,
        learningRate,
        rng,
        (step, rows, grad) ->
            step(objective, theta, logits, examples, rows, rng, Gate.HARD, grad, scratch));
  }

  /**
   * One step's loss L (see the class comment) for the batch {@code rows} with {@code gate}; writes
   * ∂L/∂l into {@code grad} (straight-through with {@link Gate#HARD}). The parameters {@code
   * scratch.fixed} are not masked: gate 1 (q = 0 gives s = 1 exactly), gradient 0, no penalty.
   */
  double step(
      MaskedObjective objective,
      float[] theta,
      float[] logits,
      Dataset examples,
      int[] rows,
      SplittableRandom rng,
      Gate gate,
      float[] grad,
      Scratch scratch) {
    Arrays.fill(grad, 0f);
    // once per step, shared by every sample (the gate buffer is free until the first one)
    expNegLogits(logits, scratch.expNegLogits, scratch.effective);
    for (int i : scratch.fixed) {
      scratch.expNegLogits[i] = 0f;
    }
    int b = rows.length;
    double ce = 0;
    for (int j = 0; j < masksPerBatch; j++) {
      int from = j * b / masksPerBatch;
      int to = (j + 1) * b / masksPerBatch;
      double share = (double) (to - from) / b; // the slice's part of the batch mean
      ce +=
          share
              * slice(objective, theta, rng, gate, examples, rows, from, to, grad, share, scratch);
    }
    return ce + penalty(logits, grad, scratch.fixed, b);
  }

  /**
   * The penalty (α/B)·Σ l over the masked logits, B the batch size; adds its gradient α/B to their
   * entries of {@code grad} and sets the entries of the {@code fixed} (unmasked) ones to 0.
   */
  double penalty(float[] logits, float[] grad, int[] fixed, int b) {
    double w = alpha / b;
    float wf = (float) w;
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      grad[i] += wf;
      sum += logits[i];
    }
    for (int i : fixed) {
      grad[i] = 0f;
      sum -= logits[i];
    }
    return w * sum;
  }

  /*
   * The sample s = σ((l + z)/τ) with logistic z = log(u/(1−u)) is computed without a logarithm or
   * an exponential per sample and parameter: with q = e^{−l/τ} (once per step) and the noise ratio
   * r = ((1−u)/u)^{1/τ} = e^{−z/τ} (a division when τ = 1), s = 1/(1 + q·r). Profiling showed the
   * per-sample log and exp dominating a step on a 268k-parameter MLP.
   */

  /**
   * Fills {@code out} with noise ratios r = e^{−z/τ} of independent standard logistic z, from u =
   * (k + ½)·2⁻²³ with k uniform on 23 bits (two per 64-bit draw): u is never 0 or 1 and 1 − u is
   * exact in float, so r = (1 − u)/u needs one float division (the logistic tails are cut at |z| ≈
   * 16.6, a probability of 2⁻²²). A double per sample and a double division measured a fifth of a
   * csordas step on the demo MLP.
   */
  void noiseRatios(SplittableRandom rng, float[] out) {
    boolean unitTau = tau == 1.0;
    double invTau = 1.0 / tau;
    for (int i = 0; i < out.length; i += 2) {
      long bits = rng.nextLong();
      out[i] = ratio(low(bits), unitTau, invTau);
      if (i + 1 < out.length) {
        out[i + 1] = ratio(high(bits), unitTau, invTau);
      }
    }
  }

  private static int low(long bits) {
    return (int) (bits & 0x7FFFFF);
  }

  private static int high(long bits) {
    return (int) ((bits >>> 23) & 0x7FFFFF);
  }

  private static float ratio(int k, boolean unitTau, double invTau) {
    float u = (k + 0.5f) * 0x1p-23f;
    float r = (1f - u) / u;
    return unitTau ? r : (float) Math.pow(r, invTau);
  }

  /**
   * q = e^{−l/τ} for every logit ({@link FloatExp}); {@code scratch}: as many floats, clobbered.
   */
  void expNegLogits(float[] logits, float[] out, float[] scratch) {
    FloatExp.scaled(logits, (float) (-1.0 / tau), out, scratch, logits.length);
  }

  /** Reusable per-run buffers. */
  static final class Scratch {
    final float[] effective;
    final float[] gradient;

    /** weight · θ · ∂s/∂l of the current sample: the chain-rule factor of ∂CE/∂θ_eff. */
    final float[] chain;

    final float[] expNegLogits;

    /** The parameters that are not masked (see {@link Maskable#fixed}). */
    final int[] fixed;

    Scratch(int n) {
      this(n, new int[0]);
    }

    Scratch(int n, int[] fixed) {
      this.fixed = fixed;
      effective = new float[n];
      gradient = new float[n];
      chain = new float[n];
      expNegLogits = new float[n];
    }
  }

  /**
   * CE of one mask sample on rows[from, to); adds {@code weight} × ∂CE/∂l into {@code grad}. The
   * sample is s = 1/(1 + q·r) with q = {@code scratch.expNegLogits} (see {@link #expNegLogits}) and
   * r the next noise ratios of {@code rng} — the values {@link #noiseRatios} would give, drawn
   * inside this loop so that no array of them goes through memory. With {@link Gate#HARD} the
   * forward uses b = [s > 0.5] and the straight-through gradient ∂b/∂s = 1; ∂s/∂l = s(1 − s)/τ
   * either way.
   */
  double slice(
      MaskedObjective objective,
      float[] theta,
      SplittableRandom rng,
      Gate gate,
      Dataset examples,
      int[] rows,
      int from,
      int to,
      float[] grad,
      double weight,
      Scratch scratch) {
    float[] eff = scratch.effective;
    float[] chain = scratch.chain;
    float[] q = scratch.expNegLogits;
    boolean unitTau = tau == 1.0;
    double invTau = 1.0 / tau;
    float factor = (float) (weight / tau);
    boolean hard = gate == Gate.HARD;
    int n = theta.length;
    for (int i = 0; i < n; i += 2) {
      long bits = rng.nextLong();
      sample(i, ratio(low(bits), unitTau, invTau), hard, theta, q, eff, chain, factor);
      if (i + 1 < n) {
        sample(i + 1, ratio(high(bits), unitTau, invTau), hard, theta, q, eff, chain, factor);
      }
    }
    double ce = objective.lossAndGradient(eff, examples, rows, from, to, scratch.gradient);
    float[] g = scratch.gradient;
    for (int i = 0; i < n; i++) {
      grad[i] += g[i] * chain[i];
    }
    return ce;
  }

  /** Gate i of a sample with noise ratio r: θ_eff and the chain-rule factor. */
  private static void sample(
      int i,
      float r,
      boolean hard,
      float[] theta,
      float[] q,
      float[] eff,
      float[] chain,
      float factor) {
    float s = 1f / (1f + q[i] * r);
    chain[i] = theta[i] * (s * (1f - s) * factor);
    if (hard) {
      // eff = s > 0.5 ? θ : 0 without a branch (s − 0.5 is exact and positive iff s > 0.5, so
      // its bits as an int are > 0 iff s > 0.5): the branch mispredicts on ~30 % of the weights.
      int keep = -Float.floatToRawIntBits(s - 0.5f) >> 31;
      eff[i] = Float.intBitsToFloat(Float.floatToRawIntBits(theta[i]) & keep);
    } else {
      eff[i] = theta[i] * s;
    }
  }
}
