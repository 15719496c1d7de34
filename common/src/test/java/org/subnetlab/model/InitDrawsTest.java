package org.subnetlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ModelSettings;
import org.subnetlab.task.CompositeArithmeticTask;
import org.subnetlab.task.Seeds;

class InitDrawsTest {
  /**
   * conv 3×3 stride 2 (4 → 32 channels, UNIFORM), dense 512 → 300 (XAVIER_UNIFORM, bias 0.1), dense
   * 300 → 200 (RELU), output 200 → 10 (XAVIER).
   */
  private static MultiLayerNetwork imported(WeightInit denseInit) {
    return imported(denseInit.getWeightInitFunction());
  }

  private static MultiLayerNetwork imported(org.deeplearning4j.nn.weights.IWeightInit denseInit) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .dataType(DataType.FLOAT)
            .list()
            .layer(
                new ConvolutionLayer.Builder(3, 3)
                    .stride(2, 2)
                    .nOut(32)
                    .weightInit(WeightInit.UNIFORM)
                    .activation(Activation.RELU)
                    .build())
            .layer(
                new DenseLayer.Builder()
                    .nOut(300)
                    .weightInit(denseInit)
                    .biasInit(0.1)
                    .activation(Activation.RELU)
                    .build())
            .layer(
                new DenseLayer.Builder()
                    .nOut(200)
                    .weightInit(WeightInit.RELU)
                    .activation(Activation.RELU)
                    .build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(10)
                    .weightInit(WeightInit.XAVIER)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.convolutional(9, 9, 4))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init(); // DL4J's own initialisers draw the parameters
    return net;
  }

  @Test
  void importedLayersAreDrawnFromTheDistributionOfDl4jsOwnInitialisers() {
    MultiLayerNetwork net = imported(WeightInit.XAVIER_UNIFORM);
    Network n = Network.of(net);
    ParamLayout layout = ParamLayout.of(n);
    float[] dl4j = ParamBridge.toFloats(net.params());
    float[] ours = InitDraws.ofDl4jLayers(n, new SplittableRandom(1));
    // The fans by hand: conv fan-in 4·3·3 = 36; dense 1 reads 32·4·4 = 512 inputs.
    double[] expectedStd = {
      1 / Math.sqrt(36) / Math.sqrt(3), // U(±1/√fanIn)
      Math.sqrt(6.0 / (512 + 300)) / Math.sqrt(3), // U(±√6/√(fanIn + fanOut))
      Math.sqrt(2.0 / 300), // N(0, 2/fanIn)
      Math.sqrt(2.0 / (200 + 10))
    }; // N(0, 2/(fanIn + fanOut))
    int w = 0;
    for (int l = 0; l < layout.layers(); l++) {
      int off = layout.offset(l);
      int size = layout.size(l);
      if (layout.name(l).endsWith("_b")) {
        float bias = layout.name(l).equals("1_b") ? 0.1f : 0f;
        for (int i = 0; i < size; i++) {
          assertThat(ours[off + i]).as("%s[%d]", layout.name(l), i).isEqualTo(bias);
          assertThat(dl4j[off + i]).isEqualTo(bias);
        }
        continue;
      }
      double ourStd = std(ours, off, size);
      double theirStd = std(dl4j, off, size);
      assertThat(ourStd)
          .as("std of %s", layout.name(l))
          .isCloseTo(expectedStd[w], org.assertj.core.data.Percentage.withPercentage(5));
      assertThat(theirStd)
          .as("DL4J's std of %s", layout.name(l))
          .isCloseTo(expectedStd[w], org.assertj.core.data.Percentage.withPercentage(5));
      if (w < 2) { // uniform: the same bound as DL4J's draws
        double bound = expectedStd[w] * Math.sqrt(3);
        assertThat(maxAbs(ours, off, size)).isLessThanOrEqualTo(bound).isGreaterThan(0.97 * bound);
        assertThat(maxAbs(dl4j, off, size))
            .isLessThanOrEqualTo(bound * 1.0001)
            .isGreaterThan(0.97 * bound);
      }
      w++;
    }
    assertThat(InitDraws.ofDl4jLayers(n, new SplittableRandom(1))).containsExactly(ours);
    assertThat(InitDraws.ofDl4jLayers(n, new SplittableRandom(2))).isNotEqualTo(ours);
  }

  @Test
  void varianceScalingUniformAsKerasImportsItMatchesDl4jsDraws() {
    // Keras' VarianceScaling(scale = 2, fan_avg, uniform) imports as this initialiser.
    MultiLayerNetwork net =
        imported(new org.deeplearning4j.nn.weights.WeightInitVarScalingUniformFanAvg(2.0));
    Network n = Network.of(net);
    ParamLayout layout = ParamLayout.of(n);
    int l = layout.names().indexOf("1_W");
    float[] dl4j = ParamBridge.toFloats(net.params());
    float[] ours = InitDraws.ofDl4jLayers(n, new SplittableRandom(4));
    double bound = 2.0 * 3.0 / Math.sqrt((512 + 300) / 2.0); // DL4J: scale · 3 / √fan-avg
    for (float[] v : List.of(ours, dl4j)) {
      assertThat(maxAbs(v, layout.offset(l), layout.size(l)))
          .isLessThanOrEqualTo(bound * 1.0001)
          .isGreaterThan(0.97 * bound);
      assertThat(std(v, layout.offset(l), layout.size(l)))
          .isCloseTo(bound / Math.sqrt(3), org.assertj.core.data.Percentage.withPercentage(5));
    }
  }

  @Test
  void rejectsAnImportedInitialiserWithoutASupportedDistribution() {
    Network n = Network.of(imported(WeightInit.VAR_SCALING_NORMAL_FAN_IN));
    assertThatThrownBy(() -> InitDraws.ofDl4jLayers(n, new SplittableRandom(1)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Cannot re-initialise parameter block 1_W of the imported model")
        .hasMessageContaining("weight initialiser WeightInitVarScalingNormalFanIn")
        .hasMessageContaining("composition.ablation = [zero]");
  }

  @Test
  void modelsTrainedHereAreDrawnLikeTheirOwnInitialWeights() {
    CompositeArithmeticTask task = new CompositeArithmeticTask(8, 64, 0);
    ModelSettings s =
        new ModelSettings(
            List.of(256), "relu", 1, 64, 0.003, List.of(), 5, "", "local", 5, List.of(0L));
    // The base model's saved θ_init is the draw from its "model/init" stream.
    float[] thetaInit = BaseModelTrainer.train(task, s, 7).initialParams();
    assertThat(InitDraws.ofSettings(task, s, Seeds.stream(7, "model/init")))
        .containsExactly(thetaInit);
    float[] fresh = InitDraws.ofSettings(task, s, new SplittableRandom(11));
    assertThat(fresh).isNotEqualTo(thetaInit).hasSameSizeAs(thetaInit);
    // He-normal hidden weights (fan-in 24), Xavier-normal output weights, zero biases.
    int in = 3 * 8;
    assertThat(std(fresh, 0, in * 256))
        .isCloseTo(Math.sqrt(2.0 / in), org.assertj.core.data.Percentage.withPercentage(3));
    int out0 = in * 256 + 256;
    assertThat(std(fresh, out0, 256 * 8))
        .isCloseTo(Math.sqrt(2.0 / (256 + 8)), org.assertj.core.data.Percentage.withPercentage(5));
    for (int i = in * 256; i < out0; i++) {
      assertThat(fresh[i]).isZero();
    }
  }

  private static double std(float[] v, int off, int n) {
    double s = 0;
    double s2 = 0;
    for (int i = off; i < off + n; i++) {
      s += v[i];
      s2 += (double) v[i] * v[i];
    }
    double m = s / n;
    return Math.sqrt(s2 / n - m * m);
  }

  private static double maxAbs(float[] v, int off, int n) {
    double m = 0;
    for (int i = off; i < off + n; i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m;
  }
}
