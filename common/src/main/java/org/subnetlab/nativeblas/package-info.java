/**
 * Native BLAS glue for the fast paths: the OpenBLAS kernels chosen for the CPU ({@link
 * org.subnetlab.nativeblas.NativeKernels}), row-major float products ({@link
 * org.subnetlab.nativeblas.Sgemm}, with {@link org.subnetlab.nativeblas.NativeProducts} for callers
 * such as the transformer path) and the native thread counts of libnd4j and OpenBLAS ({@link
 * org.subnetlab.nativeblas.NativeThreads}). A leaf: JavaCPP/OpenBLAS, JNA, ND4J and the JDK.
 *
 * <p>May import: nothing from {@code org.subnetlab}. Nothing from Spark or Scala.
 */
package org.subnetlab.nativeblas;
