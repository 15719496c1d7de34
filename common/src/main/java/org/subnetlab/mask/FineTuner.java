package org.subnetlab.mask;

/**
 * Fine-tunes parameters on the context's examples, with Adam or plain SGD as the caller says,
 * optionally only the entries a mask keeps (the others stay as they start). Used by LT-SFT (SGD)
 * and by lottery-ticket rounds (Adam).
 */
final class FineTuner {
  private FineTuner() {}

  /** Parameters after training, with the per-step loss. */
  record Tuned(float[] params, float[] losses) {}

  /** The update rule. */
  enum Optimizer {
    ADAM,
    SGD
  }

  static Tuned train(
      MaskContext ctx,
      float[] start,
      boolean[] trainable,
      int steps,
      int batchSize,
      double learningRate,
      Optimizer optimizer) {
    float[] p = start.clone();
    float[] grad = new float[p.length];
    float[] losses = new float[steps];
    int[] rows = new int[batchSize];
    Adam adam = new Adam(p.length, learningRate);
    int n = ctx.examples().size();
    if (n == 0) {
      throw new IllegalArgumentException("no training examples for this subtask");
    }
    for (int s = 0; s < steps; s++) {
      for (int k = 0; k < batchSize; k++) {
        rows[k] = ctx.rng().nextInt(n);
      }
      losses[s] =
          (float) ctx.objective().lossAndGradient(p, ctx.examples(), rows, 0, batchSize, grad);
      if (trainable != null) {
        for (int i = 0; i < grad.length; i++) {
          if (!trainable[i]) {
            grad[i] = 0f;
          }
        }
      }
      if (optimizer == Optimizer.ADAM) {
        adam.step(p, grad); // frozen entries: zero gradient from the start, Adam never moves them
      } else {
        float lr = (float) learningRate;
        for (int i = 0; i < p.length; i++) {
          p[i] -= lr * grad[i];
        }
      }
    }
    return new Tuned(p, losses);
  }
}
