package org.subnetlab.mask;

/**
 * A mask-identification method: trains a binary mask over the parameters of a frozen network θ on a
 * subtask's examples. θ is never modified.
 */
public interface MaskMethod {
  /** The method id used in configs and tables. */
  String id();

  /** Finds the mask; every random number comes from the context's stream. */
  MaskTrainingResult train(MaskContext context);

  /**
   * A rough measure of a run's training work, for starting the longest runs of a sweep first:
   * examples passed forward and back through the network, times the method's cost per example
   * relative to one plain pass. Zero for methods that do not train.
   */
  default double work() {
    return 0;
  }
}
