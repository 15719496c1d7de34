package org.subnetlab.model;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.task.Dataset;

/**
 * {@link MaskedObjective} on any DL4J network (a {@link MultiLayerNetwork} or a ComputationGraph,
 * see {@link Network}): writes θ_eff into the network's flattened parameter view, runs DL4J's own
 * backprop once, and reads the flattened gradient. Holds a private clone of the network; not
 * thread-safe.
 */
public final class Dl4jObjective implements MaskedObjective {
  static final int EVAL_CHUNK = 4096;

  /** The CNN path's im2col matrices grow with the chunk (k²·C floats per pixel): keep it small. */
  private static final int CNN_EVAL_CHUNK = 256;

  private final Network net;
  private final int numParams;
  private final DataType dtype;
  private final Map<Integer, INDArray[]> batches = new HashMap<>();
  private float[] featureScratch = new float[0];
  private float[] labelScratch = new float[0];

  /** The native-op path for CNNs of {@link Networks#cnn}'s shape (decided on first use). */
  private ConvNetPath convPath;

  private boolean convPathChecked;

  /** The BLAS path for float MLPs of {@link Networks#mlp}'s shape (decided on first use). */
  private DenseNetPath densePath;

  private boolean densePathChecked;

  public Dl4jObjective(Network base) {
    this.net = base.copy();
    this.numParams = Math.toIntExact(net.numParams());
    this.dtype = net.dataType();
  }

  public Dl4jObjective(MultiLayerNetwork base) {
    this(Network.of(base));
  }

  @Override
  public int numParams() {
    return numParams;
  }

  @Override
  public double lossAndGradient(
      float[] effective, Dataset data, int[] rows, int from, int to, float[] gradient) {
    DenseNetPath dense = densePath(data);
    if (dense != null) {
      return dense.lossAndGradient(effective, data, rows, from, to, gradient);
    }
    int n = to - from;
    INDArray[] xy = batch(n, data.inputSize(), data.numClasses());
    fill(data, rows, from, to, xy);
    ParamBridge.write(effective, net.params());
    ConvNetPath conv = convPath(data.inputSize());
    if (conv != null) {
      INDArray[] g = new INDArray[1];
      double loss = conv.lossAndGradient(xy[0], xy[1], g);
      ParamBridge.read(g[0], gradient); // already the mean over the minibatch
      return loss;
    }
    double score = net.lossAndBackprop(xy[0], xy[1]);
    // DL4J's gradient is the sum over the minibatch (its updater divides); its score is the mean.
    ParamBridge.read(net.gradient(), gradient);
    float inv = 1f / n;
    for (int i = 0; i < gradient.length; i++) {
      gradient[i] *= inv;
    }
    return score;
  }

  @Override
  public Evaluation evaluate(float[] effective, Dataset data) {
    return evaluation(outputs(effective, data), data);
  }

  /** Accuracy and mean cross-entropy of output probabilities {@code p} (n × classes) on data. */
  static Evaluation evaluation(float[] p, Dataset data) {
    boolean[] correct = new boolean[data.size()];
    double[] loss = new double[data.size()];
    scoreExamples(p, data, correct, loss);
    int right = 0;
    double total = 0;
    for (int i = 0; i < correct.length; i++) {
      right += correct[i] ? 1 : 0;
      total += loss[i];
    }
    int n = data.size();
    return new Evaluation(n == 0 ? 0 : (double) right / n, n == 0 ? 0 : total / n, n);
  }

  /** Per example of {@code data}: whether the arg-max class is its label, and its CE loss. */
  public void perExample(float[] effective, Dataset data, boolean[] correct, double[] loss) {
    scoreExamples(outputs(effective, data), data, correct, loss);
  }

  private static void scoreExamples(float[] p, Dataset data, boolean[] correct, double[] loss) {
    int c = data.numClasses();
    for (int i = 0; i < data.size(); i++) {
      int label = data.label(i);
      int best = 0;
      for (int k = 1; k < c; k++) {
        if (p[i * c + k] > p[i * c + best]) {
          best = k;
        }
      }
      correct[i] = best == label;
      loss[i] = -Math.log(Math.max(p[i * c + label], 1e-12));
    }
  }

  /** The network's output probabilities (n × classes, row-major) with parameters θ_eff. */
  public float[] outputs(float[] effective, Dataset data) {
    int c = data.numClasses();
    float[] out = new float[data.size() * c];
    DenseNetPath dense = densePath(data);
    if (dense != null) {
      float[] x = new float[Math.min(data.size(), EVAL_CHUNK) * data.inputSize()];
      float[] p = new float[Math.min(data.size(), EVAL_CHUNK) * c];
      for (int start = 0; start < data.size(); start += EVAL_CHUNK) {
        int end = Math.min(data.size(), start + EVAL_CHUNK);
        for (int i = start; i < end; i++) {
          data.copyFeatures(i, x, (i - start) * data.inputSize());
        }
        dense.outputs(effective, x, end - start, p);
        System.arraycopy(p, 0, out, start * c, (end - start) * c);
      }
      return out;
    }
    ParamBridge.write(effective, net.params());
    int chunk = convPath(data.inputSize()) != null ? CNN_EVAL_CHUNK : EVAL_CHUNK;
    for (int start = 0; start < data.size(); start += chunk) {
      int end = Math.min(data.size(), start + chunk);
      float[] x = new float[(end - start) * data.inputSize()];
      for (int i = start; i < end; i++) {
        data.copyFeatures(i, x, (i - start) * data.inputSize());
      }
      INDArray in = Nd4j.create(x, new long[] {end - start, data.inputSize()}, 'c').castTo(dtype);
      ConvNetPath conv = convPath(data.inputSize());
      float[] p = ParamBridge.toFloats((conv != null ? conv.output(in) : net.output(in)).dup('c'));
      System.arraycopy(p, 0, out, start * c, p.length);
    }
    return out;
  }

