package org.subnetlab.mask;

import java.util.SplittableRandom;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;

/** The loop shared by the gradient-trained mask methods: sample rows, step, record, finish. */
final class TrainingLoop {
  /** One optimisation step of a method: the loss, with the gradient w.r.t. its scores written. */
  interface Step {
    double apply(int step, int[] rows, float[] gradient);
  }

  /** Which scores the current hard mask keeps (for a method whose rule is not [score > 0]). */
  interface Kept {
    boolean test(float score);
  }

  private TrainingLoop() {}

  /**
   * Trains {@code scores} with Adam; the mask is [score > 0], plus every parameter that {@code
   * maskable} (null = all) says the method does not mask — kept, and counted as kept in the
   * per-step densities.
   */
  static MaskTrainingResult run(
      float[] scores,
      ParamLayout layout,
      boolean[] maskable,
      Dataset examples,
      int steps,
      int batchSize,
      double learningRate,
      SplittableRandom rng,
      Step step) {
    return run(scores, layout, maskable, examples, steps, batchSize, learningRate, rng, null, step);
  }

  /**
   * {@link #run} with the hard mask [{@code keep.test(score)}] instead of [score > 0] (null: score
   * &gt; 0), in the per-step densities and the final mask.
   */
  static MaskTrainingResult run(
      float[] scores,
      ParamLayout layout,
      boolean[] maskable,
      Dataset examples,
      int steps,
      int batchSize,
      double learningRate,
      SplittableRandom rng,
      Kept keep,
      Step step) {
    if (examples.size() == 0) {
      throw new IllegalArgumentException("no training examples for this subtask");
    }
    Adam adam = new Adam(scores.length, learningRate);
    float[] grad = new float[scores.length];
    int[] rows = new int[batchSize];
    float[] losses = new float[steps];
    float[] densities = new float[steps];
    for (int s = 0; s < steps; s++) {
      for (int k = 0; k < batchSize; k++) {
        rows[k] = rng.nextInt(examples.size());
      }
      losses[s] = (float) step.apply(s, rows, grad);
      adam.step(scores, grad);
      int kept = 0;
      for (int i = 0; i < scores.length; i++) {
        boolean k = keep == null ? scores[i] > 0f : keep.test(scores[i]);
        kept += k || (maskable != null && !maskable[i]) ? 1 : 0;
      }
      densities[s] = (float) kept / scores.length;
    }
    Mask mask = Mask.positive(layout, keep == null ? scores : indicator(scores, keep));
    if (maskable != null) {
      mask = mask.or(Maskable.fixedMask(layout, maskable));
    }
    return new MaskTrainingResult(mask, steps, tailMean(losses), losses, densities);
  }

  private static float[] indicator(float[] scores, Kept keep) {
    float[] out = new float[scores.length];
    for (int i = 0; i < scores.length; i++) {
      out[i] = keep.test(scores[i]) ? 1f : 0f;
    }
    return out;
  }

  /** Mean of the last tenth (at least one) of the per-step losses: a run's final loss. */
  static double tailMean(float[] losses) {
    if (losses.length == 0) {
      return Double.NaN;
    }
    int tail = Math.max(1, losses.length / 10);
    double m = 0;
    for (int s = losses.length - tail; s < losses.length; s++) {
      m += losses[s];
    }
    return m / tail;
  }
}
