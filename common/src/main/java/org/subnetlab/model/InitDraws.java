package org.subnetlab.model;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitConstant;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ModelSettings;
import org.subnetlab.task.Task;

/**
 * Fresh, seeded draws of a whole parameter vector from a network's initial distribution, in the
 * flat index space of its parameters, drawn in Java so they reproduce (ND4J's seeding does not).
 * What re-initialising ablation and the random-init model control of the composition stage use.
 */
public final class InitDraws {
  private InitDraws() {}

  /**
   * For a base model trained here: a new network of the same settings built from {@code rng}, so
   * the draw follows exactly the scheme the base model was initialised with ({@link Networks}:
   * He-normal or Xavier-normal weights, zero biases).
   */
  public static float[] ofSettings(Task task, ModelSettings s, SplittableRandom rng) {
    return ParamBridge.toFloats(BaseModelTrainer.build(task, s, rng).params());
  }

  /**
   * For an imported model: every weight block drawn from its layer's DL4J weight initialiser (the
   * same distribution as DL4J's {@code IWeightInit}, with DL4J's fans: nIn and nOut for dense and
   * output layers; nIn·kh·kw and nOut·kh·kw / (sh·sw) for convolutions), every bias set to its
   * layer's bias-init constant. Other layers or initialisers fail with a message naming the
   * parameter block.
   */
  public static float[] ofDl4jLayers(Network net, SplittableRandom rng) {
    ParamLayout layout = ParamLayout.of(net);
    float[] out = new float[layout.total()];
    for (int l = 0; l < layout.layers(); l++) {
      String name = layout.name(l);
      int cut = name.lastIndexOf('_');
      String layerName = name.substring(0, cut);
      String key = name.substring(cut + 1);
      org.deeplearning4j.nn.conf.layers.Layer conf = layer(net, layerName).conf().getLayer();
      if (!(conf instanceof BaseLayer base)
          || !(conf instanceof DenseLayer
              || conf instanceof OutputLayer
              || conf instanceof ConvolutionLayer)) {
        throw unsupported(name, "layer type " + conf.getClass().getSimpleName());
      }
      int off = layout.offset(l);
      int n = layout.size(l);
      if (key.equals("b")) {
        java.util.Arrays.fill(out, off, off + n, (float) base.getBiasInit());
        continue;
      }
      if (!key.equals("W")) {
        throw unsupported(name, "parameter " + key);
      }
      FeedForwardLayer ff = (FeedForwardLayer) conf;
      double fanIn = ff.getNIn();
      double fanOut = ff.getNOut();
      if (conf instanceof ConvolutionLayer c) {
        int[] k = c.getKernelSize();
        int[] st = c.getStride();
        fanIn = ff.getNIn() * (double) k[0] * k[1];
        fanOut = ff.getNOut() * (double) k[0] * k[1] / ((double) st[0] * st[1]);
      }
      draw(name, base.getWeightInitFn(), fanIn, fanOut, rng, out, off, n);
    }
    return out;
  }

  /** Fills out[off, off + n) from initialiser {@code w}; the formulas are DL4J M2.1's. */
  static void draw(
      String block,
      IWeightInit w,
      double fanIn,
      double fanOut,
      SplittableRandom rng,
      float[] out,
      int off,
      int n) {
    String kind = w.getClass().getSimpleName();
    double normalStd =
        switch (kind) {
          case "WeightInitXavier" -> Math.sqrt(2.0 / (fanIn + fanOut));
          case "WeightInitRelu" -> Math.sqrt(2.0 / fanIn);
          case "WeightInitNormal" -> 1.0 / Math.sqrt(fanIn);
          default -> -1;
        };
    double uniformBound =
        switch (kind) {
          case "WeightInitXavierUniform" -> Math.sqrt(6.0) / Math.sqrt(fanIn + fanOut);
          case "WeightInitReluUniform" -> Math.sqrt(6.0 / fanIn);
          case "WeightInitLecunUniform" -> 3.0 / Math.sqrt(fanIn);
          case "WeightInitUniform" -> 1.0 / Math.sqrt(fanIn);
          // DL4J's variance-scaling uniforms (what Keras' VarianceScaling / Glorot uniform import
          // as): a = scale * 3 / sqrt(fan), not sqrt(3 / fan).
          case "WeightInitVarScalingUniformFanAvg" ->
              scale(w) * 3.0 / Math.sqrt((fanIn + fanOut) / 2);
          case "WeightInitVarScalingUniformFanIn" -> scale(w) * 3.0 / Math.sqrt(fanIn);
          case "WeightInitVarScalingUniformFanOut" -> scale(w) * 3.0 / Math.sqrt(fanOut);
          default -> -1;
        };
    if (normalStd > 0) {
      for (int i = 0; i < n; i++) {
        out[off + i] = (float) (Networks.gaussian(rng) * normalStd);
      }
    } else if (uniformBound > 0) {
      for (int i = 0; i < n; i++) {
        out[off + i] = (float) ((2 * rng.nextDouble() - 1) * uniformBound);
      }
    } else if (w instanceof WeightInitConstant) { // deterministic: DL4J's own init is exact
      org.nd4j.linalg.api.ndarray.INDArray view =
          org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, n);
      float[] v = ParamBridge.toFloats(w.init(fanIn, fanOut, new long[] {1, n}, 'f', view));
      System.arraycopy(v, 0, out, off, n);
    } else {
      throw unsupported(block, "weight initialiser " + kind);
    }
  }

  /** The scale of a variance-scaling initialiser (null = 1, as DL4J applies it). */
  private static double scale(IWeightInit w) {
    Double s = null;
    if (w instanceof org.deeplearning4j.nn.weights.WeightInitVarScalingUniformFanAvg v) {
      s = v.getScale();
    } else if (w instanceof org.deeplearning4j.nn.weights.WeightInitVarScalingUniformFanIn v) {
      s = v.getScale();
    } else if (w instanceof org.deeplearning4j.nn.weights.WeightInitVarScalingUniformFanOut v) {
      s = v.getScale();
    }
    return s == null ? 1.0 : s;
  }

  private static Layer layer(Network net, String name) {
    return net.isGraph()
        ? ((org.deeplearning4j.nn.graph.ComputationGraph) net.model()).getLayer(name)
        : net.layerStack().getLayer(Integer.parseInt(name));
  }

  private static BadInputException unsupported(String block, String what) {
    return new BadInputException(
        "Cannot re-initialise parameter block "
            + block
            + " of the"
            + " imported model: its "
            + what
            + " has no supported initial distribution (dense, output"
            + " and convolution layers with the XAVIER, XAVIER_UNIFORM, RELU, RELU_UNIFORM, NORMAL,"
            + " UNIFORM, LECUN_UNIFORM, VAR_SCALING_UNIFORM_FAN_AVG/IN/OUT or a constant"
            + " initialiser); use composition.ablation = [zero]"
            + " and composition.random-init-control = false for this model.");
  }
}
