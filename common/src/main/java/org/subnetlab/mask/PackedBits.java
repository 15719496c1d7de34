package org.subnetlab.mask;

/**
 * Bit sets packed little-endian into bytes (bit i is byte i/8, bit i%8), with popcount-based counts
 * over 64-bit words.
 */
public final class PackedBits {
  private PackedBits() {}

  public static int bytesFor(int bits) {
    return (bits + 7) / 8;
  }

  /** Packs {@code values[off, off+n)}: bit i set iff values[off+i] > 0. */
  public static byte[] pack(float[] values, int off, int n) {
    byte[] out = new byte[bytesFor(n)];
    for (int i = 0; i < n; i++) {
      if (values[off + i] > 0f) {
        out[i >>> 3] |= (byte) (1 << (i & 7));
      }
    }
    return out;
  }

  public static boolean get(byte[] bits, int i) {
    return (bits[i >>> 3] & (1 << (i & 7))) != 0;
  }

  /** Zeroes the bits past {@code n} in the last byte. */
  public static void clearTail(byte[] bits, int n) {
    if ((n & 7) != 0 && bits.length > 0) {
      bits[bits.length - 1] &= (byte) ((1 << (n & 7)) - 1);
    }
  }

  public static long cardinality(byte[] a) {
    long c = 0;
    int i = 0;
    for (; i + 8 <= a.length; i += 8) {
      c += Long.bitCount(word(a, i));
    }
    for (; i < a.length; i++) {
      c += Integer.bitCount(a[i] & 0xff);
    }
    return c;
  }

  /** |a ∧ b|. */
  public static long intersection(byte[] a, byte[] b) {
    check(a, b);
    long c = 0;
    int i = 0;
    for (; i + 8 <= a.length; i += 8) {
      c += Long.bitCount(word(a, i) & word(b, i));
    }
    for (; i < a.length; i++) {
      c += Integer.bitCount(a[i] & b[i] & 0xff);
    }
    return c;
  }

  /** |a ∨ b|. */
  public static long union(byte[] a, byte[] b) {
    check(a, b);
    long c = 0;
    int i = 0;
    for (; i + 8 <= a.length; i += 8) {
      c += Long.bitCount(word(a, i) | word(b, i));
    }
    for (; i < a.length; i++) {
      c += Integer.bitCount((a[i] | b[i]) & 0xff);
    }
    return c;
  }

  /** The bits as little-endian 64-bit words, the last word zero-padded. */
  public static long[] words(byte[] a) {
    long[] w = new long[(a.length + 7) / 8];
    for (int i = 0; i < a.length; i++) {
      w[i >>> 3] |= (a[i] & 0xffL) << ((i & 7) * 8);
    }
    return w;
  }

  public static long cardinality(long[] a) {
    long c = 0;
    for (long w : a) {
      c += Long.bitCount(w);
    }
    return c;
  }

  /** |a ∧ b| over packed words. */
  public static long intersection(long[] a, long[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "bit sets of different sizes: " + a.length + " and " + b.length + " words");
    }
    long c = 0;
    for (int i = 0; i < a.length; i++) {
      c += Long.bitCount(a[i] & b[i]);
    }
    return c;
  }

  private static void check(byte[] a, byte[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "bit sets of different sizes: " + a.length + " and " + b.length + " bytes");
    }
  }

  private static long word(byte[] a, int i) {
    return (a[i] & 0xffL)
        | (a[i + 1] & 0xffL) << 8
        | (a[i + 2] & 0xffL) << 16
        | (a[i + 3] & 0xffL) << 24
        | (a[i + 4] & 0xffL) << 32
        | (a[i + 5] & 0xffL) << 40
        | (a[i + 6] & 0xffL) << 48
        | (a[i + 7] & 0xffL) << 56;
  }
}
