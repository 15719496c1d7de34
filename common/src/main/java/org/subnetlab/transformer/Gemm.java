package org.subnetlab.transformer;

/**
 * Row-major float matrix products over Java arrays with offsets, every operand contiguous (leading
 * dimension = its column count), in the loop orders the JIT vectorises (the innermost loop an axpy
 * over a contiguous row). {@code nt} transposes its right operand into a scratch array first, so
 * one instance is not thread-safe.
 */
final class Gemm {
  private float[] scratch = new float[0];

  /** {@code C[m,n] (+)= A[m,k]·B[k,n]}; overwrites C unless {@code accumulate}. */
  void nn(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co,
      boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = co + i * n;
      if (!accumulate) {
        java.util.Arrays.fill(c, ci, ci + n, 0f);
      }
      int ai = ao + i * k;
      for (int p = 0; p < k; p++) {
        float x = a[ai + p];
        if (x == 0f) {
          continue;
        }
        int bp = bo + p * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += x * b[bp + j];
        }
      }
    }
  }

  /** {@code C[m,n] (+)= A[m,k]·B[n,k]ᵀ}; overwrites C unless {@code accumulate}. */
  void nt(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co,
      boolean accumulate) {
    if (scratch.length < n * k) {
      scratch = new float[n * k];
    }
    float[] t = scratch;
    for (int j = 0; j < n; j++) {
      int bj = bo + j * k;
      for (int p = 0; p < k; p++) {
        t[p * n + j] = b[bj + p];
      }
    }
    nn(m, n, k, a, ao, t, 0, c, co, accumulate);
  }

  /** {@code C[m,n] (+)= A[k,m]ᵀ·B[k,n]}; overwrites C unless {@code accumulate}. */
  void tn(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co,
      boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(c, co, co + m * n, 0f);
    }
    for (int p = 0; p < k; p++) {
      int ap = ao + p * m;
      int bp = bo + p * n;
      for (int i = 0; i < m; i++) {
        float x = a[ap + i];
        if (x == 0f) {
          continue;
        }
        int ci = co + i * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += x * b[bp + j];
        }
      }
    }
  }
}
