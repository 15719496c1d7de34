package org.subnetlab.mask;

/**
 * A mask-identification method: trains a binary mask over the parameters of a frozen network θ
 * on a subtask's examples. θ is never modified.
 */
public interface MaskMethod {
  /** The method id used in configs and tables. */
  String id();

  /** Finds the mask; every random number comes from the context's stream. */
  MaskTrainingResult train(MaskContext context);
}
