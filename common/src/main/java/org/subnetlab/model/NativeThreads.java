package org.subnetlab.model;

import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;

/** Native thread counts: libnd4j's OpenMP pools and OpenBLAS (which {@link DenseNetPath} calls). */
public final class NativeThreads {
  private NativeThreads() {}

  /**
   * At most {@code threads} native threads per operation, e.g. the Spark cores a task holds: more
   * oversubscribes the cores that the other tasks of the executor use.
   */
  public static void limit(int threads) {
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    openblas_nolapack.blas_set_num_threads(threads);
  }
}
