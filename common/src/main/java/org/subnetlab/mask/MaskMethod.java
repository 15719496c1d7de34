package org.subnetlab.mask;

import java.util.SplittableRandom;
import org.subnetlab.model.MaskedObjective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;

/**
 * A mask-identification method: trains a binary mask over the parameters of a frozen network θ
 * on a subtask's examples. θ is never modified.
 */
public interface MaskMethod {
  /** The method id used in configs and tables. */
  String id();

  /** Trains the mask; every random number comes from {@code rng}. */
  MaskTrainingResult train(
      MaskedObjective objective, float[] theta, ParamLayout layout, Dataset examples,
      SplittableRandom rng);
}
