package org.subnetlab.model;

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

  private final Network net;
  private final int numParams;
  private final DataType dtype;
  private final MinibatchArrays arrays;

  /** The hand-written pass for this network's shape, chosen once on first use (null: DL4J's). */
  private FastPass fast;

  private boolean fastChosen;

  public Dl4jObjective(Network base) {
    this.net = base.copy();
    this.numParams = Math.toIntExact(net.numParams());
    this.dtype = net.dataType();
    this.arrays = new MinibatchArrays(dtype);
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
    FastPass f = fast(data);
    if (f != null) {
      return f.lossAndGradient(effective, data, rows, from, to, gradient);
    }
    int n = to - from;
    INDArray[] xy = arrays.fill(data, rows, from, to);
    ParamBridge.write(effective, net.params());
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
    return Evaluation.of(correct, loss, null);
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
    FastPass f = fast(data);
    if (f != null) {
      return f.outputs(effective, data);
    }
    int c = data.numClasses();
    float[] out = new float[data.size() * c];
    ParamBridge.write(effective, net.params());
    for (int start = 0; start < data.size(); start += EVAL_CHUNK) {
      int end = Math.min(data.size(), start + EVAL_CHUNK);
      float[] p = ParamBridge.toFloats(net.output(arrays.features(data, start, end)).dup('c'));
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

  /** Whether the calls so far went through the BLAS MLP pass. */
  public boolean usesBlasMlpPath() {
    return fast instanceof BlasMlpPass;
  }

  /** Whether the calls so far went through the native-op CNN pass. */
  public boolean usesNativeCnnPath() {
    return fast instanceof NativeCnnPass;
  }

  /** The fast pass for this network ({@link FastPass#choose}, once, on first use), or null. */
  private FastPass fast(Dataset data) {
    if (!fastChosen) {
      fastChosen = true;
      fast = FastPass.choose(net, data.inputSize());
    }
    return fast;
  }
}
