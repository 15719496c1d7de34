package org.subnetlab.mask;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The sparse difference Δ of a layer, stored next to its mask: the float32 values (little-endian)
 * of the entries the mask keeps, in index order. Entries outside the mask are zero by definition.
 */
public final class SparseDelta {
  private SparseDelta() {}

  /** Encodes {@code delta[off, off+n)} at the positions set in {@code bits}. */
  public static byte[] encode(float[] delta, int off, int n, byte[] bits) {
    int kept = (int) PackedBits.cardinality(bits);
    ByteBuffer out = ByteBuffer.allocate(4 * kept).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      if (PackedBits.get(bits, i)) {
        out.putFloat(delta[off + i]);
      }
    }
    return out.array();
  }

  /** Adds the encoded Δ of one layer into {@code params[off, off+n)}. */
  public static void addTo(float[] params, int off, int n, byte[] bits, byte[] encoded) {
    ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
    if (encoded.length != 4 * PackedBits.cardinality(bits)) {
      throw new IllegalArgumentException(
          "delta holds "
              + encoded.length / 4
              + " values for a mask keeping "
              + PackedBits.cardinality(bits));
    }
    for (int i = 0; i < n; i++) {
      if (PackedBits.get(bits, i)) {
        params[off + i] += in.getFloat();
      }
    }
  }
}
