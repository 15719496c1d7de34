package org.subnetlab.model;

import org.subnetlab.task.Dataset;

/**
 * A hand-written loss, gradient and outputs pass for DL4J networks of one shape, a drop-in for
 * DL4J's own layers inside {@link Dl4jObjective}, which chooses one (or none) once, on first use,
 * with {@link #choose}: {@link BlasMlpPass} for float MLPs of {@link Networks#mlp}'s shape, {@link
 * NativeCnnPass} for CNNs of {@link Networks#cnn}'s shape. The system property {@value #PROPERTY} =
 * {@code off} keeps DL4J's layers for every network (to compare; {@code MaskGradientTest} checks
 * each pass against DL4J's backprop and finite differences). Not thread-safe.
 */
interface FastPass {
  /** The system property that switches the passes off ({@code off}); anything else: on. */
  String PROPERTY = "subnetlab.fast-path";

  /**
   * Mean cross-entropy over {@code rows[from, to)} of {@code data} with parameters θ_eff, and its
   * gradient (the mean over those rows) in DL4J's flattened parameter layout into {@code gradient}.
   */
  double lossAndGradient(
      float[] effective, Dataset data, int[] rows, int from, int to, float[] gradient);

  /** The output probabilities (n × classes, row-major) of every example of {@code data}. */
  float[] outputs(float[] effective, Dataset data);

  /** Whether the passes are switched off by {@value #PROPERTY}. */
  static boolean off() {
    return "off".equals(System.getProperty(PROPERTY));
  }

  /**
   * The pass for {@code network} on inputs of {@code inputSize} features, or null when none has its
   * shape or the passes are {@linkplain #off() off}.
   */
  static FastPass choose(Network network, int inputSize) {
    if (off()) {
      return null;
    }
    FastPass mlp = BlasMlpPass.of(network);
    return mlp != null ? mlp : NativeCnnPass.of(network, inputSize);
  }
}
