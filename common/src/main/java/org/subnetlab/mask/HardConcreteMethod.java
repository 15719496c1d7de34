package org.subnetlab.mask;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.Hyperparameters;
import org.subnetlab.config.MethodDeclaration;
import org.subnetlab.model.MaskedObjective;
import org.subnetlab.numeric.FloatExp;
import org.subnetlab.numeric.FloatLog;
import org.subnetlab.task.Dataset;

/**
 * Hard-concrete gates with an expected-L0 penalty (Louizos, Welling & Kingma, ICLR 2018, sec. 4),
 * as used to find subnetworks of a frozen model by subnetwork probing (Cao, Sanh & Rush, NAACL
 * 2021) and NeuroSurgeon (Lepori et al.).
 *
 * <p>One log α per masked parameter (initialised to {@code log-alpha-init}). Each step draws u ~
 * U(0, 1) per parameter and the gate
 *
 * <pre>
 *   s = σ((log u − log(1 − u) + log α) / β),   s̄ = s·(ζ − γ) + γ,   z = min(1, max(0, s̄))
 * </pre>
 *
 * <p>(β the temperature, γ &lt; 0 and ζ &gt; 1 the stretch limits); effective weights θ ⊙ z; loss =
 * batch-mean CE + λ·Σ σ(log α − β·log(−γ/ζ)), the second sum the expected number of non-zero gates
 * (the paper's eq. 12). The gradient reaches log α through the sampled gate (∂z/∂log α = (ζ −
 * γ)·s(1 − s)/β where 0 &lt; s̄ &lt; 1, else 0) and through the penalty. The final mask is the
 * deterministic test-time gate ẑ = min(1, max(0, σ(log α)·(ζ − γ) + γ)) binarised: kept iff ẑ &gt;
 * {@code threshold} (0.5 as NeuroSurgeon; 0 keeps every gate the paper's test-time estimator leaves
 * non-zero).
 *
 * <p>With {@code mask-biases = 0} (the default: NeuroSurgeon's {@code mask_bias = False}, and Cao
 * et al. mask weight matrices only) the biases get no gate: factor 1, gradient 0, outside the
 * penalty, kept in the final mask.
 */
public final class HardConcreteMethod implements MaskMethod {
  public static final String ID = "hard-concrete";

  /** Its hyperparameters (reference.conf, block {@code masks.hard-concrete}). */
  public static final MethodDeclaration DECLARATION =
      MethodDeclaration.of(
          ID,
          "hard-concrete gates on log-alpha, expected-L0 penalty, deterministic gate at the end",
          HyperParameter.integer("steps", 1, 10_000_000, 1000, "Adam steps"),
          HyperParameter.integer("batch-size", 1, 65_536, 128, "examples per step"),
          HyperParameter.real("learning-rate", 0, true, 10, 0.1, "Adam learning rate of log-alpha"),
          HyperParameter.real(
                  "lambda",
                  0,
                  false,
                  1,
                  5e-4,
                  "weight of the expected-L0 penalty, per gate, against the batch-mean CE")
              .regulariser(+1, HyperParameter.halfDecades(5e-5, -1, 5)),
          HyperParameter.real("beta", 0, true, 100, 2.0 / 3, "temperature of the concrete gate"),
          HyperParameter.real("left-stretch", -10, false, 0, -0.1, "gamma: lower stretch limit")
              .rule(v -> v < 0, "must be < 0"),
          HyperParameter.real("right-stretch", 1, true, 10, 1.1, "zeta: upper stretch limit"),
          HyperParameter.real("log-alpha-init", -20, false, 20, 1.6, "initial log-alpha"),
          HyperParameter.real(
                  "threshold",
                  0,
                  false,
                  1,
                  0.5,
                  "final mask: kept iff the deterministic gate is above this")
              .rule(v -> v < 1, "must be < 1"),
          Maskable.parameter(false, "biases are gated like the weights (1) or always kept (0)"));

  private final int steps;
  private final int batchSize;
  private final double learningRate;
  private final double lambda;
  private final double beta;
  private final double gamma;
  private final double zeta;
  private final double logAlphaInit;
  private final double threshold;
  private final boolean maskBiases;

  /** The log α above which the final mask keeps a parameter (see {@link #kept}). */
  private final double cut;

