package org.subnetlab.nativeblas;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-major float products {@code C = op(A)·op(B)} (alpha 1, beta 0) for {@link BlasMlpPass}: on a
 * CPU with AVX-512 the bundled OpenBLAS's own AVX-512 small-matrix kernels ({@code
 * sgemm_small_kernel_b0_*_SKYLAKEX}, exported by the library), called directly; otherwise, and for
 * products above {@link #MAX_SMALL_MNK} multiply-adds, {@code cblas_sgemm}.
 *
 * <p>Why: {@code cblas_sgemm} takes a packing buffer from OpenBLAS's process-wide pool on every
 * call (0.3.19: one lock and a table shared by all threads), so two runs of a sweep in one executor
 * slow each other down — a demo csordas run took 8 % more CPU next to another one, and a partner
 * thread doing nothing but small sgemms cost it 8.8 %, memory traffic only 2 %. The small kernels
 * take no buffer: they read the operands in place. They are also faster per call here — 1.1–3.5× on
 * the products of the demo and the reference MLP against the AVX2 ("Haswell") kernels OpenBLAS runs
 * on this CPU, 2.1× on a csordas sample's whole chain — because OpenBLAS 0.3.19 selects its AVX-512
 * code only on CPUs it knows (not on AMD's Zen 4/5; see {@link NativeKernels}). Above {@link
 * #MAX_SMALL_MNK} the packed path is faster again (1024³ NN: 0.88×).
 *
 * <p>Used only if the CPU reports the AVX-512 subsets the kernels are compiled for, the symbols
 * resolve, and a self-check against {@code cblas_sgemm} on ragged shapes in all four transpositions
 * agrees; missing symbols or a disagreement log a warning, and every product then goes to {@code
 * cblas_sgemm}. The system property {@value #PROPERTY}{@code =false} turns the kernels off (e.g. to
 * compare).
 */
public final class Sgemm {
  static final String PROPERTY = "subnetlab.mlp.small-kernels";

  /** Largest m·n·k the small kernels are used for (512³; 1024³ NN measured slower than packed). */
  static final long MAX_SMALL_MNK = 512L * 512 * 512;

  static final List<String> AVX512 =
      List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

  private static final Logger LOG = LoggerFactory.getLogger(Sgemm.class);
  private static final boolean SMALL;

  static {
    NativeKernels.select(); // before openblas_nolapack loads
    SMALL = enable();
  }

  private Sgemm() {}

  /**
   * OpenBLAS's column-major kernels C[M,N] = op(A)·op(B), A and B as named by their transposition
   * (nt: A as is, B transposed); pointers passed as addresses.
   */
  static final class Kernels {
    static native int sgemm_small_kernel_b0_nn_SKYLAKEX(
        long m, long n, long k, long a, long lda, float alpha, long b, long ldb, long c, long ldc);

    static native int sgemm_small_kernel_b0_nt_SKYLAKEX(
        long m, long n, long k, long a, long lda, float alpha, long b, long ldb, long c, long ldc);

    static native int sgemm_small_kernel_b0_tn_SKYLAKEX(
        long m, long n, long k, long a, long lda, float alpha, long b, long ldb, long c, long ldc);

    static native int sgemm_small_kernel_b0_tt_SKYLAKEX(
        long m, long n, long k, long a, long lda, float alpha, long b, long ldb, long c, long ldc);

    private Kernels() {}
  }

  /**
   * Whether products of this process go to the small kernels (when at most {@link #MAX_SMALL_MNK}).
   */
  static boolean smallKernels() {
    return SMALL;
  }

  /** {@code c[m,n] = op(a)·op(b)}, row-major with leading dimensions lda, ldb, ldc. */
  public static void product(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      FloatPointer a,
      int lda,
      FloatPointer b,
      int ldb,
      FloatPointer c,
      int ldc) {
    if (SMALL && (long) m * n * k <= MAX_SMALL_MNK) {
      small(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
    } else {
      packed(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
    }
  }

  /** Through {@code cblas_sgemm} (OpenBLAS's packed path). */
  static void packed(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      FloatPointer a,
      int lda,
      FloatPointer b,
      int ldb,
      FloatPointer c,
      int ldc) {
    cblas_sgemm(
        CblasRowMajor,
        transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans,
        m,
        n,
        k,
        1f,
        a,
        lda,
        b,
        ldb,
        0f,
        c,
        ldc);
  }

  /**
   * Through the small kernels. Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, with
   * the same buffers read column-major: B's transposition names the kernel's first operand.
   */
  static void small(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      FloatPointer a,
      int lda,
      FloatPointer b,
      int ldb,
      FloatPointer c,
      int ldc) {
    long pa = b.address();
    long pb = a.address();
    long pc = c.address();
    if (!transB && !transA) {
      Kernels.sgemm_small_kernel_b0_nn_SKYLAKEX(n, m, k, pa, ldb, 1f, pb, lda, pc, ldc);
    } else if (!transB) {
      Kernels.sgemm_small_kernel_b0_nt_SKYLAKEX(n, m, k, pa, ldb, 1f, pb, lda, pc, ldc);
    } else if (!transA) {
      Kernels.sgemm_small_kernel_b0_tn_SKYLAKEX(n, m, k, pa, ldb, 1f, pb, lda, pc, ldc);
    } else {
      Kernels.sgemm_small_kernel_b0_tt_SKYLAKEX(n, m, k, pa, ldb, 1f, pb, lda, pc, ldc);
    }
  }

  private static boolean enable() {
    if ("false".equals(System.getProperty(PROPERTY))) {
      LOG.info("MLP matrix products through cblas_sgemm ({}=false)", PROPERTY);
      return false;
    }
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux")
        || !(arch.equals("amd64") || arch.equals("x86_64"))
        || !cpuHasAvx512(NativeKernels.Cpu.read(Path.of("/proc/cpuinfo")))) {
      LOG.info("MLP matrix products through cblas_sgemm (no AVX-512 on this CPU)");
      return false;
    }
    try {
      Native.register(Kernels.class, NativeKernels.openblas());
    } catch (RuntimeException | LinkageError e) {
      LOG.warn(
          "OpenBLAS's AVX-512 small-matrix kernels not found ({}); sgemm through " + "cblas_sgemm",
          e.toString());
      return false;
    }
    String disagreement = selfCheck();
    if (disagreement != null) {
      LOG.warn(
          "OpenBLAS's AVX-512 small-matrix kernels disagree with cblas_sgemm ({}); sgemm "
              + "through cblas_sgemm",
          disagreement);
      return false;
    }
    // one line per JVM: masks are bit-identical only between machines that run the same kernels
    LOG.info(
        "MLP matrix products on OpenBLAS's AVX-512 small-matrix kernels (-D{}=false: "
            + "cblas_sgemm)",
        PROPERTY);
    return true;
  }

  /** Whether {@code cpu} reports every AVX-512 subset the SkylakeX kernels are compiled for. */
  static boolean cpuHasAvx512(NativeKernels.Cpu cpu) {
    return cpu.flags().containsAll(AVX512);
  }

  /**
   * Null when both paths give the same products (relative to the operands' scale) for all four
   * transpositions on shapes with ragged edges and padded leading dimensions, else what differed.
   */
  static String selfCheck() {
    int[][] shapes = {{7, 9, 37}, {33, 17, 5}, {1, 130, 19}, {70, 3, 64}};
    SplittableRandom random = new SplittableRandom(17);
    for (int[] s : shapes) {
      for (int form = 0; form < 4; form++) {
        boolean ta = (form & 1) != 0;
        boolean tb = (form & 2) != 0;
        String d = compare(ta, tb, s[0], s[1], s[2], 3, random);
        if (d != null) {
          return d;
        }
      }
    }
    return null;
  }

  /**
   * Null when the small kernels and cblas_sgemm agree on one random product with leading dimensions
   * {@code pad} wider than needed (C's padding must stay untouched), else what differed.
   */
  static String compare(
      boolean ta, boolean tb, int m, int n, int k, int pad, SplittableRandom random) {
    int aRows = ta ? k : m;
    int aCols = ta ? m : k;
    int bRows = tb ? n : k;
    int bCols = tb ? k : n;
    int lda = aCols + pad;
    int ldb = bCols + pad;
    int ldc = n + pad;
    float[] a = fill(aRows * lda, random);
    float[] b = fill(bRows * ldb, random);
    float[] c0 = fill(m * ldc, random);
    float[] viaSmall = new float[c0.length];
    float[] viaPacked = new float[c0.length];
    try (FloatPointer pa = new FloatPointer(a);
        FloatPointer pb = new FloatPointer(b);
        FloatPointer pc = new FloatPointer(c0)) {
      small(ta, tb, m, n, k, pa, lda, pb, ldb, pc, ldc);
      pc.get(viaSmall);
      pc.put(c0);
      packed(ta, tb, m, n, k, pa, lda, pb, ldb, pc, ldc);
      pc.get(viaPacked);
    }
    float tolerance = 1e-5f * k;
    for (int i = 0; i < c0.length; i++) {
      boolean padding = i % ldc >= n;
      float want = padding ? c0[i] : viaPacked[i];
      if (!(Math.abs(viaSmall[i] - want) <= tolerance)) {
        return String.format(
            Locale.ROOT,
            "%s%s %dx%dx%d: element %d is %s, expected %s",
            ta ? "T" : "N",
            tb ? "T" : "N",
            m,
            n,
            k,
            i,
            viaSmall[i],
            want);
      }
    }
    return null;
  }

  private static float[] fill(int size, SplittableRandom random) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return x;
  }
}
