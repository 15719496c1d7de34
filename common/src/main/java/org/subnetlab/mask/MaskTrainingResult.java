package org.subnetlab.mask;

/**
 * A trained mask with its training record: steps taken, the mean loss over the last tenth of the
 * steps, and the per-step loss and density (fraction of parameters the current hard mask keeps).
 */
public record MaskTrainingResult(
    Mask mask, long steps, double finalLoss, float[] lossHistory, float[] densityHistory) {}
