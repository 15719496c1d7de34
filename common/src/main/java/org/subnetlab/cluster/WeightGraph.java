package org.subnetlab.cluster;

import java.util.ArrayList;
import java.util.List;
import org.subnetlab.model.ParamLayout;

/**
 * The weight graph of an MLP (Filan et al. 2021; Casper et al. 2022): one node per unit — the
 * inputs, then the units of each dense layer — and an undirected edge of weight |w| between units
 * of consecutive layers. Built from DL4J's flattened parameters: block {@code l_W} has shape [nIn,
 * nOut] in column-major order, so w(in, out) sits at {@code in + nIn·out}.
 */
public final class WeightGraph {
  private final int[] layerSizes;
  private final int[] layerStart;
  private final double[][] adjacency;

  private WeightGraph(int[] layerSizes, double[][] adjacency) {
    this.layerSizes = layerSizes;
    this.layerStart = new int[layerSizes.length];
    for (int l = 1; l < layerSizes.length; l++) {
      layerStart[l] = layerStart[l - 1] + layerSizes[l - 1];
    }
    this.adjacency = adjacency;
  }

  /** The graph of the dense layers of {@code layout} with parameters {@code theta}. */
  public static WeightGraph of(ParamLayout layout, float[] theta) {
    List<Integer> weightBlocks = weightBlocks(layout);
    int[] sizes = new int[weightBlocks.size() + 1];
    for (int i = 0; i < weightBlocks.size(); i++) {
      int block = weightBlocks.get(i);
      int nOut = layout.size(block + 1); // the bias block that follows: one entry per output unit
      sizes[i + 1] = nOut;
      sizes[i] = layout.size(block) / nOut;
    }
    int n = 0;
    for (int s : sizes) {
      n += s;
    }
    double[][] a = new double[n][n];
    WeightGraph g = new WeightGraph(sizes, a);
    for (int i = 0; i < weightBlocks.size(); i++) {
      int off = layout.offset(weightBlocks.get(i));
      int nIn = sizes[i];
      for (int out = 0; out < sizes[i + 1]; out++) {
        for (int in = 0; in < nIn; in++) {
          double w = Math.abs(theta[off + in + nIn * out]);
          int u = g.node(i, in);
          int v = g.node(i + 1, out);
          a[u][v] = w;
          a[v][u] = w;
        }
      }
    }
    return g;
  }

  /** Indices of the weight blocks ({@code l_W}, each followed by its bias {@code l_b}). */
  public static List<Integer> weightBlocks(ParamLayout layout) {
    List<Integer> blocks = new ArrayList<>();
    for (int l = 0; l < layout.layers(); l++) {
      String name = layout.name(l);
      if (name.endsWith("_W")) {
        if (l + 1 >= layout.layers() || !layout.name(l + 1).endsWith("_b")) {
          throw new IllegalArgumentException(
              "weight graphs need dense layers (W then b); block "
                  + name
                  + " has no bias after it");
        }
        blocks.add(l);
      }
    }
    return blocks;
  }

  public double[][] adjacency() {
    return adjacency;
  }

  public int size() {
    return adjacency.length;
  }

  /** Number of unit layers (inputs included). */
  public int layers() {
    return layerSizes.length;
  }

  public int layerSize(int layer) {
    return layerSizes[layer];
  }

  /** Node index of unit {@code unit} of unit-layer {@code layer} (0 = inputs). */
  public int node(int layer, int unit) {
    return layerStart[layer] + unit;
  }

  /** Unit-layer of a node. */
  public int layerOf(int node) {
    for (int l = layerSizes.length - 1; l >= 0; l--) {
      if (node >= layerStart[l]) {
        return l;
      }
    }
    throw new IndexOutOfBoundsException(node);
  }

  public int unitOf(int node) {
    return node - layerStart[layerOf(node)];
  }
}
