package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.subnetlab.metrics.OverlapCounts;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;

/**
 * A network whose weights are planted as two disjoint blocks, one per subtask (the truth is
 * known): csordas, continuous sparsification and LT-SFT must each find masks inside their own subtask's block that still solve it, and
 * the two subtasks' masks must barely overlap.
 *
 * <p>Subtask A: x = (x_A, 0) with x_A ~ N(0, I_d), class 0 if w_A·x_A > 0 else 1. Subtask B: x =
 * (0, x_B), class 2 or 3 by w_B·x_B. Hidden units 0..h-1 read x_A (half along +w_A, half along −w_A,
 * with noise) and feed classes 0/1 with weight 4; units h..2h-1 do the same for B and classes 2/3.
 * Every weight across the blocks is zero. (LT-SFT also moves zero cross weights that push the other
 * subtask's classes down; a confident planted network keeps those changes below its top-K.)
 */
class PlantedBlocksTest {
  private static final int D = 6;
  private static final int H = 8;

  @ParameterizedTest
  @ValueSource(strings = {"csordas", "continuous-sparsification", "lt-sft"})
  void recoversThePlantedBlocks(String method) {
    SplittableRandom rng = new SplittableRandom(11);
    MultiLayerNetwork net = Networks.mlp(2 * D, List.of(2 * H), 4, "relu", 0.01, DataType.FLOAT, rng);
    ParamLayout layout = ParamLayout.of(net);
    float[][] w = {unit(rng), unit(rng)};
    boolean[][] block = plant(net, w, rng);
    float[] theta = ParamBridge.toFloats(net.params());
    Dataset train = data(w, rng, 1024);
    Dataset eval = data(w, rng, 1024);
    Dl4jObjective objective = new Dl4jObjective(net);

    Map<String, Mask> masks = new LinkedHashMap<>();
    for (int s = 0; s < 2; s++) {
      String name = s == 0 ? "A" : "B";
      Mask mask = MaskMethods.create(method, hyperparameters(method))
          .train(new MaskContext(objective, theta, null, layout, train.subtask(name),
              new SplittableRandom(s)))
          .mask();
      masks.put(name, mask);

      long inOwn = 0;
      for (int i = 0; i < theta.length; i++) {
        inOwn += mask.kept(i) && block[s][i] ? 1 : 0;
      }
      assertThat(mask.kept()).as("%s mask of %s keeps something", method, name).isPositive();
      assertThat((double) inOwn / mask.kept())
          .as("share of %s's kept weights inside its block", name).isGreaterThanOrEqualTo(0.95);

      float[] eff = new float[theta.length];
      mask.apply(theta, eff);
      double full = objective.evaluate(theta, eval.subtask(name)).accuracy();
      double sub = objective.evaluate(eff, eval.subtask(name)).accuracy();
      assertThat(full).as("planted network solves %s", name).isGreaterThan(0.97);
      assertThat(sub).as("subnetwork accuracy on %s", name).isGreaterThanOrEqualTo(0.9 * full);
    }
    OverlapCounts all = new OverlapCounts(0, 0, 0, 0);
    for (int l = 0; l < layout.layers(); l++) {
      all = all.merge(OverlapCounts.of(masks.get("A").bits(l), masks.get("B").bits(l)));
    }
    assertThat(all.jaccard()).as("Jaccard(A, B)").isLessThanOrEqualTo(0.1);
  }

  static Map<String, Double> hyperparameters(String method) {
    Map<String, Double> hp = new LinkedHashMap<>();
    hp.put("steps", 600.0);
    hp.put("batch-size", 64.0);
    hp.put("learning-rate", 0.02);
    if (method.equals("lt-sft")) {
      hp.put("sparse-steps", 300.0);
      hp.put("learning-rate", 0.1);
      hp.put("top-k", 0.2);
      hp.put("per-layer", 0.0);
    } else if (method.equals("csordas")) {
      hp.put("alpha", 1e-3);
      hp.put("tau", 1.0);
      hp.put("logit-init", 0.9);
      hp.put("masks-per-batch", 4.0);
    } else {
      hp.put("lambda", 1e-3);
      hp.put("beta-start", 1.0);
      hp.put("beta-end", 200.0);
      hp.put("mask-init", 1.0);
    }
    return hp;
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
          w0.putScalar(new long[] {s * D + i, s * H + j}, sign * c * w[s][i] + 0.05 * rng.nextGaussian());
        }
        w1.putScalar(new long[] {s * H + j, 2 * s + (j < H / 2 ? 0 : 1)}, 4.0);
      }
    }
    ParamLayout layout = ParamLayout.of(net);
    boolean[][] block = new boolean[2][layout.total()];
    for (int l = 0; l < layout.layers(); l++) {
      String name = layout.name(l);
      for (int k = 0; k < layout.size(l); k++) {
        int s = switch (name) {
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
