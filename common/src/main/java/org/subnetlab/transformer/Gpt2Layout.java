package org.subnetlab.transformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each parameter of a {@link Gpt2} lies in its flat float array, under Hugging Face's GPT-2
 * parameter names (without the {@code transformer.} prefix): {@code wte.weight} [vocab, width],
 * {@code wpe.weight} [context, width], per block {@code h.i.ln_1.weight|bias} [width], {@code
 * h.i.attn.c_attn.weight} [width, 3·width] (Conv1D layout, [in, out], q|k|v side by side), {@code
 * h.i.attn.c_attn.bias} [3·width], {@code h.i.attn.c_proj.weight} [width, width] and bias, {@code
 * h.i.ln_2.*}, {@code h.i.mlp.c_fc.weight} [width, mlp] and bias, {@code h.i.mlp.c_proj.weight}
 * [mlp, width] and bias, then {@code ln_f.weight|bias}, and {@code lm_head.weight} [vocab, width]
 * when the head is untied. Each block is row-major; blocks follow each other in that order. These
 * names are the mask layer names.
 */
public final class Gpt2Layout {
  /** One named parameter block: its shape and its offset in the flat array. */
  public record Block(String name, int[] shape, int offset, int size) {
    /** Whether this block is a weight matrix or embedding (rank 2), not a bias or gain. */
    public boolean isMatrix() {
      return shape.length == 2;
    }

    @Override
    public String toString() {
      return name + Arrays.toString(shape) + "@" + offset;
    }
  }

  private final Gpt2Config config;
  private final List<Block> blocks;
  private final Map<String, Block> byName;
  private final int numParams;
  // offsets used by the forward and backward passes
  final int wte;
  final int wpe;
  final int[] ln1g;
  final int[] ln1b;
  final int[] attnW;
  final int[] attnB;
  final int[] projW;
  final int[] projB;
  final int[] ln2g;
  final int[] ln2b;
  final int[] fcW;
  final int[] fcB;
  final int[] outW;
  final int[] outB;
  final int lnfg;
  final int lnfb;
  final int head;

  public Gpt2Layout(Gpt2Config config) {
    this.config = config;
    int d = config.width();
    int f = config.mlpWidth();
    int layers = config.layers();
    List<Block> list = new ArrayList<>();
    int[] next = {0};
    wte = add(list, next, "wte.weight", config.vocab(), d);
    wpe = add(list, next, "wpe.weight", config.context(), d);
    ln1g = new int[layers];
    ln1b = new int[layers];
    attnW = new int[layers];
    attnB = new int[layers];
    projW = new int[layers];
    projB = new int[layers];
    ln2g = new int[layers];
    ln2b = new int[layers];
    fcW = new int[layers];
    fcB = new int[layers];
    outW = new int[layers];
    outB = new int[layers];
    for (int l = 0; l < layers; l++) {
      String p = "h." + l + ".";
      ln1g[l] = add(list, next, p + "ln_1.weight", d);
      ln1b[l] = add(list, next, p + "ln_1.bias", d);
      attnW[l] = add(list, next, p + "attn.c_attn.weight", d, 3 * d);
      attnB[l] = add(list, next, p + "attn.c_attn.bias", 3 * d);
      projW[l] = add(list, next, p + "attn.c_proj.weight", d, d);
      projB[l] = add(list, next, p + "attn.c_proj.bias", d);
      ln2g[l] = add(list, next, p + "ln_2.weight", d);
      ln2b[l] = add(list, next, p + "ln_2.bias", d);
      fcW[l] = add(list, next, p + "mlp.c_fc.weight", d, f);
      fcB[l] = add(list, next, p + "mlp.c_fc.bias", f);
      outW[l] = add(list, next, p + "mlp.c_proj.weight", f, d);
      outB[l] = add(list, next, p + "mlp.c_proj.bias", d);
    }
    lnfg = add(list, next, "ln_f.weight", d);
    lnfb = add(list, next, "ln_f.bias", d);
    head = config.tiedHead() ? wte : add(list, next, "lm_head.weight", config.vocab(), d);
    numParams = next[0];
    blocks = Collections.unmodifiableList(list);
    Map<String, Block> map = new LinkedHashMap<>();
    for (Block b : list) {
      map.put(b.name(), b);
    }
    byName = Collections.unmodifiableMap(map);
  }

  private static int add(List<Block> list, int[] next, String name, int... shape) {
    long size = 1;
    for (int s : shape) {
      size *= s;
    }
    if (next[0] + size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("GPT-2 has more than 2^31 parameters at " + name);
    }
    int offset = next[0];
    list.add(new Block(name, shape.clone(), offset, (int) size));
    next[0] = (int) (offset + size);
    return offset;
  }

  public Gpt2Config config() {
    return config;
  }

  /** The parameter blocks in the order of the flat array. */
  public List<Block> blocks() {
    return blocks;
  }

  /** The block of that Hugging Face name (no {@code transformer.} prefix), or null. */
  public Block block(String name) {
    return byName.get(name);
  }

  /** Total number of parameters (length of the flat array). */
  public int numParams() {
    return numParams;
  }
}
