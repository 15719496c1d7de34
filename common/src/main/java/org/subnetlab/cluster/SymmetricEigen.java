package org.subnetlab.cluster;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * Eigenpairs of a dense symmetric matrix by LAPACK (through dev.ludovic.netlib: the system's native
 * LAPACK when one is installed, else its pure-Java F2J translation). Spectral clustering needs only
 * the k smallest eigenpairs of the normalised Laplacian: {@link #smallest} asks {@code dsyevr}
 * (relatively robust representations, eigenvalues IL..IU) for exactly those, which is much cheaper
 * than a full decomposition ({@link #all}, {@code dsyevd}). Matrices are column-major {@code
 * double[n * n]}; for a symmetric matrix that is also row-major. Only the upper triangle is read,
 * and the array is overwritten.
 */
public final class SymmetricEigen {
  private SymmetricEigen() {}

  /** Eigenvalues in ascending order and their unit eigenvectors, column c at [c·n, (c+1)·n). */
  public record Pairs(int n, double[] values, double[] vectors) {
    public int count() {
      return values.length;
    }

    /** Entry i of eigenvector c. */
    public double vector(int c, int i) {
      return vectors[c * n + i];
    }
  }

  /** LAPACK reported that the decomposition did not converge (info &gt; 0) or failed. */
  public static final class NoConvergence extends RuntimeException {
    NoConvergence(String message) {
      super(message);
    }
  }

  /**
   * The LAPACK implementation in use, e.g. {@code dev.ludovic.netlib.lapack.JNILAPACK} (native).
   */
  public static String backend() {
    return LAPACK.getInstance().getClass().getName();
  }

  /** Whether LAPACK is the system's native library (JNI) rather than the Java fallback. */
  public static boolean isNative() {
    return backend().endsWith("JNILAPACK");
  }

  /**
   * The m smallest eigenpairs of the symmetric n × n matrix a (dsyevr, RANGE = 'I'). If dsyevr
   * reports a failure, the full divide-and-conquer decomposition (dsyevd) of a saved copy is tried
   * before giving up with {@link NoConvergence}.
   */
  public static Pairs smallest(double[] a, int n, int m) {
    if (m < 1 || m > n || a.length != n * n) {
      throw new IllegalArgumentException(
          "need 1 <= m <= n and an n*n array; got n = "
              + n
              + ", m = "
              + m
              + ", length "
              + a.length);
    }
    double[] copy = a.clone();
    LAPACK lapack = LAPACK.getInstance();
    intW found = new intW(0);
    intW info = new intW(0);
    double[] w = new double[n];
    double[] z = new double[n * m];
    int[] isuppz = new int[2 * Math.max(1, n)]; // netlib checks 2·n (LAPACK needs 2·m)
    double[] workQuery = new double[1];
    int[] iworkQuery = new int[1];
    lapack.dsyevr(
        "V",
        "I",
        "U",
        n,
        a,
        Math.max(1, n),
        0,
        0,
        1,
        m,
        0.0,
        found,
        w,
        z,
        Math.max(1, n),
        isuppz,
        workQuery,
        -1,
        iworkQuery,
        -1,
        info);
    if (info.val == 0) {
      int lwork = Math.max(26 * n, (int) workQuery[0]);
      int liwork = Math.max(10 * n, iworkQuery[0]);
      lapack.dsyevr(
          "V",
          "I",
          "U",
          n,
          a,
          Math.max(1, n),
          0,
          0,
          1,
          m,
          0.0,
          found,
          w,
          z,
          Math.max(1, n),
          isuppz,
          new double[lwork],
          lwork,
          new int[liwork],
          liwork,
          info);
    }
    if (info.val == 0 && found.val == m && allFinite(w, m) && allFinite(z, z.length)) {
      return new Pairs(n, java.util.Arrays.copyOf(w, m), z);
    }
    int evr = info.val;
    Pairs full;
    try {
      full = all(copy, n);
    } catch (NoConvergence e) {
      throw new NoConvergence(
          "LAPACK dsyevr (info = "
              + evr
              + ", "
              + found.val
              + " of "
              + m
              + " eigenvalues) and dsyevd both failed on the "
              + n
              + " × "
              + n
              + " matrix: "
              + e.getMessage());
    }
    return new Pairs(
        n,
        java.util.Arrays.copyOf(full.values(), m),
        java.util.Arrays.copyOf(full.vectors(), n * m));
  }

  /** All eigenpairs of the symmetric n × n matrix a (dsyevd), eigenvalues ascending. */
  public static Pairs all(double[] a, int n) {
    LAPACK lapack = LAPACK.getInstance();
    double[] w = new double[n];
    intW info = new intW(0);
    double[] workQuery = new double[1];
    int[] iworkQuery = new int[1];
    lapack.dsyevd("V", "U", n, a, Math.max(1, n), w, workQuery, -1, iworkQuery, -1, info);
    if (info.val == 0) {
      int lwork = Math.max(1 + 6 * n + 2 * n * n, (int) workQuery[0]);
      int liwork = Math.max(3 + 5 * n, iworkQuery[0]);
      lapack.dsyevd(
          "V",
          "U",
          n,
          a,
          Math.max(1, n),
          w,
          new double[lwork],
          lwork,
          new int[liwork],
          liwork,
          info);
    }
    if (info.val != 0 || !allFinite(w, n)) {
      throw new NoConvergence(
          "dsyevd info = "
              + info.val
              + (info.val < 0
                  ? " (argument " + -info.val + " is illegal)"
                  : info.val > 0
                      ? " (no convergence)"
                      : " (non-finite eigenvalues: the matrix has NaN or ∞)"));
    }
    return new Pairs(n, w, a);
  }

  private static boolean allFinite(double[] x, int len) {
    for (int i = 0; i < len; i++) {
      if (!Double.isFinite(x[i])) {
        return false;
      }
    }
    return true;
  }
}
