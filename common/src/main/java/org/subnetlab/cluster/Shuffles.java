package org.subnetlab.cluster;

import java.util.SplittableRandom;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Seeds;

/**
 * The null model of clusterability (Filan et al. 2021): the same network with the weights of each
 * weight matrix permuted at random, which keeps every layer's weight distribution and destroys its
 * structure. Biases are left as they are (they are not edges of the weight graph).
 */
public final class Shuffles {
  private Shuffles() {}

  public static float[] withinLayers(ParamLayout layout, float[] theta, SplittableRandom rng) {
    float[] out = theta.clone();
    for (int block : WeightGraph.weightBlocks(layout)) {
      int off = layout.offset(block);
      int[] perm = Seeds.permutation(layout.size(block), rng);
      for (int i = 0; i < perm.length; i++) {
        out[off + i] = theta[off + perm[i]];
      }
    }
    return out;
  }
}
