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

  /**
   * As {@link #withinLayers}, but each weight matrix's entries between two kept units are permuted
   * among themselves and every other entry stays: Filan et al. shuffle the network from which the
   * isolated units are already deleted (their weights are all 0, so nothing else moves). {@code
   * kept[node]} is indexed by the nodes of the weight graph ({@link WeightGraph#node}).
   */
  public static float[] withinLayers(
      ParamLayout layout, float[] theta, SplittableRandom rng, boolean[] kept) {
    float[] out = theta.clone();
    int start = 0; // node index of the first unit of the block's input layer
    for (int block : WeightGraph.weightBlocks(layout)) {
      int off = layout.offset(block);
      int nOut = layout.size(block + 1);
      int nIn = layout.size(block) / nOut;
      int[] idx = new int[nIn * nOut];
      int m = 0;
      for (int o = 0; o < nOut; o++) {
        if (!kept[start + nIn + o]) {
          continue;
        }
        for (int i = 0; i < nIn; i++) {
          if (kept[start + i]) {
            idx[m++] = off + i + nIn * o;
          }
        }
      }
      int[] perm = Seeds.permutation(m, rng);
      for (int i = 0; i < m; i++) {
        out[idx[i]] = theta[idx[perm[i]]];
      }
      start += nIn;
    }
    return out;
  }
}
