package org.subnetlab.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies between Java float arrays and contiguous ND4J arrays (FLOAT or DOUBLE) through the native
 * buffer, without allocating per call — the mask training loop calls it every step.
 */
public final class ParamBridge {
  private ParamBridge() {}

  /** Writes {@code src} into {@code dst} (contiguous, length src.length). */
  public static void write(float[] src, INDArray dst) {
    write(src, src.length, dst);
  }

  /** Writes the first {@code length} values of {@code src} into {@code dst} (of that length). */
  public static void write(float[] src, int length, INDArray dst) {
    check(dst, length);
    ByteBuffer bb = dst.data().asNio().order(ByteOrder.nativeOrder());
    int off = (int) dst.offset();
    if (dst.dataType() == DataType.FLOAT) {
      bb.asFloatBuffer().position(off).put(src, 0, length);
    } else {
      var db = bb.asDoubleBuffer().position(off);
      for (int i = 0; i < length; i++) {
        db.put(src[i]);
      }
    }
  }

  /** Reads {@code src} into {@code dst}. */
  public static void read(INDArray src, float[] dst) {
    check(src, dst.length);
    ByteBuffer bb = src.data().asNio().order(ByteOrder.nativeOrder());
    int off = (int) src.offset();
    if (src.dataType() == DataType.FLOAT) {
      bb.asFloatBuffer().position(off).get(dst);
    } else {
      var db = bb.asDoubleBuffer().position(off);
      for (int i = 0; i < dst.length; i++) {
        dst[i] = (float) db.get();
      }
    }
  }

  /** A fresh float copy of {@code src}. */
  public static float[] toFloats(INDArray src) {
    float[] out = new float[Math.toIntExact(src.length())];
    read(src, out);
    return out;
  }

  private static void check(INDArray a, int n) {
    if (a.length() != n) {
      throw new IllegalArgumentException("length " + a.length() + " != " + n);
    }
    if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("unsupported data type " + a.dataType());
    }
    if (!isContiguous(a)) {
      throw new IllegalArgumentException("array is not a contiguous buffer");
    }
  }

  private static boolean isContiguous(INDArray a) {
    return a.isVectorOrScalar() ? a.elementWiseStride() == 1 : a.ordering() == 'c' && !a.isView();
  }
}
