package org.subnetlab.transformer;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.subnetlab.nativeblas.NativeProducts;

/**
 * Row-major float matrix products over Java arrays with offsets, every operand contiguous (leading
 * dimension = its column count). By default through OpenBLAS ({@link NativeProducts}, the MLP
 * path's kernels): the operands are copied into native buffers this instance keeps and the product
 * copied back — the copies are O(m·k + k·n + m·n) against the product's O(m·n·k). With the system
 * property {@value #PROPERTY}{@code =false}, plain Java loops (the innermost loop an axpy over a
 * contiguous row, which the JIT vectorises). Not thread-safe.
 */
final class Gemm {
  static final String PROPERTY = "subnetlab.transformer.native-products";
  static final boolean NATIVE = !"false".equals(System.getProperty(PROPERTY));

  private final boolean nativeProducts;
  private float[] scratch = new float[0];
  private FloatPointer pa;
  private FloatPointer pb;
  private FloatPointer pc;

  Gemm() {
    this(NATIVE);
  }

  /** Products through OpenBLAS when {@code nativeProducts}, else Java loops. */
  Gemm(boolean nativeProducts) {
    this.nativeProducts = nativeProducts;
  }

  /** What runs the products. */
  static String name() {
    return NATIVE ? NativeProducts.kernels() : "java loops";
  }

  /** {@code C[m,n] (+)= A[m,k]·B[k,n]}; overwrites C unless {@code accumulate}. */
  void nn(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      float[] b,
      int bo,
      float[] c,
      int co,
      boolean accumulate) {
    if (nativeProducts) {
      load(a, ao, m * k, b, bo, k * n, m * n);
      NativeProducts.nn(m, n, k, pa, pb, pc);
      store(c, co, m * n, accumulate);
      return;
    }
    for (int i = 0; i < m; i++) {
      int ci = co + i * n;
      if (!accumulate) {
        Arrays.fill(c, ci, ci + n, 0f);
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
  void nt(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      float[] b,
      int bo,
      float[] c,
      int co,
      boolean accumulate) {
    if (nativeProducts) {
      load(a, ao, m * k, b, bo, n * k, m * n);
      NativeProducts.nt(m, n, k, pa, pb, pc);
      store(c, co, m * n, accumulate);
      return;
    }
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
  void tn(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      float[] b,
      int bo,
      float[] c,
      int co,
      boolean accumulate) {
    if (nativeProducts) {
      load(a, ao, k * m, b, bo, k * n, m * n);
      NativeProducts.tn(m, n, k, pa, pb, pc);
      store(c, co, m * n, accumulate);
      return;
    }
    if (!accumulate) {
      Arrays.fill(c, co, co + m * n, 0f);
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

  private void load(float[] a, int ao, int aSize, float[] b, int bo, int bSize, int cSize) {
    if (pa == null || pa.capacity() < aSize) {
      pa = new FloatPointer((long) Math.max(aSize, 1));
    }
    if (pb == null || pb.capacity() < bSize) {
      pb = new FloatPointer((long) Math.max(bSize, 1));
    }
    if (pc == null || pc.capacity() < cSize) {
      pc = new FloatPointer((long) Math.max(cSize, 1));
    }
    pa.position(0).put(a, ao, aSize);
    pb.position(0).put(b, bo, bSize);
  }

  private void store(float[] c, int co, int size, boolean accumulate) {
    if (!accumulate) {
      pc.position(0).get(c, co, size);
      return;
    }
    if (scratch.length < size) {
      scratch = new float[size];
    }
    pc.position(0).get(scratch, 0, size);
    for (int i = 0; i < size; i++) {
      c[co + i] += scratch[i];
    }
  }
}
