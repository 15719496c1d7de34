package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.task.Dataset;

/** Every analytic gradient of the mask methods against central finite differences. */
class MaskGradientTest {
  private static final double EPS = 1e-3;

  private Dl4jObjective objective;
  private float[] theta;
  private Dataset data;
  private int[] rows;
  private org.subnetlab.model.ParamLayout layout;

  @BeforeEach
  void setUp() {
    SplittableRandom rng = new SplittableRandom(7);
    MultiLayerNetwork net = Networks.mlp(5, List.of(6), 3, "tanh", 0.01, DataType.DOUBLE, rng);
    objective = new Dl4jObjective(net);
    layout = org.subnetlab.model.ParamLayout.of(net);
    theta = ParamBridge.toFloats(net.params());
    for (int i = 0; i < theta.length; i++) {
      theta[i] += (float) (0.1 * rng.nextGaussian()); // non-zero biases too
    }
    int n = 16;
    float[] x = new float[n * 5];
    int[] y = new int[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(3);
    }
    data = new Dataset(5, 3, x, y, new int[n], List.of("all"));
    rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
  }

  @Test
  void dl4jGradientOfEffectiveParametersMatchesFiniteDifferences() {
    float[] g = new float[theta.length];
    objective.lossAndGradient(theta, data, rows, 0, rows.length, g);
    float[] fd =
        finiteDifferences(
            theta,
            p -> objective.lossAndGradient(p, data, rows, 0, rows.length, new float[p.length]));
    assertClose(g, fd);
  }

