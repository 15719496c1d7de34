package org.subnetlab.model;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.subnetlab.nativeblas.NativeKernels;
import org.subnetlab.nativeblas.Sgemm;
import org.subnetlab.task.Dataset;

/**
 * The loss, gradient and outputs of a float MLP (dense layers with relu, tanh, sigmoid or identity,
 * then a softmax cross-entropy output layer — what {@link Networks#mlp} builds) computed on Java
 * float arrays with one OpenBLAS {@code sgemm} per matrix product ({@link Sgemm}: the AVX-512
 * small-matrix kernels where the CPU has them, else {@code cblas_sgemm}) and the bias, activation
 * and softmax loops in Java: no ND4J array, op or workspace per call and no allocation after the
 * first call of a batch size, and no gradient for the input features (DL4J's backprop computes it
 * and throws it away — a third of the work of the first layer). DL4J's own backprop costs several
 * ms of per-op overhead per call, which dominated mask training on small MLPs.
 *
 * <p>Reads and writes DL4J's flattened parameter layout (per layer W, a [nIn, nOut] column-major
 * block, i.e. nOut rows of nIn row-major, then b), so it is a drop-in for DL4J's backprop inside
 * {@link Dl4jObjective}; MaskGradientTest checks both against each other. Not thread-safe.
 */
final class BlasMlpPass implements FastPass {
  static {
    NativeKernels.select(); // before openblas_nolapack loads
  }

  private final int[] widths; // widths[0] = inputs, widths[L] = classes
  private final PlainActivation[] acts; // hidden layers' activations (L - 1)
  private final int[] weightOffset;
  private final int[] biasOffset;
  private final int numParams;

  /**
   * Native copies of what sgemm reads and writes: per layer the weights as [nOut][nIn] row-major
   * (DL4J's block as it lies), the activations (nativeAct[0] = inputs), the deltas and a product.
   * Each operand is copied once in the direction it is needed; the float[] overloads of cblas_sgemm
   * would copy all three operands in and out through malloc'ed JNI buffers on every call.
   */
  private final FloatPointer[] nativeWeights;

  private final FloatPointer[] nativeAct;
  private final FloatPointer[] nativeDelta;
  private FloatPointer product;

  /** Activations per layer (a[0] = inputs), deltas; sized for {@link #capacity} rows. */
  private final float[][] act;

  private final float[][] delta;
  private int capacity;

  private BlasMlpPass(
      int[] widths, PlainActivation[] acts, int[] weightOffset, int[] biasOffset, int numParams) {
    this.widths = widths;
    this.acts = acts;
    this.weightOffset = weightOffset;
    this.biasOffset = biasOffset;
    this.numParams = numParams;
    int layers = widths.length - 1;
    nativeWeights = new FloatPointer[layers];
    int largest = 0;
    for (int l = 0; l < layers; l++) {
      nativeWeights[l] = new FloatPointer((long) widths[l] * widths[l + 1]);
      largest = Math.max(largest, widths[l] * widths[l + 1]);
    }
    product = new FloatPointer((long) largest);
    nativeAct = new FloatPointer[layers + 1];
    nativeDelta = new FloatPointer[layers + 1];
    act = new float[layers + 1][0];
    delta = new float[layers + 1][0];
  }

  /** The fast path for {@code network}, or null when it is not a float MLP of that shape. */
  static BlasMlpPass of(Network network) {
    return of(network, false);
  }

  /**
   * The fast path for {@code network}'s outputs at test time ({@link #outputs}, {@link #hidden},
   * {@link #outputsFrom} only), or null when it is not a float MLP of that shape. Unlike {@link
   * #of(Network)} it accepts layers with dropout and weight penalties, which do not change a
   * network's outputs at test time (DL4J applies dropout in training only); not for {@link
   * #lossAndGradient}, whose DL4J counterpart trains with them. It also takes a stack whose last
   * dense layer has a softmax activation followed by a parameterless cross-entropy {@code
   * LossLayer}, the form Keras import gives a softmax Dense output (the Fashion-MNIST MLPs trained
   * with PyTorch in docs/results/clusterability.md).
   */
  static BlasMlpPass forInference(Network network) {
    return of(network, true);
  }

