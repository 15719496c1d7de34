package org.subnetlab.mask;

import java.util.Map;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.Hyperparameters;
import org.subnetlab.config.MethodDeclaration;

/**
 * Lottery-ticket sparse fine-tuning (Ansell et al., ACL 2022, "Composable sparse fine-tuning").
 *
 * <p>Phase 1 fine-tunes every parameter θ⁰ → θ¹ on the subtask ({@code steps} plain SGD steps,
 * where the reference code runs Adam: docs/methods.md, lt-sft, deviation 1); the mask is the top-K
 * of |θ¹ − θ⁰| (K a fraction or a count, over the model or per layer; ties to the lower index).
 * Phase 2 resets to θ⁰ and fine-tunes only the masked entries ({@code sparse-steps} SGD steps),
 * giving θ² = θ⁰ + Δ with Δ zero outside the mask. Δ is stored with the mask, so θ⁰ + Δ can be
 * rebuilt and composed (θ⁰ + Δ_a + Δ_b). θ⁰ is the trained base model, or with {@code from-initial
 * = 1} its initial weights (Δ then learns the subtask from scratch).
 *
 * <p>With {@code mask-biases = 1} (the default: the reference code, cambridgeltl/composable-sft
 * {@code src/sft/trainer.py}, makes every parameter maskable unless told otherwise) the biases
 * compete for the top-K like the weights; with 0 they are outside the selection, always in the mask
 * and so fine-tuned densely in phase 2 — what the reference code does with parameters that are not
 * in {@code maskable_params} — and K counts the weights only.
 */
public final class LtSftMethod implements MaskMethod {
  public static final String ID = "lt-sft";

  private final int steps;
  private final int sparseSteps;
  private final int batchSize;
  private final double learningRate;
  private final double topK;
  private final TopK.Scope scope;
  private final boolean fromInitial;
  private final boolean maskBiases;

  /** composable-sft makes every parameter maskable by default. */
  static final boolean MASK_BIASES_DEFAULT = true;

  /** Its hyperparameters (reference.conf, block {@code masks.lt-sft}). */
  public static final MethodDeclaration DECLARATION =
      MethodDeclaration.of(
              ID,
              "dense fine-tuning, mask = top-K of the change, sparse fine-tuning of the masked entries",
              HyperParameter.integer("steps", 1, 10_000_000, 300, "SGD steps of phase 1 (dense)"),
              HyperParameter.integer(
                  "sparse-steps", 1, 10_000_000, 300, "SGD steps of phase 2 (masked entries only)"),
              HyperParameter.integer("batch-size", 1, 65_536, 128, "examples per step"),
              HyperParameter.real(
                  "learning-rate", 0, true, 10, 0.001, "SGD learning rate of both phases"),
              TopK.parameter(0.1),
              TopK.perLayer(false),
              HyperParameter.flag(
                      "from-initial",
                      false,
                      "theta0 is the trained base model (0) or its saved initial weights (1)")
                  .trueNeedsInitialWeights("fine-tune from"),
              Maskable.parameter(
                  MASK_BIASES_DEFAULT,
                  "biases compete for the top-K (1) or are always"
                      + " in the mask and not counted by K (0)"))
          .matchedDensity();

  public LtSftMethod(Hyperparameters hp) {
    this.steps = hp.integer("steps");
    this.sparseSteps = hp.integer("sparse-steps");
    this.batchSize = hp.integer("batch-size");
    this.learningRate = hp.real("learning-rate");
    this.topK = hp.real(TopK.KEY);
    this.scope = TopK.Scope.of(hp);
    this.fromInitial = hp.flag("from-initial");
    this.maskBiases = hp.flag("mask-biases");
  }

  /** The method at these values, missing keys at their defaults (for tests). */
  LtSftMethod(Map<String, Double> hp) {
    this(DECLARATION.values(hp));
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public double work() {
    return (double) (steps + sparseSteps) * batchSize;
  }

  @Override
  public MaskTrainingResult train(MaskContext ctx) {
    float[] theta0 = fromInitial ? ctx.initialTheta() : ctx.theta();
    FineTuner.Tuned dense =
        FineTuner.train(ctx, theta0, null, steps, batchSize, learningRate, FineTuner.Optimizer.SGD);
    float[] change = new float[theta0.length];
    for (int i = 0; i < change.length; i++) {
      change[i] = Math.abs(dense.params()[i] - theta0[i]);
    }
    Mask mask =
        TopK.select(
            ctx.layout(),
            change,
            Maskable.of(ctx.layout(), maskBiases),
            scope,
            (size, n) -> TopK.count(topK, n),
            TopK.Others.KEEP);
    FineTuner.Tuned sparse =
        FineTuner.train(
            ctx,
            theta0,
            TopK.kept(mask),
            sparseSteps,
            batchSize,
            learningRate,
            FineTuner.Optimizer.SGD);
    float[] delta = new float[theta0.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = sparse.params()[i] - theta0[i];
    }
    float[] losses = new float[steps + sparseSteps];
    System.arraycopy(dense.losses(), 0, losses, 0, steps);
    System.arraycopy(sparse.losses(), 0, losses, steps, sparseSteps);
    float[] densities = new float[losses.length];
    java.util.Arrays.fill(densities, 0, steps, 1f);
    java.util.Arrays.fill(densities, steps, losses.length, (float) mask.kept() / theta0.length);
    return new MaskTrainingResult(
        mask,
        steps + sparseSteps,
        TrainingLoop.tailMean(sparse.losses()),
        losses,
        densities,
        delta);
  }
}
