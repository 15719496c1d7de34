package org.subnetlab.mask;

import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.Hyperparameters;
import org.subnetlab.config.MethodDeclaration;

/**
 * The worked example of docs/development.md, "Adding a mask method": a random-magnitude baseline
 * that keeps the top-K of |θ| · (1 − noise · u), u uniform in [0, 1) from the run's stream. A test
 * registers it ({@link RegisteringAMethodTest}); subnetlab does not.
 */
final class RandomMagnitudeMethod implements MaskMethod {
  static final String ID = "random-magnitude";

  /** Its hyperparameters, in the order of its reference.conf block. */
  static final MethodDeclaration DECLARATION =
      MethodDeclaration.of(
              ID,
              "top-K of |theta| times a random factor in (1 - noise, 1]",
              TopK.parameter(0.1),
              TopK.perLayer(false),
              HyperParameter.real("noise", 0, false, 1, 0.5, "width of the random factor"),
              Maskable.parameter(false, "biases compete for the top-K (1) or are always kept (0)"))
          .matchedDensity();

  private final double topK;
  private final TopK.Scope scope;
  private final double noise;
  private final boolean maskBiases;

  RandomMagnitudeMethod(Hyperparameters hp) {
    this.topK = hp.real(TopK.KEY);
    this.scope = TopK.Scope.of(hp);
    this.noise = hp.real("noise");
    this.maskBiases = hp.flag("mask-biases");
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
      score[i] = (float) (Math.abs(theta[i]) * (1 - noise * ctx.rng().nextDouble()));
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
