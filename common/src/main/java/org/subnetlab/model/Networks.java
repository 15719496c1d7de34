package org.subnetlab.model;

import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.subnetlab.config.ModelSettings;

/**
 * Builds DL4J MLPs and small CNNs with initial weights drawn in Java (ND4J's own seeding does not
 * reproduce).
 */
public final class Networks {
  private Networks() {}

  /**
   * Adam at {@code learningRate}, zero initial weights (drawn in Java afterwards), and the weight
   * penalties of {@code t}: DL4J's {@code l1(c)} is c * sum |w| (gradient c * sign(w)) and its
   * {@code l2(c)} is (c/2) * sum w^2 (gradient c * w), both added to the gradient before the
   * updater and applied to weights only (DL4J's l1Bias / l2Bias stay 0); subnetlab's {@code
   * model.l2} is Keras' l2 * sum w^2, so DL4J gets 2 * l2.
   */
  private static NeuralNetConfiguration.Builder base(
      DataType dtype, double learningRate, ModelSettings.Training t) {
    NeuralNetConfiguration.Builder b =
        new NeuralNetConfiguration.Builder()
            .dataType(dtype)
            .updater(new Adam(learningRate))
            .weightInit(WeightInit.ZERO);
    if (t.l1() > 0) {
      b.l1(t.l1());
    }
    if (t.l2() > 0) {
      b.l2(2 * t.l2());
    }
    return b;
  }

  /** Dropout on a layer's input, i.e. on the outputs of the hidden dense layer before it. */
  private static <B extends org.deeplearning4j.nn.conf.layers.Layer.Builder<B>> B dropped(
      B layer, boolean afterHiddenDense, ModelSettings.Training t) {
    if (afterHiddenDense && t.dropout() > 0) {
      layer.dropOut(1.0 - t.dropout()); // DL4J takes the retain probability
    }
    return layer;
  }

  private static Activation activation(String name) {
    return switch (name) {
      case "relu" -> Activation.RELU;
      case "tanh" -> Activation.TANH;
      case "sigmoid" -> Activation.SIGMOID;
      default -> throw new IllegalArgumentException("Unknown activation " + name);
    };
  }

  /**
   * A CNN on height × width single-channel images given flat (row-major): per entry of {@code conv}
   * a kernel × kernel convolution (same padding) with that many channels and a 2×2 max-pooling,
   * then dense layers {@code hidden}, then softmax over {@code classes}. Weights are initialised
   * like {@link #mlp}'s, with fan-in and fan-out from each weight's shape.
   */
  public static MultiLayerNetwork cnn(
      int height,
      int width,
      List<Integer> conv,
      int kernel,
      List<Integer> hidden,
      int classes,
      String activation,
      double learningRate,
      DataType dtype,
      SplittableRandom rng) {
    return cnn(
        height,
        width,
        conv,
        kernel,
        hidden,
        classes,
        activation,
        learningRate,
        dtype,
        rng,
        ModelSettings.Training.OFF);
  }

  /** {@link #cnn} trained with the options {@code t} (dropout after the hidden dense layers). */
  public static MultiLayerNetwork cnn(
      int height,
      int width,
      List<Integer> conv,
      int kernel,
      List<Integer> hidden,
      int classes,
      String activation,
      double learningRate,
      DataType dtype,
      SplittableRandom rng,
      ModelSettings.Training t) {
    Activation act = activation(activation);
    NeuralNetConfiguration.ListBuilder b =
        base(dtype, learningRate, t).convolutionMode(ConvolutionMode.Same).list();
    int i = 0;
    for (int channels : conv) {
      b.layer(
          i++, new ConvolutionLayer.Builder(kernel, kernel).nOut(channels).activation(act).build());
      b.layer(
          i++,
          new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
              .kernelSize(2, 2)
              .stride(2, 2)
              .build());
    }
    boolean afterDense = false;
    for (int h : hidden) {
      b.layer(
          i++, dropped(new DenseLayer.Builder(), afterDense, t).nOut(h).activation(act).build());
      afterDense = true;
    }
    b.layer(
        i,
        dropped(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT), afterDense, t)
            .activation(Activation.SOFTMAX)
            .nOut(classes)
            .build());
    b.setInputType(InputType.convolutionalFlat(height, width, 1));
    MultiLayerNetwork net = new MultiLayerNetwork(b.build());
    net.init();
    initialise(net, act == Activation.RELU, rng);
    return net;
  }

  /**
   * Draws every weight array ({@code *_W}) from N(0, std²): He (2/fan-in) for relu layers before
   * the output layer, Xavier (2/(fan-in + fan-out)) otherwise; biases stay zero. Fans come from the
   * weight's shape: [in, out] for dense, [out, in, kh, kw] for convolutions.
   */
  static void initialise(MultiLayerNetwork net, boolean relu, SplittableRandom rng) {
    ParamLayout layout = ParamLayout.of(net);
    float[] p = new float[layout.total()];
    int outputLayer = net.getnLayers() - 1;
    for (int l = 0; l < layout.layers(); l++) {
      String name = layout.name(l);
      if (!name.endsWith("_W")) {
        continue;
      }
      long[] shape = net.getParam(name).shape();
      long fanIn;
      long fanOut;
      if (shape.length == 4) {
        fanIn = shape[1] * shape[2] * shape[3];
        fanOut = shape[0] * shape[2] * shape[3];
      } else {
        fanIn = shape[0];
        fanOut = shape[1];
      }
      int layer = Integer.parseInt(name.substring(0, name.indexOf('_')));
      boolean he = relu && layer < outputLayer;
      double std = he ? Math.sqrt(2.0 / fanIn) : Math.sqrt(2.0 / (fanIn + fanOut));
      for (int k = 0; k < layout.size(l); k++) {
        p[layout.offset(l) + k] = (float) (gaussian(rng) * std);
      }
    }
    ParamBridge.write(p, net.params());
  }

  /**
   * An MLP in → hidden… → classes (softmax, cross-entropy), Adam with the given rate, no
   * regularisation, parameters initialised from {@code rng}: He-normal weights for relu, Xavier
   * otherwise, zero biases.
   */
  public static MultiLayerNetwork mlp(
      int in,
      List<Integer> hidden,
      int classes,
      String activation,
      double learningRate,
      DataType dtype,
      SplittableRandom rng) {
    return mlp(
        in, hidden, classes, activation, learningRate, dtype, rng, ModelSettings.Training.OFF);
  }

  /**
   * {@link #mlp} trained with the options {@code t}: dropout on the outputs of every hidden layer
   * (the inputs of the layers after the first), L1/L2 on the weights.
   */
  public static MultiLayerNetwork mlp(
      int in,
      List<Integer> hidden,
      int classes,
      String activation,
      double learningRate,
      DataType dtype,
      SplittableRandom rng,
      ModelSettings.Training t) {
    Activation act = activation(activation);
    NeuralNetConfiguration.ListBuilder b = base(dtype, learningRate, t).list();
    int prev = in;
    int i = 0;
    for (int h : hidden) {
      b.layer(
          i, dropped(new DenseLayer.Builder(), i > 0, t).nIn(prev).nOut(h).activation(act).build());
      i++;
      prev = h;
    }
    b.layer(
        i,
        dropped(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT), i > 0, t)
            .activation(Activation.SOFTMAX)
            .nIn(prev)
            .nOut(classes)
            .build());
    MultiLayerConfiguration conf = b.build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    initialise(net, act == Activation.RELU, rng);
    return net;
  }

  /** A standard normal draw (Box–Muller on the given stream). */
  public static double gaussian(SplittableRandom rng) {
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