  /**
   * The outputs of every parameterised layer of a layer stack (dense layers and the output layer,
   * after their activation function, as the next parameterised layer receives them) on {@code data}
   * with parameters θ_eff: one n × width array per layer, row-major, in layer order. The last entry
   * is the network's output (its probabilities). Used by unit-level analyses (correlation features,
   * coactivation graphs) of MLPs.
   */
  public java.util.List<float[]> layerOutputs(float[] effective, Dataset data) {
    org.deeplearning4j.nn.multilayer.MultiLayerNetwork stack = net.layerStack();
    ParamBridge.write(effective, net.params());
    java.util.List<Integer> kept = new java.util.ArrayList<>();
    for (int l = 0; l < stack.getnLayers(); l++) {
      if (stack.getLayer(l).numParams() > 0) {
        kept.add(l);
      }
    }
    java.util.List<float[]> out = new java.util.ArrayList<>();
    for (int start = 0; start < data.size(); start += EVAL_CHUNK) {
      int end = Math.min(data.size(), start + EVAL_CHUNK);
      float[] x = new float[(end - start) * data.inputSize()];
      for (int i = start; i < end; i++) {
        data.copyFeatures(i, x, (i - start) * data.inputSize());
      }
      INDArray in = Nd4j.create(x, new long[] {end - start, data.inputSize()}, 'c').castTo(dtype);
      java.util.List<INDArray> acts = stack.feedForward(in, false);
      for (int k = 0; k < kept.size(); k++) {
        // What the next parameterised layer receives (after any activation or dropout layers in
        // between); the network's output for the last one.
        int at = k + 1 < kept.size() ? kept.get(k + 1) : stack.getnLayers();
        float[] a = ParamBridge.toFloats(acts.get(at).dup('c'));
        int width = a.length / (end - start);
        if (start == 0) {
          out.add(new float[data.size() * width]);
        }
        System.arraycopy(a, 0, out.get(k), start * width, a.length);
      }
    }
    return out;
  }

  /** The network this objective evaluates (its private copy; not to be changed). */
  Network network() {
    return net;
  }

  /** Whether the calls so far went through the BLAS MLP path. */
  public boolean usesBlasMlpPath() {
    return densePath != null;
  }

  /**
   * The BLAS path when the network is a float MLP of that shape whose inputs and classes are {@code
   * data}'s, unless the system property {@code subnetlab.mlp.native-ops} is {@code false}.
   */
  private DenseNetPath densePath(Dataset data) {
    if (!densePathChecked) {
      densePathChecked = true;
      if (!"false".equals(System.getProperty("subnetlab.mlp.native-ops"))) {
        densePath = DenseNetPath.of(net);
      }
    }
    if (densePath != null
        && (densePath.inputs() != data.inputSize() || densePath.classes() != data.numClasses())) {
      throw new IllegalArgumentException(
          "data of "
              + data.inputSize()
              + " inputs and "
              + data.numClasses()
              + " classes for a network of "
              + densePath.inputs()
              + " and "
              + densePath.classes());
    }
    return densePath;
  }

  /** Whether the calls so far went through the native-op CNN path. */
  public boolean usesNativeCnnPath() {
    return convPath != null;
  }

  /**
   * The native-op CNN path when the network has that shape, unless the system property {@code
   * subnetlab.cnn.native-ops} is {@code false} (DL4J's own layers then, e.g. to compare).
   */
  private ConvNetPath convPath(int inputSize) {
    if (!convPathChecked) {
      convPathChecked = true;
      if (!"false".equals(System.getProperty("subnetlab.cnn.native-ops"))) {
        convPath = ConvNetPath.of(net, inputSize);
      }
    }
    return convPath;
  }

  private INDArray[] batch(int n, int in, int classes) {
    return batches.computeIfAbsent(
        n,
        k ->
            new INDArray[] {
              Nd4j.create(dtype, k, in).dup('c'), Nd4j.create(dtype, k, classes).dup('c')
            });
  }

  private void fill(Dataset data, int[] rows, int from, int to, INDArray[] xy) {
    int d = data.inputSize();
    int c = data.numClasses();
    int n = to - from;
    if (featureScratch.length < n * d) {
      featureScratch = new float[n * d];
    }
    if (labelScratch.length < n * c) {
      labelScratch = new float[n * c];
    }
    java.util.Arrays.fill(labelScratch, 0, n * c, 0f);
    for (int k = 0; k < n; k++) {
      int r = rows[from + k];
      data.copyFeatures(r, featureScratch, k * d);
      labelScratch[k * c + data.label(r)] = 1f;
    }
    ParamBridge.write(featureScratch, n * d, xy[0]);
    ParamBridge.write(labelScratch, n * c, xy[1]);
  }
}
