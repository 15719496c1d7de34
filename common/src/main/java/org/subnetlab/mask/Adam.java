package org.subnetlab.mask;

/** Adam (Kingma & Ba 2015) on a float array, in place and allocation-free per step. */
final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private final double lr;
  private final float[] m;
  private final float[] v;
  private int t;

  Adam(int n, double lr) {
    this.lr = lr;
    this.m = new float[n];
    this.v = new float[n];
  }

  void step(float[] params, float[] grad) {
    t++;
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    float a = (float) (lr * Math.sqrt(c2) / c1);
    float eps = (float) (EPS * Math.sqrt(c2));
    float b1 = (float) BETA1;
    float b2 = (float) BETA2;
    for (int i = 0; i < params.length; i++) {
      float g = grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      params[i] -= a * m[i] / ((float) Math.sqrt(v[i]) + eps);
    }
  }
}
