package org.subnetlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.config.ModelSettings;
import org.subnetlab.task.Dataset;

/**
 * The lesion evaluator (issue 27): variants of a reference θ evaluated from their lowest changed
 * layer on give bit-identical outputs, accuracies and losses to the objective's whole forward pass
 * (on data sets of more than one evaluation chunk), also from many threads at once; a
 * dropout-trained net takes the path at test time and matches DL4J's own test-time outputs.
 */
class PrefixEvaluatorTest {
  private static final int IN = 12;
  private static final int CLASSES = 5;

  private static Dataset data(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * IN];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    int[] y = IntStream.range(0, n).map(i -> r.nextInt(CLASSES)).toArray();
    return new Dataset(IN, CLASSES, x, y, new int[n], List.of("all"));
  }

  private static MultiLayerNetwork mlp(ModelSettings.Training t) {
    return Networks.mlp(
        IN, List.of(16, 14, 10), CLASSES, "relu", 0.01, DataType.FLOAT, new SplittableRandom(3), t);
  }

  /** Variants of θ: unchanged, one weight of each layer zeroed, a hidden unit's outgoing row. */
  private static List<float[]> variants(float[] theta, ParamLayout layout) {
    List<float[]> v = new ArrayList<>();
    v.add(theta.clone());
    for (int b = 0; b < layout.layers(); b++) {
      float[] p = theta.clone();
      p[layout.offset(b) + layout.size(b) / 2] = 0f;
      v.add(p);
    }
    float[] deep = theta.clone(); // unit 3 of hidden layer 2: its outgoing weights in block 4 (2_W)
    int w = layout.names().indexOf("2_W");
    for (int out = 0; out < 10; out++) {
      deep[layout.offset(w) + 3 + 14 * out] = 0f;
    }
    v.add(deep);
    return v;
  }

  @Test
  void variantsFromTheirLowestChangedLayerAreBitIdenticalToTheWholeForwardPass() {
    MultiLayerNetwork net = mlp(ModelSettings.Training.OFF);
    Dl4jObjective objective = new Dl4jObjective(net);
    float[] theta = ParamBridge.toFloats(net.params());
    ParamLayout layout = ParamLayout.of(Network.of(net));
    // 5,000 examples: two evaluation chunks (4,096 + 904); 7 examples: one.
    List<Dataset> sets = List.of(data(5000, 1), data(7, 2));
    PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, sets);
    assertThat(ev.fromLowestChangedLayer()).isTrue();
    List<float[]> vs = variants(theta, layout);
    Dl4jObjective whole = new Dl4jObjective(net);
    for (float[] p : vs) {
      for (int d = 0; d < sets.size(); d++) {
        float[] expected = whole.outputs(p, sets.get(d));
        assertThat(ev.outputs(p, d)).containsExactly(expected);
        Evaluation e = whole.evaluate(p, sets.get(d));
        assertThat(ev.evaluate(p, d)).isEqualTo(e);
      }
    }
    assertThat(whole.usesBlasMlpPath()).isTrue();
    // and the variants do differ from θ's outputs (the test could fail)
    assertThat(ev.outputs(vs.get(vs.size() - 1), 0)).isNotEqualTo(ev.outputs(theta, 0));
  }

  @Test
  void manyThreadsAtOnceGiveTheSerialResults() throws Exception {
    MultiLayerNetwork net = mlp(ModelSettings.Training.OFF);
    Dl4jObjective objective = new Dl4jObjective(net);
    float[] theta = ParamBridge.toFloats(net.params());
    ParamLayout layout = ParamLayout.of(Network.of(net));
    PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, List.of(data(600, 4)));
    List<float[]> vs = new ArrayList<>();
    for (int rep = 0; rep < 8; rep++) {
      vs.addAll(variants(theta, layout));
    }
    float[][] serial = new float[vs.size()][];
    for (int i = 0; i < vs.size(); i++) {
      serial[i] = ev.outputs(vs.get(i), 0);
    }
    float[][] parallel = new float[vs.size()][];
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(4);
    try {
      pool.submit(
              () ->
                  IntStream.range(0, vs.size())
                      .parallel()
                      .forEach(i -> parallel[i] = ev.outputs(vs.get(i), 0)))
          .get();
    } finally {
      pool.shutdown();
    }
    for (int i = 0; i < vs.size(); i++) {
      assertThat(parallel[i]).containsExactly(serial[i]);
    }
  }

  @Test
  void aDropoutTrainedNetTakesThePathAtTestTimeWithDl4jsOutputs() {
    MultiLayerNetwork net = mlp(new ModelSettings.Training(0.5, 0, 1e-4, null));
    Dl4jObjective objective = new Dl4jObjective(net);
    float[] theta = ParamBridge.toFloats(net.params());
    Dataset d = data(300, 5);
    PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, List.of(d));
    assertThat(ev.fromLowestChangedLayer()).isTrue();
    float[] x = new float[d.size() * IN];
    for (int i = 0; i < d.size(); i++) {
      d.copyFeatures(i, x, i * IN);
    }
    float[] dl4j =
        ParamBridge.toFloats(net.output(Nd4j.create(x, new long[] {d.size(), IN}, 'c'), false));
    float[] ours = ev.outputs(theta, 0);
    assertThat(ours).hasSameSizeAs(dl4j);
    for (int i = 0; i < ours.length; i++) {
      assertThat(ours[i]).isCloseTo(dl4j[i], org.assertj.core.api.Assertions.within(1e-6f));
    }
    // the objective itself keeps DL4J's layers for this net (they train with dropout)
    objective.evaluate(theta, d);
    assertThat(objective.usesBlasMlpPath()).isFalse();
  }

  @Test
  void aSoftmaxDenseWithALossLayerAsKerasImportBuildsItTakesThePathAtTestTime() {
    var conf =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
            .dataType(DataType.FLOAT)
            .weightInit(org.deeplearning4j.nn.weights.WeightInit.XAVIER)
            .seed(7)
            .list()
            .layer(
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder()
                    .nIn(IN)
                    .nOut(9)
                    .activation(org.nd4j.linalg.activations.Activation.RELU)
                    .build())
            .layer(
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder()
                    .nIn(9)
                    .nOut(CLASSES)
                    .activation(org.nd4j.linalg.activations.Activation.SOFTMAX)
                    .build())
            .layer(
                new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT)
                    .activation(org.nd4j.linalg.activations.Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    Dl4jObjective objective = new Dl4jObjective(net);
    float[] theta = ParamBridge.toFloats(net.params());
    Dataset d = data(250, 8);
    PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, List.of(d));
    assertThat(ev.fromLowestChangedLayer()).isTrue();
    float[] lesioned = theta.clone();
    ParamLayout layout = ParamLayout.of(Network.of(net));
    int w = layout.names().indexOf("1_W");
    for (int out = 0; out < CLASSES; out++) {
      lesioned[layout.offset(w) + 4 + 9 * out] = 0f; // unit 4 of the hidden layer
    }
    for (float[] p : List.of(theta, lesioned)) {
      float[] dl4j = objective.outputs(p, d); // DL4J's own layers: no fast pass for this stack
      float[] ours = ev.outputs(p, 0);
      for (int i = 0; i < ours.length; i++) {
        assertThat(ours[i]).isCloseTo(dl4j[i], org.assertj.core.api.Assertions.within(1e-6f));
      }
    }
    assertThat(objective.usesBlasMlpPath()).isFalse();
    assertThat(ev.outputs(lesioned, 0)).isNotEqualTo(ev.outputs(theta, 0));
  }

  @Test
  void withTheBlasPathOffVariantsAreEvaluatedWholeByTheObjective() {
    MultiLayerNetwork net = mlp(ModelSettings.Training.OFF);
    float[] theta = ParamBridge.toFloats(net.params());
    ParamLayout layout = ParamLayout.of(Network.of(net));
    Dataset d = data(200, 6);
    System.setProperty("subnetlab.fast-path", "off");
    try {
      Dl4jObjective objective = new Dl4jObjective(net);
      PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, List.of(d));
      assertThat(ev.fromLowestChangedLayer()).isFalse();
      for (float[] p : variants(theta, layout)) {
        assertThat(ev.outputs(p, 0)).containsExactly(objective.outputs(p, d));
      }
      assertThat(objective.usesBlasMlpPath()).isFalse();
    } finally {
      System.clearProperty("subnetlab.fast-path");
    }
  }
}
