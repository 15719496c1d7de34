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
 * Continuous sparsification (Savarese, Silva & Maire, NeurIPS 2020), as used for subnetworks by
 * Lepori, Serre & Pavlick (NeurIPS 2023).
 *
 * <p>A real score m per parameter (initialised to {@code mask-init}); effective weights θ ⊙ σ(β m);
 * loss = CE + λ·Σ σ(β m) (the L1 norm of the non-negative gates); β grows geometrically from {@code
 * beta-start} at the first step to {@code beta-end} at the last. The final mask is the Heaviside
 * H(m) = [m > 0].
 *
 * <p>With {@code mask-biases = 0} (the default, as in Lepori et al.'s code, whose masked linear
 * layer gates only the weight matrix: {@code CVR/models/decisionMLP.py}, {@code
 * L0UnstructuredLinear}) the biases are not gated: factor 1, gradient 0, outside the L1 sum, kept
 * in the final mask.
 */
public final class ContinuousSparsification implements MaskMethod {
  public static final String ID = "continuous-sparsification";

  private final int steps;
  private final int batchSize;
  private final double learningRate;
  private final double lambda;
  private final double betaStart;
  private final double betaEnd;
  private final double maskInit;
  private final boolean maskBiases;

  /** Lepori et al.'s masked layers gate weights only (see the class comment). */
  static final boolean MASK_BIASES_DEFAULT = false;

  /** Its hyperparameters (reference.conf, block {@code masks.continuous-sparsification}). */
  public static final MethodDeclaration DECLARATION =
      MethodDeclaration.of(
              ID,
              "real scores m, gates sigmoid(beta m) with beta annealed, L1 penalty on the gates",
              HyperParameter.integer("steps", 1, 10_000_000, 1000, "Adam steps"),
              HyperParameter.integer("batch-size", 1, 65_536, 128, "examples per step"),
              HyperParameter.real("learning-rate", 0, true, 10, 0.01, "Adam learning rate of m"),
              HyperParameter.real(
                      "lambda",
                      0,
                      false,
                      1,
                      5e-4,
                      "weight of the L1 penalty on the gates, against the batch-mean CE")
                  .regulariser(+1, HyperParameter.halfDecades(5e-5, -1, 4)),
              HyperParameter.real(
                  "beta-start", 0, true, 10_000, 1.0, "temperature at the first step"),
              HyperParameter.real(
                  "beta-end",
                  0,
                  true,
                  10_000,
                  200.0,
                  "temperature at the last step (>= beta-start)"),
              HyperParameter.real("mask-init", -20, false, 20, 1.0, "initial m of every gate"),
              Maskable.parameter(
                  MASK_BIASES_DEFAULT,
                  "biases are gated like the weights (1) or" + " always kept (0)"))
          .atLeast("beta-end", "beta-start");

  public ContinuousSparsification(Hyperparameters hp) {
    this.steps = hp.integer("steps");
    this.batchSize = hp.integer("batch-size");
    this.learningRate = hp.real("learning-rate");
    this.lambda = hp.real("lambda");
    this.betaStart = hp.real("beta-start");
    this.betaEnd = hp.real("beta-end");
    this.maskInit = hp.real("mask-init");
    this.maskBiases = hp.flag("mask-biases");
  }

  /** The method at these values, missing keys at their defaults (for tests). */
  ContinuousSparsification(Map<String, Double> hp) {
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

  /** β at a step: geometric from beta-start (step 0) to beta-end (last step). */
  double beta(int step) {
    if (steps == 1) {
      return betaEnd;
    }
    return betaStart * Math.pow(betaEnd / betaStart, (double) step / (steps - 1));
  }

  @Override
  public MaskTrainingResult train(MaskContext ctx) {
    MaskedObjective objective = ctx.objective();
    float[] theta = ctx.theta();
    Dataset examples = ctx.examples();
    SplittableRandom rng = ctx.rng();
    float[] m = new float[theta.length];
    Arrays.fill(m, (float) maskInit);
    float[] eff = new float[theta.length];
    float[] g = new float[theta.length];
    boolean[] maskable = Maskable.of(ctx.layout(), maskBiases);
    int[] fixed = Maskable.fixed(maskable);
    return TrainingLoop.run(
        m,
        ctx.layout(),
        maskable,
        examples,
        steps,
        batchSize,
        learningRate,
        rng,
        (step, rows, grad) ->
            objective(
                objective,
                theta,
                m,
                beta(step),
                examples,
                rows,
                0,
                rows.length,
                grad,
                eff,
                g,
                fixed));
  }

  /** The objective below with every parameter masked. */
  double objective(
      MaskedObjective objective,
      float[] theta,
      float[] m,
      double beta,
      Dataset examples,
      int[] rows,
      int from,
      int to,
      float[] grad,
      float[] eff,
      float[] g) {
    return objective(objective, theta, m, beta, examples, rows, from, to, grad, eff, g, new int[0]);
  }

  /**
   * CE + λ Σσ(βm) on rows[from, to); writes its gradient w.r.t. m into {@code grad}. The parameters
   * {@code fixed} are not masked: factor 1 (e^{−βm} set to 0 gives σ = 1 exactly), gradient 0, and
   * left out of the L1 sum.
   */
  double objective(
      MaskedObjective objective,
      float[] theta,
      float[] m,
      double beta,
      Dataset examples,
      int[] rows,
      int from,
      int to,
      float[] grad,
      float[] eff,
      float[] g,
      int[] fixed) {
    float b = (float) beta;
    int n = theta.length;
    FloatExp.scaled(
        m, -b, eff, grad, n); // e^{−βm} into eff (grad as scratch): both rewritten below
    for (int i : fixed) {
      eff[i] = 0f;
    }
    double l1 = -fixed.length; // each fixed gate adds exactly 1 below
    for (int i = 0; i < n; i++) {
      float sg = 1f / (1f + eff[i]);
      l1 += sg;
      eff[i] = theta[i] * sg;
      grad[i] = b * sg * (1f - sg);
    }
    double ce = objective.lossAndGradient(eff, examples, rows, from, to, g);
    float lam = (float) lambda;
    for (int i = 0; i < n; i++) {
      grad[i] *= g[i] * theta[i] + lam;
    }
    return ce + lambda * l1;
  }
}
