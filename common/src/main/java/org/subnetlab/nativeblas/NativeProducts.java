package org.subnetlab.nativeblas;

import org.bytedeco.javacpp.FloatPointer;

/**
 * The row-major float products of {@link Sgemm} (OpenBLAS's AVX-512 small-matrix kernels where the
 * CPU has them, else {@code cblas_sgemm}) for callers outside this package, such as the transformer
 * path: {@code C[m,n] = op(A)·op(B)} with alpha 1, beta 0 and contiguous operands (leading
 * dimension = column count as stored).
 */
public final class NativeProducts {
  private NativeProducts() {}

  /** {@code C[m,n] = A[m,k]·B[k,n]}. */
  public static void nn(int m, int n, int k, FloatPointer a, FloatPointer b, FloatPointer c) {
    Sgemm.product(false, false, m, n, k, a, k, b, n, c, n);
  }

  /** {@code C[m,n] = A[m,k]·B[n,k]ᵀ}. */
  public static void nt(int m, int n, int k, FloatPointer a, FloatPointer b, FloatPointer c) {
    Sgemm.product(false, true, m, n, k, a, k, b, k, c, n);
  }

  /** {@code C[m,n] = A[k,m]ᵀ·B[k,n]}. */
  public static void tn(int m, int n, int k, FloatPointer a, FloatPointer b, FloatPointer c) {
    Sgemm.product(true, false, m, n, k, a, m, b, n, c, n);
  }

  /** What runs the products in this process (for benchmark and log lines). */
  public static String kernels() {
    return Sgemm.smallKernels() ? "OpenBLAS AVX-512 small kernels" : "cblas_sgemm";
  }
}
