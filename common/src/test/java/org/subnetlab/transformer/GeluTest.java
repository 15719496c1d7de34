package org.subnetlab.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

/** Both GELUs and their derivatives against double-precision references, over [−12, 12]. */
class GeluTest {
  private static final int N = 240_001;

  private static float[] grid() {
    float[] z = new float[N];
    for (int i = 0; i < N; i++) {
      z[i] = -12f + 24f * i / (N - 1);
    }
    return z;
  }

  private static float[][] run(Gpt2Config.Activation a) {
    Gpt2 g = new Gpt2(new Gpt2Config(1, 8, 2, 32, 10, 4, 1e-5, a, true));
    float[] z = grid();
    float[] out = new float[N];
    float[] deriv = new float[N];
    g.gelu(z, out, deriv, N);
    return new float[][] {z, out, deriv};
  }

  @Test
  void exactGeluIsZTimesPhiOfZ() {
    float[][] r = run(Gpt2Config.Activation.GELU);
    double worstOut = 0;
    double worstDeriv = 0;
    for (int i = 0; i < N; i++) {
      double z = r[0][i];
      double cdf = 0.5 * (1 + Erf.erf(z / Math.sqrt(2)));
      double pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      worstOut = Math.max(worstOut, Math.abs(r[1][i] - z * cdf) / Math.max(1, Math.abs(z)));
      worstDeriv = Math.max(worstDeriv, Math.abs(r[2][i] - (cdf + z * pdf)));
    }
    // A&S 7.1.26 is within 1.5e-7 of erf; float arithmetic adds a few 1e-7
    assertThat(worstOut).isLessThan(1e-6);
    assertThat(worstDeriv).isLessThan(2e-6);
  }

  @Test
  void tanhGeluIsGpt2s() {
    float[][] r = run(Gpt2Config.Activation.GELU_NEW);
    double c = Math.sqrt(2 / Math.PI);
    double worstOut = 0;
    double worstDeriv = 0;
    for (int i = 0; i < N; i++) {
      double z = r[0][i];
      double th = Math.tanh(c * (z + 0.044715 * z * z * z));
      double out = 0.5 * z * (1 + th);
      double deriv = 0.5 * (1 + th) + 0.5 * z * (1 - th * th) * c * (1 + 3 * 0.044715 * z * z);
      worstOut = Math.max(worstOut, Math.abs(r[1][i] - out) / Math.max(1, Math.abs(z)));
      worstDeriv = Math.max(worstDeriv, Math.abs(r[2][i] - deriv));
    }
    assertThat(worstOut).isLessThan(1e-6);
    assertThat(worstDeriv).isLessThan(2e-6);
  }
}
