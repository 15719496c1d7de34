package org.subnetlab.model;

/**
 * The loss of a frozen network as a function of its effective parameters θ_eff, with its gradient
 * ∂L/∂θ_eff. Mask methods set θ_eff = θ ⊙ m and apply the chain rule ∂L/∂m = g ⊙ θ themselves, so
 * one implementation of each method serves every architecture behind this interface.
 */
public interface MaskedObjective {
  /** Number of parameters (length of every array passed in). */
  int numParams();

  /**
   * Mean cross-entropy over the examples {@code rows[from, to)} of {@code data} with parameters
   * {@code effective}; writes ∂(mean loss)/∂θ_eff into {@code gradient}.
   */
  double lossAndGradient(
      float[] effective,
      org.subnetlab.task.Dataset data,
      int[] rows,
      int from,
      int to,
      float[] gradient);

  /** Accuracy and mean loss on every example of {@code data} with parameters {@code effective}. */
  Evaluation evaluate(float[] effective, org.subnetlab.task.Dataset data);

  /**
   * Per example of {@code data}: whether the model with parameters {@code effective} predicts its
   * label ({@code correct}) and its cross-entropy ({@code loss}); both arrays have {@code
   * data.size()} entries.
   */
  void perExample(
      float[] effective, org.subnetlab.task.Dataset data, boolean[] correct, double[] loss);
}
