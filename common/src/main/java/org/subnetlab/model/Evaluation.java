package org.subnetlab.model;

/** Accuracy and mean cross-entropy of a network on a set of examples. */
public record Evaluation(double accuracy, double loss, int examples) {
  /**
   * The evaluation of the examples {@code rows} (null: all) of per-example results: whether each
   * was right, and its cross-entropy. No examples: accuracy and loss 0.
   */
  public static Evaluation of(boolean[] correct, double[] loss, int[] rows) {
    int n = rows == null ? correct.length : rows.length;
    int right = 0;
    double total = 0;
    for (int k = 0; k < n; k++) {
      int i = rows == null ? k : rows[k];
      right += correct[i] ? 1 : 0;
      total += loss[i];
    }
    return new Evaluation(n == 0 ? 0 : (double) right / n, n == 0 ? 0 : total / n, n);
  }
}
