package org.subnetlab;

import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;

/**
 * A network whose weights are planted as two disjoint blocks, one per subtask (the truth is known).
 *
 * <p>Subtask A: x = (x_A, 0) with x_A ~ N(0, I_d), class 0 if w_A·x_A > 0 else 1. Subtask B: x =
 * (0, x_B), class 2 or 3 by w_B·x_B. Hidden units 0..h-1 read x_A (half along +w_A, half along
 * −w_A, with noise) and feed classes 0/1 with weight 4; units h..2h-1 do the same for B and classes
 * 2/3. Every weight across the blocks is zero.
 */
public final class PlantedNetwork {
  public static final int D = 6;
  public static final int H = 8;

  public final MultiLayerNetwork net;
  public final ParamLayout layout;
  public final float[] theta;

  /** Per subtask (0 = A, 1 = B), which flat parameters are in its block. */
  public final boolean[][] block;

  public final Dataset train;
  public final Dataset eval;

  public PlantedNetwork(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    net = Networks.mlp(2 * D, List.of(2 * H), 4, "relu", 0.01, DataType.FLOAT, rng);
    float[][] w = {unit(rng), unit(rng)};
    block = plant(net, w, rng);
    layout = ParamLayout.of(net);
    theta = ParamBridge.toFloats(net.params());
    train = data(w, rng, 1024);
    eval = data(w, rng, 1024);
  }

  /** The planted cluster of each graph node (inputs, hidden, outputs): 0 for A, 1 for B. */
  public static int[] nodeBlocks() {
    int[] labels = new int[2 * D + 2 * H + 4];
    for (int i = 0; i < 2 * D; i++) {
      labels[i] = i / D;
    }
    for (int j = 0; j < 2 * H; j++) {
      labels[2 * D + j] = j / H;
    }
    for (int k = 0; k < 4; k++) {
      labels[2 * D + 2 * H + k] = k / 2;
    }
    return labels;
  }

  /** Writes the planted weights; returns, per subtask, which flat parameters are in its block. */
  private static boolean[][] plant(MultiLayerNetwork net, float[][] w, SplittableRandom rng) {
    INDArray w0 = net.getParam("0_W");
    INDArray b0 = net.getParam("0_b");
    INDArray w1 = net.getParam("1_W");
    INDArray b1 = net.getParam("1_b");
    w0.assign(0);
    b0.assign(0);
    w1.assign(0);
    b1.assign(0);
    for (int s = 0; s < 2; s++) {
      for (int j = 0; j < H; j++) {
        double sign = j < H / 2 ? 1 : -1;
        double c = 0.5 + rng.nextDouble();
        for (int i = 0; i < D; i++) {
          w0.putScalar(
              new long[] {s * D + i, s * H + j}, sign * c * w[s][i] + 0.05 * rng.nextGaussian());
        }
        w1.putScalar(new long[] {s * H + j, 2 * s + (j < H / 2 ? 0 : 1)}, 4.0);
      }
    }
    ParamLayout layout = ParamLayout.of(net);
    boolean[][] block = new boolean[2][layout.total()];
    for (int l = 0; l < layout.layers(); l++) {
      String name = layout.name(l);
      for (int k = 0; k < layout.size(l); k++) {
        int s =
            switch (name) {
              // DL4J stores W [nIn, nOut] column-major: k = in + nIn * out.
              case "0_W" -> owner(k % (2 * D) / D, k / (2 * D) / H);
              case "0_b" -> k / H;
              case "1_W" -> owner(k % (2 * H) / H, k / (2 * H) / 2);
              case "1_b" -> k / 2;
              default -> throw new IllegalStateException(name);
            };
        if (s >= 0) {
          block[s][layout.offset(l) + k] = true;
        }
      }
    }
    return block;
  }

  private static int owner(int inBlock, int outBlock) {
    return inBlock == outBlock ? inBlock : -1;
  }

  private static float[] unit(SplittableRandom rng) {
    float[] v = new float[D];
    double n = 0;
    for (int i = 0; i < D; i++) {
      v[i] = (float) rng.nextGaussian();
      n += v[i] * v[i];
    }
    for (int i = 0; i < D; i++) {
      v[i] /= (float) Math.sqrt(n);
    }
    return v;
  }

  private static Dataset data(float[][] w, SplittableRandom rng, int perSubtask) {
    int n = 2 * perSubtask;
    float[] x = new float[n * 2 * D];
    int[] y = new int[n];
    int[] sub = new int[n];
    for (int e = 0; e < n; e++) {
      int s = e < perSubtask ? 0 : 1;
      sub[e] = s;
      double dot = 0;
      for (int i = 0; i < D; i++) {
        float v = (float) rng.nextGaussian();
        x[e * 2 * D + s * D + i] = v;
        dot += v * w[s][i];
      }
      y[e] = 2 * s + (dot > 0 ? 0 : 1);
    }
    return new Dataset(2 * D, 4, x, y, sub, List.of("A", "B"));
  }
}
