package org.subnetlab.mask;

/**
 * A run's training curve, downsampled for storage and plotting: at most {@code maxPoints} points,
 * each the mean loss and density over a window of consecutive steps, labelled with the window's
 * last step (1-based). Windows differ in length by at most one step and cover every step once.
 */
public record TrainingHistory(int[] steps, float[] loss, float[] density) {

  /** The points stored with every mask run. */
  public static final int MAX_POINTS = 200;

  public int size() {
    return steps.length;
  }

  /** The downsampled history of a result; empty for methods without training steps. */
  public static TrainingHistory of(MaskTrainingResult r, int maxPoints) {
    return downsample(r.lossHistory(), r.densityHistory(), maxPoints);
  }

  static TrainingHistory downsample(float[] loss, float[] density, int maxPoints) {
    if (maxPoints < 1) {
      throw new IllegalArgumentException("maxPoints must be >= 1, got " + maxPoints);
    }
    int n = loss == null ? 0 : loss.length;
    if (density != null && density.length != n) {
      throw new IllegalArgumentException(
          "loss and density histories differ in length: " + n + " vs " + density.length);
    }
    int points = Math.min(n, maxPoints);
    int[] steps = new int[points];
    float[] l = new float[points];
    float[] d = new float[points];
    for (int p = 0; p < points; p++) {
      int from = (int) ((long) p * n / points);
      int to = (int) ((long) (p + 1) * n / points);
      double sl = 0;
      double sd = 0;
      for (int s = from; s < to; s++) {
        sl += loss[s];
        sd += density[s];
      }
      steps[p] = to;
      l[p] = (float) (sl / (to - from));
      d[p] = (float) (sd / (to - from));
    }
    return new TrainingHistory(steps, l, d);
  }
}
