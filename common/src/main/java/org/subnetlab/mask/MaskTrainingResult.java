package org.subnetlab.mask;

/**
 * A trained mask with its training record: steps taken, the mean loss over the last tenth of the
 * steps, the per-step loss and density (fraction of parameters the current hard mask keeps), and,
 * for methods that fine-tune (LT-SFT), the sparse difference Δ to the base parameters (zero outside
 * the mask; null for the others).
 */
public record MaskTrainingResult(
    Mask mask,
    long steps,
    double finalLoss,
    float[] lossHistory,
    float[] densityHistory,
    float[] delta) {

  public MaskTrainingResult(
      Mask mask, long steps, double finalLoss, float[] lossHistory, float[] densityHistory) {
    this(mask, steps, finalLoss, lossHistory, densityHistory, null);
  }
}