  private static BlasMlpPass of(Network network, boolean inference) {
    if (network.isGraph() || network.dataType() != DataType.FLOAT) {
      return null;
    }
    MultiLayerNetwork net = network.layerStack();
    var conf = net.getLayerWiseConfigurations();
    if (net.getnLayers() < 1
        || (conf.getInputPreProcessors() != null && !conf.getInputPreProcessors().isEmpty())) {
      return null;
    }
    // At test time also a stack that ends in a softmax dense layer and a parameterless
    // cross-entropy LossLayer (what Keras import makes of a softmax Dense output).
    int stack = net.getnLayers();
    boolean lossLayer =
        inference && stack >= 2 && softmaxLoss(net.getLayer(stack - 1).conf().getLayer());
    int layers = lossLayer ? stack - 1 : stack;
    int[] widths = new int[layers + 1];
    PlainActivation[] acts = new PlainActivation[layers - 1];
    int[] wOff = new int[layers];
    int[] bOff = new int[layers];
    ParamLayout layout = ParamLayout.of(network);
    List<String> names = new ArrayList<>(layout.names());
    for (int l = 0; l < layers; l++) {
      Layer layer = net.getLayer(l);
      org.deeplearning4j.nn.conf.layers.Layer c = layer.conf().getLayer();
      boolean last = l == layers - 1;
      if (!(c instanceof BaseLayer b) || !plain(b, inference)) {
        return null;
      }
      if (last) {
        boolean output =
            c instanceof OutputLayer o
                && o.getClass() == OutputLayer.class
                && o.getActivationFn() instanceof ActivationSoftmax
                && o.getLossFn() instanceof LossMCXENT mc
                && mc.getWeights() == null;
        boolean softmaxDense =
            lossLayer
                && c instanceof DenseLayer d
                && d.getClass() == DenseLayer.class
                && d.getActivationFn() instanceof ActivationSoftmax;
        if (!output && !softmaxDense) {
          return null;
        }
      } else {
        if (!(c instanceof DenseLayer d) || d.getClass() != DenseLayer.class) {
          return null;
        }
        acts[l] = PlainActivation.of(d.getActivationFn());
        if (acts[l] == null) {
          return null;
        }
      }
      var ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) c;
      if (l == 0) {
        widths[0] = Math.toIntExact(ff.getNIn());
      } else if (ff.getNIn() != widths[l]) {
        return null;
      }
      widths[l + 1] = Math.toIntExact(ff.getNOut());
      int w = names.indexOf(l + "_W");
      int bi = names.indexOf(l + "_b");
      if (w < 0
          || bi < 0
          || layer.getParam("W").ordering() != 'f'
          || layout.size(w) != widths[l] * widths[l + 1]
          || layout.size(bi) != widths[l + 1]) {
        return null;
      }
      wOff[l] = layout.offset(w);
      bOff[l] = layout.offset(bi);
    }
    if (layout.layers() != 2 * layers) {
      return null;
    }
    return new BlasMlpPass(widths, acts, wOff, bOff, layout.total());
  }

  /** A parameterless LossLayer of unweighted cross-entropy on its input as it is (identity). */
  private static boolean softmaxLoss(org.deeplearning4j.nn.conf.layers.Layer c) {
    return c instanceof org.deeplearning4j.nn.conf.layers.LossLayer l
        && l.getClass() == org.deeplearning4j.nn.conf.layers.LossLayer.class
        && l.getActivationFn() instanceof org.nd4j.linalg.activations.impl.ActivationIdentity
        && l.getLossFn() instanceof LossMCXENT mc
        && mc.getWeights() == null
        && l.getIDropout() == null;
  }

  /**
   * A layer without the things this path does not compute: dropout, weight noise, penalties (at
   * test time, {@code inference}, only weight noise: dropout and penalties change training only).
   */
  private static boolean plain(BaseLayer b, boolean inference) {
    boolean bias = !(b instanceof DenseLayer d) || d.hasBias();
    boolean outBias = !(b instanceof OutputLayer o) || o.hasBias();
    boolean trainingOnly =
        inference
            || (b.getIDropout() == null
                && (b.getRegularization() == null || b.getRegularization().isEmpty())
                && (b.getRegularizationBias() == null || b.getRegularizationBias().isEmpty()));
    return bias && outBias && b.getWeightNoise() == null && trainingOnly;
  }

  int inputs() {
    return widths[0];
  }

  int classes() {
    return widths[widths.length - 1];
  }

  /**
   * Mean cross-entropy over {@code rows[from, to)} of {@code data} with parameters {@code params},
   * and its gradient (mean over those rows) in DL4J's layout into {@code gradient}.
   */
  @Override
  public double lossAndGradient(
      float[] params, Dataset data, int[] rows, int from, int to, float[] gradient) {
    requireShape(data);
    int n = to - from;
    ensure(n);
    int in = widths[0];
    for (int k = 0; k < n; k++) {
      data.copyFeatures(rows[from + k], act[0], k * in);
    }
    loadWeights(params, 0);
    forward(n, params, 0);
    int layers = widths.length - 1;
    int c = widths[layers];
    float[] p = act[layers];
    float[] d = delta[layers];
    double loss = 0;
    float inv = 1f / n;
    for (int k = 0; k < n; k++) {
      int label = data.label(rows[from + k]);
      loss -= Math.log(Math.max(p[k * c + label], 1e-10f));
      for (int j = 0; j < c; j++) {
        d[k * c + j] = p[k * c + j] * inv;
      }
      d[k * c + label] -= inv;
    }
    backward(n, gradient);
    return loss / n;
  }

  @Override
  public float[] outputs(float[] params, Dataset data) {
    requireShape(data);
    int c = data.numClasses();
    float[] out = new float[data.size() * c];
    int chunk = Dl4jObjective.EVAL_CHUNK;
    float[] x = new float[Math.min(data.size(), chunk) * data.inputSize()];
    float[] p = new float[Math.min(data.size(), chunk) * c];
    for (int start = 0; start < data.size(); start += chunk) {
      int end = Math.min(data.size(), start + chunk);
      for (int i = start; i < end; i++) {
        data.copyFeatures(i, x, (i - start) * data.inputSize());
      }
      outputs(params, x, end - start, p);
      System.arraycopy(p, 0, out, start * c, (end - start) * c);
    }
    return out;
  }

  /** Fails unless {@code data} has this network's inputs and classes. */
  void requireShape(Dataset data) {
    if (inputs() != data.inputSize() || classes() != data.numClasses()) {
      throw new IllegalArgumentException(
          "data of "
              + data.inputSize()
              + " inputs and "
              + data.numClasses()
              + " classes for a network of "
              + inputs()
              + " and "
              + classes());
    }
  }

  /** Output probabilities of {@code n} examples {@code x} (row-major) into {@code out}. */
  void outputs(float[] params, float[] x, int n, float[] out) {
    outputsFrom(params, 0, x, n, out);
  }

  /** Number of parameterised layers (dense layers and the output layer). */
  int layers() {
    return widths.length - 1;
  }

  /**
   * The outputs of hidden layers 1 … L−1 (after their activation, as the next layer receives them)
   * of {@code n} examples {@code x} with {@code params}: h[l] is n × width(l) row-major; h[0] is
   * null.
   */
  float[][] hidden(float[] params, float[] x, int n) {
    ensure(n);
    System.arraycopy(x, 0, act[0], 0, n * widths[0]);
    loadWeights(params, 0);
    forward(n, params, 0);
    float[][] h = new float[widths.length - 1][];
    for (int l = 1; l < h.length; l++) {
      h[l] = java.util.Arrays.copyOf(act[l], n * widths[l]);
    }
    return h;
  }

  /**
   * Output probabilities of {@code n} examples into {@code out}, computed from layer {@code from}
   * on: {@code input} is what parameterised layer {@code from} receives (the examples for 0, hidden
   * layer {@code from}'s outputs otherwise, as {@link #hidden} gives them), and only the weights
   * and biases of layers {@code from} … L−1 of {@code params} are read. The same arithmetic, in the
   * same order, as the whole forward pass, so the result is bit-identical to {@link #outputs} when
   * {@code input} is what {@code params}' first layers give.
   */
  void outputsFrom(float[] params, int from, float[] input, int n, float[] out) {
    ensure(n);
    System.arraycopy(input, 0, act[from], 0, n * widths[from]);
    loadWeights(params, from);
    forward(n, params, from);
    System.arraycopy(act[widths.length - 1], 0, out, 0, n * widths[widths.length - 1]);
  }

  /**
   * The lowest parameterised layer whose weights or biases differ between {@code a} and {@code b}
   * ({@link #layers()} when none does).
   */
  int firstDifference(float[] a, float[] b) {
    for (int l = 0; l < weightOffset.length; l++) {
      int w = weightOffset[l];
      int bo = biasOffset[l];
      int nw = widths[l] * widths[l + 1];
      int nb = widths[l + 1];
      if (java.util.Arrays.mismatch(a, w, w + nw, b, w, w + nw) >= 0
          || java.util.Arrays.mismatch(a, bo, bo + nb, b, bo, bo + nb) >= 0) {
        return l;
      }
    }
    return weightOffset.length;
  }

  private void ensure(int n) {
    if (n <= capacity) {
      return;
    }
    capacity = n;
    for (int l = 0; l < widths.length; l++) {
      act[l] = new float[n * widths[l]];
      delta[l] = l == 0 ? new float[0] : new float[n * widths[l]];
      if (nativeAct[l] != null) {
        nativeAct[l].close();
      }
      if (nativeDelta[l] != null) {
        nativeDelta[l].close();
      }
      nativeAct[l] = new FloatPointer((long) n * widths[l]);
      nativeDelta[l] = l == 0 ? null : new FloatPointer((long) n * widths[l]); // no input delta
    }
    long largest = product.capacity();
    for (int l = 0; l + 1 < widths.length; l++) {
      largest = Math.max(largest, (long) n * widths[l]);
    }
    if (largest > product.capacity()) {
      product.close();
      product = new FloatPointer(largest);
    }
  }

  private void loadWeights(float[] params, int from) {
    if (params.length != numParams) {
      throw new IllegalArgumentException(params.length + " parameters, network has " + numParams);
    }
    for (int l = from; l < nativeWeights.length; l++) {
      nativeWeights[l].put(params, weightOffset[l], widths[l] * widths[l + 1]);
    }
  }

  /** Layers {@code from} … L−1 on act[from]. */
  private void forward(int n, float[] params, int from) {
    int layers = widths.length - 1;
    for (int l = from; l < layers; l++) {
      int in = widths[l];
      int out = widths[l + 1];
      float[] z = act[l + 1];
      if (l == from) {
        nativeAct[l].put(act[l], 0, n * in);
      }
      // z[n, out] = a[n, in] · Wᵀ with W as [out][in]
      Sgemm.product(
          false, true, n, out, in, nativeAct[l], in, nativeWeights[l], in, nativeAct[l + 1], out);
      nativeAct[l + 1].get(z, 0, n * out);
      if (l < layers - 1) {
        activate(acts[l], z, n, out, params, biasOffset[l]);
        nativeAct[l + 1].put(z, 0, n * out);
      } else {
        softmax(z, n, out, params, biasOffset[l]);
      }
    }
  }

  /** z += b per row, then the activation in place; loops kept simple so that C2 vectorises them. */
  private static void activate(
      PlainActivation a, float[] z, int n, int out, float[] params, int b) {
    for (int k = 0; k < n; k++) {
      int row = k * out;
      for (int j = 0; j < out; j++) {
        z[row + j] += params[b + j];
      }
    }
    int m = n * out;
    switch (a) {
      case RELU -> {
        for (int i = 0; i < m; i++) {
          z[i] = Math.max(z[i], 0f);
        }
      }
      case TANH -> {
        for (int i = 0; i < m; i++) {
          z[i] = (float) Math.tanh(z[i]);
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < m; i++) {
          z[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
        }
      }
      case IDENTITY -> {}
      default -> throw new IllegalStateException();
    }
  }

  private static void softmax(float[] z, int n, int out, float[] params, int b) {
    for (int k = 0; k < n; k++) {
      int row = k * out;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < out; j++) {
        z[row + j] += params[b + j];
        max = Math.max(max, z[row + j]);
      }
      double sum = 0;
      for (int j = 0; j < out; j++) {
        float e = (float) Math.exp(z[row + j] - max);
        z[row + j] = e;
        sum += e;
      }
      float inv = (float) (1.0 / sum);
      for (int j = 0; j < out; j++) {
        z[row + j] *= inv;
      }
    }
  }

  /** Backprop of delta[L] (∂L/∂z of the output layer) into {@code gradient}. */
  private void backward(int n, float[] gradient) {
    for (int l = widths.length - 2; l >= 0; l--) {
      int in = widths[l];
      int out = widths[l + 1];
      float[] d = delta[l + 1];
      FloatPointer nd = nativeDelta[l + 1];
      nd.put(d, 0, n * out);
      // ∂L/∂W [out][in] = dᵀ[out, n] · a[n, in]
      Sgemm.product(true, false, out, in, n, nd, out, nativeAct[l], in, product, in);
      product.get(gradient, weightOffset[l], out * in);
      int b = biasOffset[l];
      java.util.Arrays.fill(gradient, b, b + out, 0f);
      for (int k = 0; k < n; k++) {
        int row = k * out;
        for (int j = 0; j < out; j++) {
          gradient[b + j] += d[row + j];
        }
      }
      if (l == 0) {
        break; // no gradient for the inputs
      }
      // ∂L/∂a [n, in] = d[n, out] · W[out, in], then through the activation
      float[] e = delta[l];
      Sgemm.product(false, false, n, in, out, nd, out, nativeWeights[l], in, product, in);
      product.get(e, 0, n * in);
      float[] a = act[l];
      PlainActivation f = acts[l - 1];
      int m = n * in;
      switch (f) {
        case RELU -> {
          // e = a > 0 ? e : 0 without a branch (a = relu(z) >= 0, so its bits are > 0 iff a > 0):
          // the branch mispredicts on half the units (continuous sparsification on the demo MLP
          // went from 1570 to 2050 steps/s without it).
          for (int i = 0; i < m; i++) {
            int keep = -Float.floatToRawIntBits(a[i]) >> 31;
            e[i] = Float.intBitsToFloat(Float.floatToRawIntBits(e[i]) & keep);
          }
        }
        case TANH -> {
          for (int i = 0; i < m; i++) {
            e[i] *= 1f - a[i] * a[i];
          }
        }
        case SIGMOID -> {
          for (int i = 0; i < m; i++) {
            e[i] *= a[i] * (1f - a[i]);
          }
        }
        case IDENTITY -> {}
        default -> throw new IllegalStateException();
      }
    }
  }
}
