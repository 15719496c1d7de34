package org.subnetlab.nativeblas;

import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;

/** Native thread counts: libnd4j's OpenMP pools and OpenBLAS (which {@link BlasMlpPass} calls). */
public final class NativeThreads {
  static {
    NativeKernels.select(); // before openblas_nolapack loads
  }

  private NativeThreads() {}

  /**
   * At most {@code threads} native threads per operation, e.g. the Spark cores a task holds: more
   * oversubscribes the cores that the other tasks of the executor use.
   */
  public static void limit(int threads) {
    limitNd4j(threads);
    openblas_nolapack.blas_set_num_threads(threads);
  }

  /** libnd4j's OpenMP pools only, OpenBLAS left as it is. */
  public static void limitNd4j(int threads) {
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
  }
}
