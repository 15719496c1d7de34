package org.subnetlab.model;

import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Builds DL4J MLPs with initial weights drawn in Java (ND4J's own seeding does not reproduce). */
public final class Networks {
  private Networks() {}

  /**
   * An MLP in → hidden… → classes (softmax, cross-entropy), Adam with the given rate, no
   * regularisation, parameters initialised from {@code rng}: He-normal weights for relu, Xavier
   * otherwise, zero biases.
   */
  public static MultiLayerNetwork mlp(
      int in, List<Integer> hidden, int classes, String activation, double learningRate,
      DataType dtype, SplittableRandom rng) {
    Activation act = switch (activation) {
      case "relu" -> Activation.RELU;
      case "tanh" -> Activation.TANH;
      case "sigmoid" -> Activation.SIGMOID;
      default -> throw new IllegalArgumentException("Unknown activation " + activation);
    };
    NeuralNetConfiguration.ListBuilder b =
        new NeuralNetConfiguration.Builder()
            .dataType(dtype)
            .updater(new Adam(learningRate))
            .weightInit(WeightInit.ZERO)
            .list();
    int prev = in;
    int i = 0;
    for (int h : hidden) {
      b.layer(i++, new DenseLayer.Builder().nIn(prev).nOut(h).activation(act).build());
      prev = h;
    }
    b.layer(
        i,
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX)
            .nIn(prev)
            .nOut(classes)
            .build());
    MultiLayerConfiguration conf = b.build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    ParamLayout layout = ParamLayout.of(net);
    float[] p = new float[layout.total()];
    for (int l = 0; l < layout.layers(); l++) {
      if (!layout.name(l).endsWith("_W")) {
        continue;
      }
      int layer = Integer.parseInt(layout.name(l).substring(0, layout.name(l).indexOf('_')));
      int fanIn = layer == 0 ? in : hidden.get(layer - 1);
      int fanOut = layer < hidden.size() ? hidden.get(layer) : classes;
      boolean he = act == Activation.RELU && layer < hidden.size();
      double std = he ? Math.sqrt(2.0 / fanIn) : Math.sqrt(2.0 / (fanIn + fanOut));
      for (int k = 0; k < layout.size(l); k++) {
        p[layout.offset(l) + k] = (float) (gaussian(rng) * std);
      }
    }
    ParamBridge.write(p, net.params());
    return net;
  }

  /** A standard normal draw (Box–Muller on the given stream). */
  public static double gaussian(SplittableRandom rng) {
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