  public HardConcreteMethod(Hyperparameters hp) {
    this.steps = hp.integer("steps");
    this.batchSize = hp.integer("batch-size");
    this.learningRate = hp.real("learning-rate");
    this.lambda = hp.real("lambda");
    this.beta = hp.real("beta");
    this.gamma = hp.real("left-stretch");
    this.zeta = hp.real("right-stretch");
    this.logAlphaInit = hp.real("log-alpha-init");
    this.threshold = hp.real("threshold");
    this.maskBiases = hp.flag("mask-biases");
    // a stretch symmetric about the threshold (γ + ζ = 2·threshold, as −0.1 + 1.1 = 2·0.5) has
    // the cut 0; in floating point (0.5 + 0.1)/(1.1 − 0.5) is 1 − 1 ulp, whose log is −1.9e-16
    double q = (threshold - gamma) / (zeta - gamma);
    this.cut = Math.abs(q - 0.5) < 1e-12 ? 0 : Math.log(q / (1 - q));
  }

  /** The method at these values, missing keys at their defaults (for tests). */
  HardConcreteMethod(Map<String, Double> hp) {
    this(DECLARATION.values(hp));
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public double work() {
    return (double) steps * batchSize;
  }

  @Override
  public MaskTrainingResult train(MaskContext ctx) {
    MaskedObjective objective = ctx.objective();
    float[] theta = ctx.theta();
    Dataset examples = ctx.examples();
    SplittableRandom rng = ctx.rng();
    int n = theta.length;
    float[] logAlpha = new float[n];
    Arrays.fill(logAlpha, (float) logAlphaInit);
    boolean[] maskable = Maskable.of(ctx.layout(), maskBiases);
    Scratch scratch = new Scratch(n, maskable);
    return TrainingLoop.run(
        logAlpha,
        ctx.layout(),
        maskable,
        examples,
        steps,
        batchSize,
        learningRate,
        rng,
        this::kept,
        (step, rows, grad) -> {
          uniforms(rng, scratch.u);
          return objective(
              objective, theta, logAlpha, scratch.u, examples, rows, 0, rows.length, grad, scratch);
        });
  }

  /** The deterministic test-time gate ẑ = min(1, max(0, σ(log α)·(ζ − γ) + γ)). */
  double deterministicGate(double logAlpha) {
    double s = 1 / (1 + Math.exp(-logAlpha));
    return Math.min(1, Math.max(0, s * (zeta - gamma) + gamma));
  }

  /**
   * The final-mask rule ẑ &gt; threshold, in the equivalent form log α &gt; log((threshold − γ)/(ζ
   * − threshold)) (ẑ is increasing in log α), so that it is exact at the cut: at the paper's γ and
   * ζ and threshold 0.5 the cut is log 1 = 0, where ẑ computed in floating point is 0.5 + 1 ulp.
   */
  boolean kept(float logAlpha) {
    return logAlpha > cut;
  }

  /** The sampled gate z for log α and uniform u (see the class comment). */
  double gate(double logAlpha, double u) {
    double s = 1 / (1 + Math.exp(-(Math.log(u) - Math.log(1 - u) + logAlpha) / beta));
    return Math.min(1, Math.max(0, s * (zeta - gamma) + gamma));
  }

  /** P(gate = 0) = σ(β·logit(−γ/(ζ − γ)) − log α), in closed form. */
  double probabilityZero(double logAlpha) {
    double p = -gamma / (zeta - gamma);
    return sigmoid(beta * Math.log(p / (1 - p)) - logAlpha);
  }

  /** P(gate = 1) = σ(log α − β·logit((1 − γ)/(ζ − γ))), in closed form. */
  double probabilityOne(double logAlpha) {
    double p = (1 - gamma) / (zeta - gamma);
    return sigmoid(logAlpha - beta * Math.log(p / (1 - p)));
  }

  /**
   * P(gate ≤ t) for 0 &lt; t &lt; 1, in closed form: s ≤ (t − γ)/(ζ − γ) = q, i.e. the logistic L =
   * log u − log(1 − u) ≤ β·logit(q) − log α.
   */
  double cdf(double logAlpha, double t) {
    double q = (t - gamma) / (zeta - gamma);
    return sigmoid(beta * Math.log(q / (1 - q)) - logAlpha);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * Fills {@code u} with independent uniforms u = (k + ½)·2⁻²³, k uniform on 23 bits (two per
   * 64-bit draw): never 0 or 1, so log u and log(1 − u) are finite (the logistic tails are cut at
   * |log u − log(1 − u)| ≈ 16.6).
   */
  static void uniforms(SplittableRandom rng, float[] u) {
    for (int i = 0; i < u.length; i += 2) {
      long bits = rng.nextLong();
      u[i] = ((int) (bits & 0x7FFFFF) + 0.5f) * 0x1p-23f;
      if (i + 1 < u.length) {
        u[i + 1] = ((int) ((bits >>> 23) & 0x7FFFFF) + 0.5f) * 0x1p-23f;
      }
    }
  }

  /** Reusable per-run buffers. */
  static final class Scratch {
    final float[] u;
    final float[] effective;
    final float[] gradient;
    final float[] chain;
    final float[] penaltyGradient;
    final float[] noise;
    final float[] gateExp;
    final float[] work;
    final boolean[] maskable;

    Scratch(int n, boolean[] maskable) {
      this.maskable = maskable;
      noise = new float[n];
      gateExp = new float[n];
      work = new float[n];
      u = new float[n];
      effective = new float[n];
      gradient = new float[n];
      chain = new float[n];
      penaltyGradient = new float[n];
    }
  }

  /**
   * The loss CE(θ ⊙ z) + λ·Σ σ(log α − β·log(−γ/ζ)) on rows[from, to) with the gates z drawn from
   * the uniforms {@code u}; writes ∂loss/∂log α into {@code grad}. Parameters that are not {@code
   * scratch.maskable} have z = 1, gradient 0 and no penalty.
   */
  double objective(
      MaskedObjective objective,
      float[] theta,
      float[] logAlpha,
      float[] u,
      Dataset examples,
      int[] rows,
      int from,
      int to,
      float[] grad,
      Scratch scratch) {
    int n = theta.length;
    double span = zeta - gamma;
    double shift = beta * Math.log(-gamma / zeta);
    float[] eff = scratch.effective;
    float[] chain = scratch.chain;
    float[] pg = scratch.penaltyGradient;
    boolean[] maskable = scratch.maskable;
    float[] noise = scratch.noise;
    float[] gate = scratch.gateExp;
    float[] work = scratch.work;
    // The transcendentals as whole-array loops (FloatLog, FloatExp; within 2 ulp of float): the
    // logistic noise ln u − ln(1 − u), e^{−(noise + log α)/β} for the gate s and e^{−(log α −
    // shift)} for the penalty's P(z ≠ 0).
    FloatLog.log(u, noise, work, n);
    for (int i = 0; i < n; i++) {
      gate[i] = 1f - u[i];
    }
    FloatLog.log(gate, gate, work, n);
    for (int i = 0; i < n; i++) {
      noise[i] = noise[i] - gate[i] + logAlpha[i];
    }
    FloatExp.scaled(noise, (float) (-1 / beta), gate, work, n);
    float fShift = (float) shift;
    for (int i = 0; i < n; i++) {
      noise[i] = logAlpha[i] - fShift;
    }
    FloatExp.scaled(noise, -1f, noise, work, n);
    float fSpan = (float) span;
    float fGamma = (float) gamma;
    float chainScale = (float) (span / beta);
    float fLambda = (float) lambda;
    double expectedL0 = 0;
    for (int i = 0; i < n; i++) {
      if (!maskable[i]) {
        eff[i] = theta[i];
        chain[i] = 0f;
        pg[i] = 0f;
        continue;
      }
      float s = 1f / (1f + gate[i]);
      float sBar = s * fSpan + fGamma;
      float z = Math.min(1f, Math.max(0f, sBar));
      eff[i] = theta[i] * z;
      chain[i] = sBar > 0f && sBar < 1f ? theta[i] * chainScale * s * (1f - s) : 0f;
      float p = 1f / (1f + noise[i]);
      expectedL0 += p;
      pg[i] = fLambda * p * (1f - p);
    }
    double ce = objective.lossAndGradient(eff, examples, rows, from, to, scratch.gradient);
    float[] g = scratch.gradient;
    for (int i = 0; i < n; i++) {
      grad[i] = g[i] * chain[i] + pg[i];
    }
    return ce + lambda * expectedL0;
  }
}
