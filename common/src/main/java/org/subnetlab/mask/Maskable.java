package org.subnetlab.mask;

import java.util.Arrays;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.model.ParamLayout;

/**
 * Which parameters a mask method may remove, per its {@code mask-biases} hyperparameter (0 or 1):
 * every parameter, or every parameter but the biases (the blocks DL4J names {@code *_b}, and a
 * transformer's Hugging Face-named {@code *.bias}, LayerNorm shifts included). A parameter the
 * method does not mask is always kept (its bit is 1), takes no part in the method's penalty and is
 * not counted by its top-K; densities count it as kept.
 */
final class Maskable {
  static final String KEY = "mask-biases";

  private Maskable() {}

  /** Whether a parameter block holds biases. */
  static boolean isBias(String blockName) {
    return blockName.endsWith("_b") || blockName.endsWith(".bias");
  }

  /** The {@code mask-biases} hyperparameter of a method, with its paper's default. */
  static HyperParameter parameter(boolean paperDefault, String doc) {
    return HyperParameter.flag(KEY, paperDefault, doc);
  }

  /** Per parameter: may the method remove it. */
  static boolean[] of(ParamLayout layout, boolean maskBiases) {
    boolean[] c = new boolean[layout.total()];
    for (int l = 0; l < layout.layers(); l++) {
      boolean masked = maskBiases || !isBias(layout.name(l));
      Arrays.fill(c, layout.offset(l), layout.offset(l) + layout.size(l), masked);
    }
    return c;
  }

  /** The indices of the parameters that are not masked (always kept), ascending. */
  static int[] fixed(boolean[] maskable) {
    int n = 0;
    for (boolean b : maskable) {
      n += b ? 0 : 1;
    }
    int[] out = new int[n];
    int j = 0;
    for (int i = 0; i < maskable.length; i++) {
      if (!maskable[i]) {
        out[j++] = i;
      }
    }
    return out;
  }

  /** The mask keeping exactly the parameters that are not masked. */
  static Mask fixedMask(ParamLayout layout, boolean[] maskable) {
    float[] bits = new float[maskable.length];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = maskable[i] ? 0f : 1f;
    }
    return Mask.positive(layout, bits);
  }
}
