package org.subnetlab.mask;

import java.util.Arrays;
import org.subnetlab.model.ParamGroup;
import org.subnetlab.model.ParamLayout;

/**
 * A binary mask b ∈ {0,1}^N over the flattened parameters of a network, stored as packed bits per
 * layer (little-endian: bit i of a layer is byte i/8, bit i%8).
 */
public final class Mask implements java.io.Serializable {
  private final ParamLayout layout;
  private final byte[][] bits;

  public Mask(ParamLayout layout, byte[][] bits) {
    if (bits.length != layout.layers()) {
      throw new IllegalArgumentException(
          "mask has " + bits.length + " layers, the model " + layout.layers());
    }
    for (int l = 0; l < bits.length; l++) {
      if (bits[l].length != PackedBits.bytesFor(layout.size(l))) {
        throw new IllegalArgumentException(
            "layer "
                + layout.name(l)
                + " has "
                + bits[l].length
                + " bytes of bits, needs "
                + PackedBits.bytesFor(layout.size(l)));
      }
    }
    this.layout = layout;
    this.bits = bits;
  }

  /** The mask keeping parameter i iff {@code scores[i] > 0}. */
  public static Mask positive(ParamLayout layout, float[] scores) {
    byte[][] bits = new byte[layout.layers()][];
    for (int l = 0; l < layout.layers(); l++) {
      bits[l] = PackedBits.pack(scores, layout.offset(l), layout.size(l));
    }
    return new Mask(layout, bits);
  }

  /** The mask keeping every parameter. */
  public static Mask full(ParamLayout layout) {
    float[] ones = new float[layout.total()];
    Arrays.fill(ones, 1f);
    return positive(layout, ones);
  }

  public ParamLayout layout() {
    return layout;
  }

  public byte[] bits(int layer) {
    return bits[layer];
  }

  public boolean kept(int index) {
    int l = layerOf(index);
    return PackedBits.get(bits[l], index - layout.offset(l));
  }

  public long kept() {
    long k = 0;
    for (int l = 0; l < bits.length; l++) {
      k += keptInLayer(l);
    }
    return k;
  }

  public long keptInLayer(int layer) {
    return PackedBits.cardinality(bits[layer]);
  }

  /** θ ⊙ b, written into {@code out}. */
  public void apply(float[] theta, float[] out) {
    for (int l = 0; l < bits.length; l++) {
      int off = layout.offset(l);
      for (int i = 0; i < layout.size(l); i++) {
        out[off + i] = PackedBits.get(bits[l], i) ? theta[off + i] : 0f;
      }
    }
  }

  /** The mask of the parameters this mask removes. */
  public Mask complement() {
    return combine(null, Op.NOT);
  }

  /** b ∧ ¬other. */
  public Mask minus(Mask other) {
    return combine(other, Op.AND_NOT);
  }

  /** b ∧ other. */
  public Mask and(Mask other) {
    return combine(other, Op.AND);
  }

  /** b ∨ other. */
  public Mask or(Mask other) {
    return combine(other, Op.OR);
  }

  /** This mask with every parameter of {@code group} removed (an attention head ablated). */
  public Mask without(ParamGroup group) {
    byte[][] out = new byte[bits.length][];
    for (int l = 0; l < bits.length; l++) {
      out[l] = bits[l].clone();
    }
    for (int r = 0; r < group.layer().length; r++) {
      byte[] b = out[group.layer()[r]];
      int s = group.start()[r];
      for (int i = s; i < s + group.length()[r]; i++) {
        b[i >>> 3] &= (byte) ~(1 << (i & 7));
      }
    }
    return new Mask(layout, out);
  }

  private enum Op {
    NOT,
    AND,
    AND_NOT,
    OR
  }

  private Mask combine(Mask other, Op op) {
    byte[][] out = new byte[bits.length][];
    for (int l = 0; l < bits.length; l++) {
      out[l] = new byte[bits[l].length];
      for (int i = 0; i < out[l].length; i++) {
        out[l][i] =
            (byte)
                switch (op) {
                  case NOT -> ~bits[l][i];
                  case AND -> bits[l][i] & other.bits[l][i];
                  case AND_NOT -> bits[l][i] & ~other.bits[l][i];
                  case OR -> bits[l][i] | other.bits[l][i];
                };
      }
      PackedBits.clearTail(out[l], layout.size(l));
    }
    return new Mask(layout, out);
  }

  private int layerOf(int index) {
    for (int l = bits.length - 1; l >= 0; l--) {
      if (index >= layout.offset(l)) {
        return l;
      }
    }
    throw new IndexOutOfBoundsException(index);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mask m && Arrays.deepEquals(bits, m.bits);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(bits);
  }
}
