package org.subnetlab.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A named set of parameters that spans several blocks of a {@link ParamLayout}: one attention head
 * of a transformer ({@link Gpt2Model#groups}). The set is a list of runs, each {@code length[i]}
 * consecutive parameters of block {@code layer[i]} from index {@code start[i]} (within the block),
 * in a fixed order. The tables report each group's density and overlap next to the blocks', and
 * ablation removes a whole group at once.
 */
public record ParamGroup(String name, int[] layer, int[] start, int[] length)
    implements Serializable {
  public ParamGroup {
    if (layer.length != start.length || layer.length != length.length) {
      throw new IllegalArgumentException("a group's runs need a layer, start and length each");
    }
  }

  /**
   * The highest block index any of {@code groups} reads (−1 for none): an array of a mask's blocks
   * by index needs this + 1 entries for {@link #gather}.
   */
  public static int lastLayer(List<ParamGroup> groups) {
    int m = -1;
    for (ParamGroup g : groups) {
      for (int l : g.layer) {
        m = Math.max(m, l);
      }
    }
    return m;
  }

  /** Parameters in the group. */
  public int size() {
    int n = 0;
    for (int len : length) {
      n += len;
    }
    return n;
  }

  /**
   * The group's bits of a mask given as packed 64-bit words per block (in layout order), gathered
   * in the group's order into packed words: popcounts and intersections of these are the group's
   * kept counts and overlaps.
   */
  public long[] gather(long[][] words) {
    long[] out = new long[(size() + 63) >>> 6];
    int at = 0;
    for (int r = 0; r < layer.length; r++) {
      long[] w = words[layer[r]];
      int s = start[r];
      for (int i = 0; i < length[r]; i++, at++) {
        int bit = s + i;
        if ((w[bit >>> 6] >>> (bit & 63) & 1L) != 0) {
          out[at >>> 6] |= 1L << (at & 63);
        }
      }
    }
    return out;
  }

  /** The same, from a mask's packed little-endian bytes per block (bit i: byte i/8, bit i%8). */
  public long[] gather(byte[][] bits) {
    long[] out = new long[(size() + 63) >>> 6];
    int at = 0;
    for (int r = 0; r < layer.length; r++) {
      byte[] b = bits[layer[r]];
      int s = start[r];
      for (int i = 0; i < length[r]; i++, at++) {
        int bit = s + i;
        if ((b[bit >>> 3] >>> (bit & 7) & 1) != 0) {
          out[at >>> 6] |= 1L << (at & 63);
        }
      }
    }
    return out;
  }

  /** Whether parameter {@code index} of block {@code block} is in the group. */
  public boolean contains(int block, int index) {
    for (int r = 0; r < layer.length; r++) {
      if (layer[r] == block && index >= start[r] && index < start[r] + length[r]) {
        return true;
      }
    }
    return false;
  }

  /**
   * The attention heads of a pre-LayerNorm GPT-2 block stored as Hugging Face lays it out: head
   * {@code k} of block {@code i} ({@code h.i.attn.head.k}) is its q, k and v columns of {@code
   * h.i.attn.c_attn.weight} ([width, 3·width], row-major; q | k | v side by side, each split into
   * heads of {@code width/heads} columns), the same entries of {@code h.i.attn.c_attn.bias}, and
   * its rows of {@code h.i.attn.c_proj.weight} ([width, width], row-major: the rows that read the
   * head's output). {@code c_proj.bias} belongs to no head.
   */
  public static List<ParamGroup> attentionHeads(
      ParamLayout layout, int blocks, int width, int heads) {
    int hd = width / heads;
    List<ParamGroup> out = new ArrayList<>();
    for (int b = 0; b < blocks; b++) {
      String p = "h." + b + ".attn.";
      int w = index(layout, p + "c_attn.weight");
      int bias = index(layout, p + "c_attn.bias");
      int proj = index(layout, p + "c_proj.weight");
      for (int k = 0; k < heads; k++) {
        int runs = 3 * width + 3 + 1;
        int[] layer = new int[runs];
        int[] start = new int[runs];
        int[] length = new int[runs];
        int r = 0;
        for (int part = 0; part < 3; part++) {
          for (int row = 0; row < width; row++, r++) {
            layer[r] = w;
            start[r] = row * 3 * width + part * width + k * hd;
            length[r] = hd;
          }
        }
        for (int part = 0; part < 3; part++, r++) {
          layer[r] = bias;
          start[r] = part * width + k * hd;
          length[r] = hd;
        }
        layer[r] = proj;
        start[r] = k * hd * width;
        length[r] = hd * width;
        out.add(new ParamGroup(p + "head." + k, layer, start, length));
      }
    }
    return List.copyOf(out);
  }

  private static int index(ParamLayout layout, String name) {
    int i = layout.names().indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("the layout has no block " + name);
    }
    return i;
  }
}
