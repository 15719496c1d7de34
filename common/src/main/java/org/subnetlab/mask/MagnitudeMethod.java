package org.subnetlab.mask;

import java.util.Map;
import org.subnetlab.config.Hyperparameters;
import org.subnetlab.config.MethodDeclaration;

/**
 * One-shot magnitude pruning (the baseline of Frankle & Carbin, ICLR 2019): keep the top-K
 * parameters by |θ|, over the whole model or per layer. No training; ties go to the lower index.
 * With {@code mask-biases = 0} (the default: Frankle & Carbin prune weights, never biases) the
 * biases are kept and K counts the weights only (a fraction K is of the weights).
 */
public final class MagnitudeMethod implements MaskMethod {
  public static final String ID = "magnitude";

  private final double topK;
  private final TopK.Scope scope;
  private final boolean maskBiases;

  /** Frankle & Carbin prune weights only. */
  static final boolean MASK_BIASES_DEFAULT = false;

  /** Its hyperparameters (reference.conf, block {@code masks.magnitude}). */
  public static final MethodDeclaration DECLARATION =
      MethodDeclaration.of(
              ID,
              "one-shot magnitude pruning: keep the top-K |theta|, no training",
              TopK.parameter(0.2),
              TopK.perLayer(true),
              Maskable.parameter(
                  MASK_BIASES_DEFAULT,
                  "biases compete for the top-K (1) or are always"
                      + " kept and not counted by K (0)"))
          .matchedDensity();

  public MagnitudeMethod(Hyperparameters hp) {
    this.topK = hp.real(TopK.KEY);
    this.scope = TopK.Scope.of(hp);
    this.maskBiases = hp.flag("mask-biases");
  }

  /** The method at these values, missing keys at their defaults (for tests). */
  MagnitudeMethod(Map<String, Double> hp) {
    this(DECLARATION.values(hp));
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public MaskTrainingResult train(MaskContext ctx) {
    float[] theta = ctx.theta();
    float[] score = new float[theta.length];
    for (int i = 0; i < theta.length; i++) {
      score[i] = Math.abs(theta[i]);
    }
    Mask mask =
        TopK.select(
            ctx.layout(),
            score,
            Maskable.of(ctx.layout(), maskBiases),
            scope,
            (size, n) -> TopK.count(topK, n),
            TopK.Others.KEEP);
    return new MaskTrainingResult(mask, 0, Double.NaN, new float[0], new float[0]);
  }
}