  /**
   * The native-op CNN path (libnd4j conv2d/maxpool2d and their backprops, NativeCnnPass) gives the
   * loss, gradient and outputs of DL4J's own layers, on two convolution blocks, a hidden dense
   * layer, relu and tanh, and the gradient matches finite differences.
   */
  @Test
  void nativeCnnPathEqualsDl4jLayersAndFiniteDifferences() {
    for (String act : List.of("relu", "tanh")) {
      SplittableRandom rng = new SplittableRandom(17);
      MultiLayerNetwork cnn =
          Networks.cnn(8, 8, List.of(2, 3), 3, List.of(4), 3, act, 0.01, DataType.DOUBLE, rng);
      float[] th = ParamBridge.toFloats(cnn.params());
      for (int i = 0; i < th.length; i++) {
        th[i] += (float) (0.1 * rng.nextGaussian());
      }
      int n = 6;
      float[] x = new float[n * 64];
      int[] y = new int[n];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextGaussian();
      }
      for (int i = 0; i < n; i++) {
        y[i] = rng.nextInt(3);
      }
      Dataset images = new Dataset(64, 3, x, y, new int[n], List.of("all"));
      int[] all = {0, 1, 2, 3, 4, 5};
      Dl4jObjective dl4j;
      float[] gDl4j = new float[th.length];
      double lossDl4j;
      System.setProperty("subnetlab.fast-path", "off");
      try {
        dl4j = new Dl4jObjective(cnn);
        lossDl4j = dl4j.lossAndGradient(th, images, all, 0, n, gDl4j);
      } finally {
        System.clearProperty("subnetlab.fast-path");
      }
      Dl4jObjective fast = new Dl4jObjective(cnn);
      float[] g = new float[th.length];
      double loss = fast.lossAndGradient(th, images, all, 0, n, g);
      assertThat(fast.usesNativeCnnPath()).isTrue();
      assertThat(dl4j.usesNativeCnnPath()).isFalse();
      assertThat(loss).as(act).isCloseTo(lossDl4j, org.assertj.core.api.Assertions.within(1e-6));
      for (int i = 0; i < g.length; i++) {
        assertThat((double) g[i])
            .as("%s parameter %d", act, i)
            .isCloseTo(gDl4j[i], org.assertj.core.api.Assertions.within(1e-5));
      }
      float[] pDl4j = dl4j.outputs(th, images);
      float[] p = fast.outputs(th, images);
      for (int i = 0; i < p.length; i++) {
        assertThat((double) p[i]).isCloseTo(pDl4j[i], org.assertj.core.api.Assertions.within(1e-6));
      }
      assertClose(
          g,
          finiteDifferences(
              th, q -> fast.lossAndGradient(q, images, all, 0, n, new float[q.length])));
    }
  }

  /**
   * The BLAS path for float MLPs (BlasMlpPass) gives DL4J's loss, gradient and outputs: two hidden
   * layers, every supported activation, rows picked out of order, and a smaller batch after a
   * larger one (buffers reused).
   */
  @Test
  void blasMlpPathEqualsDl4jBackprop() {
    for (String act : List.of("relu", "tanh", "sigmoid")) {
      SplittableRandom rng = new SplittableRandom(23);
      MultiLayerNetwork mlp = Networks.mlp(7, List.of(9, 8), 4, act, 0.01, DataType.FLOAT, rng);
      float[] th = ParamBridge.toFloats(mlp.params());
      for (int i = 0; i < th.length; i++) {
        th[i] += (float) (0.3 * rng.nextGaussian());
      }
      int n = 20;
      float[] x = new float[n * 7];
      int[] y = new int[n];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextGaussian();
      }
      for (int i = 0; i < n; i++) {
        y[i] = rng.nextInt(4);
      }
      Dataset d = new Dataset(7, 4, x, y, new int[n], List.of("all"));
      int[] order = {5, 19, 0, 3, 11, 7, 2, 16, 9, 1, 14, 12, 4};
      Dl4jObjective dl4j = new Dl4jObjective(mlp); // the path is decided on the first call
      Dl4jObjective fast = new Dl4jObjective(mlp);
      for (int[] range : new int[][] {{0, 13}, {2, 6}}) {
        float[] gDl4j = new float[th.length];
        float[] g = new float[th.length];
        System.setProperty("subnetlab.fast-path", "off");
        double lossDl4j;
        try {
          lossDl4j = dl4j.lossAndGradient(th, d, order, range[0], range[1], gDl4j);
        } finally {
          System.clearProperty("subnetlab.fast-path");
        }
        double loss = fast.lossAndGradient(th, d, order, range[0], range[1], g);
        assertThat(loss).as(act).isCloseTo(lossDl4j, org.assertj.core.api.Assertions.within(1e-5));
        double scale = 0;
        for (float v : gDl4j) {
          scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).isGreaterThan(1e-2);
        for (int i = 0; i < g.length; i++) {
          assertThat((double) g[i])
              .as("%s parameter %d", act, i)
              .isCloseTo(gDl4j[i], org.assertj.core.api.Assertions.within(1e-5 * scale));
        }
      }
      assertThat(fast.usesBlasMlpPath()).isTrue();
      assertThat(dl4j.usesBlasMlpPath()).isFalse();
      float[] pDl4j = dl4j.outputs(th, d);
      float[] p = fast.outputs(th, d);
      for (int i = 0; i < p.length; i++) {
        assertThat((double) p[i]).isCloseTo(pDl4j[i], org.assertj.core.api.Assertions.within(1e-6));
      }
    }
  }

  /**
   * The same chain rule on a ComputationGraph with a skip connection (two dense layers whose
   * activations are concatenated before the output layer): DL4J's gradient w.r.t. the effective
   * parameters, through {@link org.subnetlab.model.Network}.
   */
  @Test
  void computationGraphGradientMatchesFiniteDifferences() {
    org.deeplearning4j.nn.graph.ComputationGraph graph = skipGraph(DataType.DOUBLE);
    Dl4jObjective obj = new Dl4jObjective(org.subnetlab.model.Network.of(graph));
    SplittableRandom rng = new SplittableRandom(13);
    float[] th = ParamBridge.toFloats(graph.params());
    for (int i = 0; i < th.length; i++) {
      th[i] += (float) (0.1 * rng.nextGaussian());
    }
    // h1: 5x4 + 4, h2: 4x4 + 4, out: (4 + 4)x3 + 3
    assertThat(th.length).isEqualTo(24 + 20 + 27);
    float[] g = new float[th.length];
    obj.lossAndGradient(th, data, rows, 0, rows.length, g);
    assertClose(
        g,
        finiteDifferences(
            th, p -> obj.lossAndGradient(p, data, rows, 0, rows.length, new float[p.length])));
  }

  /** in(5) -> h1(4, tanh) -> h2(4, tanh); [h1, h2] -> softmax(3), cross-entropy. */
  public static org.deeplearning4j.nn.graph.ComputationGraph skipGraph(DataType dtype) {
    org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
            .seed(3)
            .dataType(dtype)
            .updater(new org.nd4j.linalg.learning.config.Adam(0.01))
            .weightInit(org.deeplearning4j.nn.weights.WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("in")
            .addLayer(
                "h1",
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder()
                    .nIn(5)
                    .nOut(4)
                    .activation(org.nd4j.linalg.activations.Activation.TANH)
                    .build(),
                "in")
            .addLayer(
                "h2",
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder()
                    .nIn(4)
                    .nOut(4)
                    .activation(org.nd4j.linalg.activations.Activation.TANH)
                    .build(),
                "h1")
            .addVertex("skip", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "h1", "h2")
            .addLayer(
                "out",
                new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT)
                    .nIn(8)
                    .nOut(3)
                    .activation(org.nd4j.linalg.activations.Activation.SOFTMAX)
                    .build(),
                "skip")
            .setOutputs("out")
            .build();
    org.deeplearning4j.nn.graph.ComputationGraph g =
        new org.deeplearning4j.nn.graph.ComputationGraph(conf);
    g.init();
    return g;
  }

  /**
   * The same chain rule on a CNN (convolution, max-pooling, dense softmax): DL4J's gradient w.r.t.
   * the effective parameters and continuous sparsification's mask gradient through it, with no
   * convolution-specific code in the methods.
   */
  @Test
  void cnnMaskGradientsMatchFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(11);
    MultiLayerNetwork cnn =
        Networks.cnn(6, 6, List.of(2), 3, List.of(), 3, "tanh", 0.01, DataType.DOUBLE, rng);
    Dl4jObjective obj = new Dl4jObjective(cnn);
    float[] th = ParamBridge.toFloats(cnn.params());
    for (int i = 0; i < th.length; i++) {
      th[i] += (float) (0.1 * rng.nextGaussian());
    }
    int n = 8;
    float[] x = new float[n * 36];
    int[] y = new int[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(3);
    }
    Dataset images = new Dataset(36, 3, x, y, new int[n], List.of("all"));
    int[] all = {0, 1, 2, 3, 4, 5, 6, 7};
    // conv W 2x1x3x3 + b 2, output W (2*3*3)x3 + b 3
    assertThat(th.length).isEqualTo(18 + 2 + 54 + 3);
    float[] g = new float[th.length];
    obj.lossAndGradient(th, images, all, 0, n, g);
    assertClose(
        g,
        finiteDifferences(th, p -> obj.lossAndGradient(p, images, all, 0, n, new float[p.length])));

    ContinuousSparsification cs =
        new ContinuousSparsification(
            Map.of(
                "steps",
                10.0,
                "batch-size",
                8.0,
                "learning-rate",
                0.1,
                "lambda",
                0.01,
                "beta-start",
                1.0,
                "beta-end",
                100.0,
                "mask-init",
                0.3));
    float[] m = new float[th.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) (rng.nextGaussian() * 0.5);
    }
    int k = th.length;
    float[] grad = new float[k];
    cs.objective(obj, th, m, 1.5, images, all, 0, n, grad, new float[k], new float[k]);
    assertClose(
        grad,
        finiteDifferences(
            m,
            p ->
                cs.objective(
                    obj, th, p, 1.5, images, all, 0, n, new float[k], new float[k], new float[k])));
  }

  @Test
  void continuousSparsificationGradientMatchesFiniteDifferences() {
    ContinuousSparsification cs =
        new ContinuousSparsification(
            Map.of(
                "steps",
                10.0,
                "batch-size",
                16.0,
                "learning-rate",
                0.1,
                "lambda",
                0.01,
                "beta-start",
                1.0,
                "beta-end",
                100.0,
                "mask-init",
                0.3));
    SplittableRandom rng = new SplittableRandom(3);
    float[] m = new float[theta.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) (rng.nextGaussian() * 0.5);
    }
    double beta = 2.5;
    float[] grad = new float[m.length];
    int n = theta.length;
    cs.objective(
        objective, theta, m, beta, data, rows, 0, rows.length, grad, new float[n], new float[n]);
    float[] fd =
        finiteDifferences(
            m,
            p ->
                cs.objective(
                    objective,
                    theta,
                    p,
                    beta,
                    data,
                    rows,
                    0,
                    rows.length,
                    new float[n],
                    new float[n],
                    new float[n]));
    assertClose(grad, fd);
  }

  @Test
  void csordasSoftGateGradientMatchesFiniteDifferences() {
    CsordasMethod cm = csordas();
    float[] logits = new float[theta.length];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) rng.nextGaussian();
    }
    int n = theta.length;
    float[] grad = new float[n];
    softSlice(cm, logits, grad); // the same noise in every call (a fresh generator, one seed)
    float[] fd = finiteDifferences(logits, p -> softSlice(cm, p, new float[n]));
    assertClose(grad, fd);
  }

  /**
   * The noise behind the gates is the standard logistic of the paper: z = −τ·ln r (τ = 2) has the
   * logistic CDF σ(z) at several points, mean 0 and variance π²/3, on 200 001 samples (an odd
   * count: the last ratio comes from half a random draw).
   */
  @Test
  void csordasNoiseIsLogistic() {
    CsordasMethod cm = csordas();
    float[] r = new float[200_001];
    cm.noiseRatios(new SplittableRandom(11), r);
    double[] at = {-6, -2, -0.5, 0, 0.5, 2, 6};
    int[] below = new int[at.length];
    double sum = 0;
    double sq = 0;
    for (float v : r) {
      assertThat(v).isPositive().isFinite();
      double z = -2.0 * Math.log(v);
      sum += z;
      sq += z * z;
      for (int k = 0; k < at.length; k++) {
        below[k] += z <= at[k] ? 1 : 0;
      }
    }
    for (int k = 0; k < at.length; k++) {
      double cdf = 1 / (1 + Math.exp(-at[k]));
      assertThat((double) below[k] / r.length)
          .as("P(z <= %s)", at[k])
          .isCloseTo(cdf, org.assertj.core.api.Assertions.within(0.004));
    }
    double mean = sum / r.length;
    assertThat(mean).isCloseTo(0, org.assertj.core.api.Assertions.within(0.03));
    assertThat(sq / r.length - mean * mean)
        .isCloseTo(Math.PI * Math.PI / 3, org.assertj.core.api.Assertions.withinPercentage(2));
  }

  @Test
  void csordasHardGateUsesBinaryMaskAndStraightThroughGradient() {
    CsordasMethod cm = csordas();
    int n = theta.length;
    float[] logits = new float[n];
    float[] noise = new float[n];
    SplittableRandom rng = new SplittableRandom(9);
    for (int i = 0; i < n; i++) {
      logits[i] = (float) rng.nextGaussian();
    }
    cm.noiseRatios(new SplittableRandom(10), noise); // what slice draws from the same seed
    float[] grad = new float[n];
    CsordasMethod.Scratch scratch = new CsordasMethod.Scratch(n);
    cm.expNegLogits(logits, scratch.expNegLogits, scratch.effective);
    double loss =
        cm.slice(
            objective,
            theta,
            new SplittableRandom(10),
            CsordasMethod.Gate.HARD,
            data,
            rows,
            0,
            16,
            grad,
            1.0,
            scratch);
    // By hand, with the logistic z = −τ·ln r behind each noise ratio r: b = [σ((l+z)/τ) > 0.5]
    // = [l + z > 0]; ∂L/∂l = g(θ⊙b) · θ · s(1−s)/τ (τ = 2).
    float[] eff = new float[n];
    float[] expected = new float[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      boolean b = logits[i] - 2.0 * Math.log(noise[i]) > 0;
      eff[i] = b ? theta[i] : 0f;
      kept += b ? 1 : 0;
    }
    float[] g = new float[n];
    double direct = objective.lossAndGradient(eff, data, rows, 0, 16, g);
    for (int i = 0; i < n; i++) {
      double s = 1 / (1 + Math.exp(-(logits[i] - 2.0 * Math.log(noise[i])) / 2.0));
      expected[i] = (float) (g[i] * theta[i] * s * (1 - s) / 2.0);
    }
    assertThat(kept).isBetween(1, n - 1);
    assertThat(loss).isEqualTo(direct);
    for (int i = 0; i < n; i++) {
      assertThat(grad[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  /**
   * A whole csordas step with the penalty on (α = 0.5, so α/B is as large as the CE gradient) and
   * three masks on slices of 5, 5 and 6 of the 16 examples, soft gates: the analytic gradient of L
   * = (1/B) Σ_batch CE + (α/B) Σ l equals finite differences of the same loss (same noise).
   */
  @Test
  void csordasSoftStepWithPenaltyAndSeveralMasksMatchesFiniteDifferences() {
    CsordasMethod cm = csordas(0.5, 3);
    float[] logits = randomLogits(5);
    int n = theta.length;
    float[] grad = new float[n];
    softStep(cm, logits, grad);
    float[] fd = finiteDifferences(logits, p -> softStep(cm, p, new float[n]));
    assertClose(grad, fd);
    // the penalty alone: the soft step minus its loss at α = 0 is (α/B)·Σ l
    double withPenalty = softStep(cm, logits, new float[n]);
    double without = softStep(csordas(0.0, 3), logits, new float[n]);
    double sum = 0;
    for (float l : logits) {
      sum += l;
    }
    assertThat(withPenalty - without)
        .isCloseTo(0.5 / 16 * sum, org.assertj.core.api.Assertions.within(1e-9));
  }

  /**
   * The hard step's loss and straight-through gradient against an independent computation in double
   * precision from the same noise (the noise ratios {@code noiseRatios} draws from the same seed,
   * mask after mask): per mask j on slice S_j, b_j = [l + z_j > 0], the loss Σ_j |S_j|/B · CE_j(θ ⊙
   * b_j) + (α/B) Σ l and the gradient Σ_j |S_j|/B · g_j · θ · s_j(1 − s_j)/τ + α/B, with g_j =
   * ∂CE_j/∂θ_eff.
   */
  @Test
  void csordasHardStepIsTheExpectedStraightThroughGradient() {
    assertHardStepIsTheExpectedStraightThroughGradient(csordas(0.3, 3), new boolean[theta.length]);
  }

  /**
   * With mask-biases = 0 the hard step keeps every bias in every sample, gives the biases' logits a
   * gradient of exactly 0 and leaves them out of the penalty (same independent computation, with b
   * = 1 and no α/B for the biases).
   */
  @Test
  void csordasHardStepWithoutMaskedBiasesKeepsThemAndExcludesThemFromThePenalty() {
    boolean[] bias = new boolean[theta.length];
    int biases = 0;
    for (int l = 0; l < layout.layers(); l++) {
      if (layout.name(l).endsWith("_b")) {
        java.util.Arrays.fill(bias, layout.offset(l), layout.offset(l) + layout.size(l), true);
        biases += layout.size(l);
      }
    }
    assertThat(biases).isEqualTo(6 + 3);
    float[] grad = assertHardStepIsTheExpectedStraightThroughGradient(csordas(0.3, 3), bias);
    for (int i = 0; i < theta.length; i++) {
      if (bias[i]) {
        assertThat(grad[i]).as("bias %d", i).isZero();
      }
    }
  }

  /**
   * The hard step's loss and straight-through gradient against an independent computation in double
   * precision from the same noise (the noise ratios {@code noiseRatios} draws from the same seed,
   * mask after mask): per mask j on slice S_j, b_j = [l + z_j > 0] (1 where {@code fixed}), the
   * loss Σ_j |S_j|/B · CE_j(θ ⊙ b_j) + (α/B) Σ_{i not fixed} l_i and the gradient Σ_j |S_j|/B · g_j
   * · θ · s_j(1 − s_j)/τ + α/B (0 where fixed), g_j = ∂CE_j/∂θ_eff.
   */
  private float[] assertHardStepIsTheExpectedStraightThroughGradient(
      CsordasMethod cm, boolean[] fixed) {
    double alpha = 0.3;
    int masks = 3;
    double tau = 2.0;
    float[] logits = randomLogits(9);
    int n = theta.length;
    float[] grad = new float[n];
    double loss =
        cm.step(
            objective,
            theta,
            logits,
            data,
            rows,
            new SplittableRandom(10),
            CsordasMethod.Gate.HARD,
            grad,
            new CsordasMethod.Scratch(n, Maskable.fixed(not(fixed))));

    SplittableRandom noiseRng = new SplittableRandom(10);
    int[] bounds = {0, 5, 10, 16};
    double expectedLoss = 0;
    double[] expected = new double[n];
    int keptSomewhere = 0;
    for (int j = 0; j < masks; j++) {
      float[] r = new float[n];
      cm.noiseRatios(noiseRng, r);
      float[] eff = new float[n];
      double[] s = new double[n];
      for (int i = 0; i < n; i++) {
        double z = -tau * Math.log(r[i]);
        s[i] = fixed[i] ? 1 : 1 / (1 + Math.exp(-(logits[i] + z) / tau));
        boolean b = fixed[i] || logits[i] + z > 0;
        eff[i] = b ? theta[i] : 0f;
        keptSomewhere += b ? 1 : 0;
      }
      float[] g = new float[n];
      double share = (bounds[j + 1] - bounds[j]) / 16.0;
      expectedLoss +=
          share * objective.lossAndGradient(eff, data, rows, bounds[j], bounds[j + 1], g);
      for (int i = 0; i < n; i++) {
        expected[i] += share * g[i] * theta[i] * s[i] * (1 - s[i]) / tau;
      }
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      if (!fixed[i]) {
        expected[i] += alpha / 16;
        sum += logits[i];
      }
    }
    expectedLoss += alpha / 16 * sum;
    assertThat(keptSomewhere).isBetween(masks, masks * n - masks);
    assertThat(loss).isCloseTo(expectedLoss, org.assertj.core.api.Assertions.within(1e-6));
    for (int i = 0; i < n; i++) {
      assertThat((double) grad[i])
          .as("parameter %d", i)
          .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-6));
    }
    return grad;
  }

  private static boolean[] not(boolean[] b) {
    boolean[] out = new boolean[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = !b[i];
    }
    return out;
  }

  /**
   * Continuous sparsification without masked biases: the biases' gradient is exactly 0, the rest
   * matches finite differences, and the loss is CE(θ_W ⊙ σ(βm_W), θ_b) + λ Σ_W σ(βm) computed
   * independently in double precision.
   */
  @Test
  void continuousSparsificationWithoutMaskedBiasesMatchesAnIndependentLoss() {
    double lambda = 0.01;
    ContinuousSparsification cs =
        new ContinuousSparsification(
            Map.of(
                "steps",
                10.0,
                "batch-size",
                16.0,
                "learning-rate",
                0.1,
                "lambda",
                lambda,
                "beta-start",
                1.0,
                "beta-end",
                100.0,
                "mask-init",
                0.3,
                "mask-biases",
                0.0));
    boolean[] maskable = Maskable.of(layout, false);
    int[] fixed = Maskable.fixed(maskable);
    assertThat(fixed).hasSize(6 + 3);
    float[] m = randomLogits(3);
    double beta = 2.5;
    int n = theta.length;
    float[] grad = new float[n];
    double loss =
        cs.objective(
            objective,
            theta,
            m,
            beta,
            data,
            rows,
            0,
            rows.length,
            grad,
            new float[n],
            new float[n],
            fixed);
    float[] fd =
        finiteDifferences(
            m,
            p ->
                cs.objective(
                    objective,
                    theta,
                    p,
                    beta,
                    data,
                    rows,
                    0,
                    rows.length,
                    new float[n],
                    new float[n],
                    new float[n],
                    fixed));
    assertClose(grad, fd);
    float[] eff = new float[n];
    double l1 = 0;
    for (int i = 0; i < n; i++) {
      double gate = maskable[i] ? 1 / (1 + Math.exp(-beta * m[i])) : 1;
      eff[i] = (float) (theta[i] * gate);
      l1 += maskable[i] ? gate : 0;
    }
    double expected =
        objective.lossAndGradient(eff, data, rows, 0, rows.length, new float[n]) + lambda * l1;
    assertThat(loss).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-5));
    for (int i : fixed) {
      assertThat(grad[i]).as("bias %d", i).isZero();
    }
  }

  /**
   * Trained with mask-biases = 0, csordas and continuous sparsification keep every bias in the
   * final mask and count them as kept in the density history, even with a penalty strong enough to
   * remove weights; with mask-biases = 1 the same penalty removes biases too.
   */
  @Test
  void unmaskedBiasesAreKeptAndCountedAsKept() {
    Map<String, Double> cs =
        new java.util.HashMap<>(
            Map.of(
                "steps",
                60.0,
                "batch-size",
                16.0,
                "learning-rate",
                0.1,
                "alpha",
                50.0,
                "tau",
                1.0,
                "logit-init",
                0.5,
                "masks-per-batch",
                2.0));
    Map<String, Double> sp =
        new java.util.HashMap<>(
            Map.of(
                "steps",
                60.0,
                "batch-size",
                16.0,
                "learning-rate",
                0.1,
                "lambda",
                0.5,
                "beta-start",
                1.0,
                "beta-end",
                50.0,
                "mask-init",
                0.5));
    for (Map<String, Double> hp : List.of(cs, sp)) {
      String id = hp.containsKey("alpha") ? CsordasMethod.ID : ContinuousSparsification.ID;
      for (double maskBiases : new double[] {0.0, 1.0}) {
        hp.put("mask-biases", maskBiases);
        MaskTrainingResult r =
            MaskMethods.create(id, hp)
                .train(
                    new MaskContext(objective, theta, null, layout, data, new SplittableRandom(4)));
        long biasesKept = 0;
        for (int l = 0; l < layout.layers(); l++) {
          if (layout.name(l).endsWith("_b")) {
            biasesKept += r.mask().keptInLayer(l);
          }
        }
        assertThat(r.mask().kept())
            .as("%s mask-biases %s", id, maskBiases)
            .isLessThan(theta.length - 9);
        if (maskBiases == 0.0) {
          assertThat(biasesKept).as(id).isEqualTo(9);
        } else {
          assertThat(biasesKept).as(id).isLessThan(9);
        }
        float[] d = r.densityHistory();
        assertThat(d[d.length - 1]).isEqualTo((float) r.mask().kept() / theta.length);
      }
    }
  }

  private float[] randomLogits(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] logits = new float[theta.length];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) rng.nextGaussian();
    }
    return logits;
  }

  private double softStep(CsordasMethod cm, float[] logits, float[] grad) {
    return cm.step(
        objective,
        theta,
        logits,
        data,
        rows,
        new SplittableRandom(5),
        CsordasMethod.Gate.SOFT,
        grad,
        new CsordasMethod.Scratch(logits.length));
  }

  private double softSlice(CsordasMethod cm, float[] logits, float[] grad) {
    CsordasMethod.Scratch scratch = new CsordasMethod.Scratch(logits.length);
    cm.expNegLogits(logits, scratch.expNegLogits, scratch.effective);
    return cm.slice(
        objective,
        theta,
        new SplittableRandom(5),
        CsordasMethod.Gate.SOFT,
        data,
        rows,
        0,
        16,
        grad,
        1.0,
        scratch);
  }

  private static CsordasMethod csordas() {
    return csordas(0.0, 1);
  }

  private static CsordasMethod csordas(double alpha, int masksPerBatch) {
    return new CsordasMethod(
        Map.of(
            "steps",
            10.0,
            "batch-size",
            16.0,
            "learning-rate",
            0.1,
            "alpha",
            alpha,
            "tau",
            2.0,
            "logit-init",
            0.9,
            "masks-per-batch",
            (double) masksPerBatch));
  }

  private interface Loss {
    double at(float[] p);
  }

  private static float[] finiteDifferences(float[] x, Loss f) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      float[] p = x.clone();
      p[i] = (float) (x[i] + EPS);
      double up = f.at(p);
      p[i] = (float) (x[i] - EPS);
      double down = f.at(p);
      out[i] = (float) ((up - down) / (2 * EPS));
    }
    return out;
  }

  private static void assertClose(float[] analytic, float[] numeric) {
    double scale = 0;
    double maxErr = 0;
    for (int i = 0; i < analytic.length; i++) {
      scale = Math.max(scale, Math.abs(numeric[i]));
      maxErr = Math.max(maxErr, Math.abs(analytic[i] - numeric[i]));
    }
    assertThat(scale).as("gradient scale").isGreaterThan(1e-3);
    assertThat(maxErr / scale).as("max |analytic - numeric| / max |numeric|").isLessThan(2e-3);
  }
}
