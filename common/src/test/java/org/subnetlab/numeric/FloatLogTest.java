package org.subnetlab.numeric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatLogTest {
  /** Distance of {@code f} from ln x in units of the last place of the float nearest ln x. */
  private static double ulps(float f, float x) {
    double exact = Math.log(x);
    return Math.abs(f - exact) / Math.ulp((float) exact);
  }

  private static double worst(float[] x) {
    float[] out = new float[x.length];
    FloatLog.log(x, out, new float[x.length], x.length);
    double worst = 0;
    for (int i = 0; i < x.length; i++) {
      worst = Math.max(worst, x[i] == 1f ? Math.abs(out[i]) * 1e30 : ulps(out[i], x[i]));
    }
    return worst;
  }

  @Test
  void withinTwoUlpOnEveryUniformTheGatesDraw() {
    // u = (k + 1/2) 2^-23 for every 23-bit k, and 1 - u: the arguments hard concrete passes
    int n = 1 << 23;
    float[] x = new float[n];
    for (int k = 0; k < n; k++) {
      x[k] = (k + 0.5f) * 0x1p-23f;
    }
    assertThat(worst(x)).isLessThan(2);
    for (int k = 0; k < n; k++) {
      x[k] = 1 - x[k];
    }
    assertThat(worst(x)).isLessThan(2);
  }

  @Test
  void withinTwoUlpOverTheNormalRange() {
    SplittableRandom r = new SplittableRandom(1);
    float[] x = new float[1_000_000];
    for (int i = 0; i < x.length; i++) {
      // random exponent in [-126, 127], random mantissa
      int e = r.nextInt(1, 255);
      x[i] = Float.intBitsToFloat((e << 23) | r.nextInt(1 << 23));
    }
    assertThat(worst(x)).isLessThan(2);
    assertThat(worst(new float[] {1f, 2f, 0.5f, Float.MIN_NORMAL, Float.MAX_VALUE})).isLessThan(2);
  }
}
