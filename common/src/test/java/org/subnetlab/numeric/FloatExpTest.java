package org.subnetlab.numeric;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FloatExpTest {
  /** Distance of {@code f} from e^v in units of the last place of the float nearest e^v. */
  private static double ulps(float f, double v) {
    double exact = Math.exp(v);
    return Math.abs(f - exact) / Math.ulp((float) exact);
  }

  @Test
  void withinOneAndAFifthUlpOverTheWholeNormalRange() {
    int n = 2_000_001;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = FloatExp.MIN + (FloatExp.MAX - FloatExp.MIN) * i / (n - 1); // every ~9e-5
    }
    float[] out = new float[n];
    FloatExp.scaled(x, 1f, out, new float[n], n);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      worst = Math.max(worst, ulps(out[i], x[i]));
    }
    assertThat(worst).isLessThan(1.2);
  }

  @Test
  void scalesClampsAndPassesNanThrough() {
    float[] x = {0f, 1f, -2f, 0.5f, 1000f, -1000f, Float.NaN, Float.POSITIVE_INFINITY};
    float[] out = new float[x.length];
    FloatExp.scaled(x, -2f, out, new float[x.length], x.length);
    assertThat(out[0]).isEqualTo(1f); // e^0 exactly
    assertThat(ulps(out[1], -2)).isLessThan(1.2);
    assertThat(ulps(out[2], 4)).isLessThan(1.2);
    assertThat(ulps(out[3], -1)).isLessThan(1.2);
    // Beyond the normal range: the clamp's ends, a tiny normal float and a huge finite one.
    assertThat(out[4]).isPositive().isLessThan(1.3e-38f);
    assertThat(out[5]).isGreaterThan(2e38f).isLessThan(Float.POSITIVE_INFINITY);
    assertThat(out[6]).isNaN();
    assertThat(out[7]).isPositive().isLessThan(1.3e-38f);
  }

  @Test
  void leavesElementsBeyondNAlone() {
    float[] x = {1f, 2f, 3f};
    float[] out = {-1f, -1f, -1f};
    FloatExp.scaled(x, 1f, out, new float[3], 2);
    assertThat(out[2]).isEqualTo(-1f);
    assertThat(ulps(out[1], 2)).isLessThan(1.2);
  }
}
