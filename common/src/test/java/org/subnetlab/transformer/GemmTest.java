package org.subnetlab.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The transformer's products, native and in Java loops, against a double-precision triple loop. */
class GemmTest {
  @Test
  void bothPathsComputeAllThreeFormsWithOffsetsAndAccumulation() {
    SplittableRandom r = new SplittableRandom(3);
    int[][] shapes = {{7, 9, 37}, {33, 17, 5}, {1, 130, 19}, {64, 96, 32}};
    for (boolean nativeProducts : new boolean[] {true, false}) {
      Gemm gemm = new Gemm(nativeProducts);
      for (int[] s : shapes) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        for (int form = 0; form < 3; form++) {
          for (boolean accumulate : new boolean[] {false, true}) {
            float[] a = fill(3 + m * k, r);
            float[] b = fill(5 + k * n, r);
            float[] c = fill(2 + m * n + 4, r);
            float[] before = c.clone();
            switch (form) {
              case 0 -> gemm.nn(m, n, k, a, 3, b, 5, c, 2, accumulate);
              case 1 -> gemm.nt(m, n, k, a, 3, b, 5, c, 2, accumulate);
              default -> gemm.tn(m, n, k, a, 3, b, 5, c, 2, accumulate);
            }
            for (int i = 0; i < m; i++) {
              for (int j = 0; j < n; j++) {
                double want = accumulate ? before[2 + i * n + j] : 0;
                for (int p = 0; p < k; p++) {
                  double x = form == 2 ? a[3 + p * m + i] : a[3 + i * k + p];
                  double y = form == 1 ? b[5 + j * k + p] : b[5 + p * n + j];
                  want += x * y;
                }
                assertThat((double) c[2 + i * n + j])
                    .as("native %s form %d %dx%dx%d", nativeProducts, form, m, n, k)
                    .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * k));
              }
            }
            assertThat(c[0]).isEqualTo(before[0]);
            assertThat(c[2 + m * n]).isEqualTo(before[2 + m * n]);
          }
        }
      }
    }
  }

  private static float[] fill(int size, SplittableRandom r) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }
}
