package org.subnetlab.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.subnetlab.task.Dataset;

/**
 * The loss, gradient and outputs of the CNNs that {@link Networks#cnn} builds (convolution blocks
 * of an odd-sized same-padded stride-1 convolution, an activation and a 2×2 max-pooling, then dense
 * layers and a softmax cross-entropy output) as im2col matrices multiplied by BLAS, with the
 * im2col/col2im copies and the max-pooling in plain Java over NHWC rows, instead of DL4J's
 * ConvolutionLayer and libnd4j's conv2d operations, which measured 5-10× slower on these shapes
 * here (DL4J's layer ~150 ms for a forward pass of 128 Fashion-MNIST images through an 8→16 channel
 * 5×5 convolution; libnd4j's conv2d_bp ~290 ms). It reads and writes the network's own parameter
 * and gradient layout, so it is a drop-in for DL4J's backprop inside {@link Dl4jObjective};
 * MaskGradientTest checks both against each other and against finite differences.
 */
final class NativeCnnPass implements FastPass {
  private enum Kind {
    CONV,
    POOL,
    DENSE,
    OUTPUT
  }

  private record Step(
      Kind kind, Layer layer, IActivation act, int kernel, Map<String, INDArray> gradViews) {}

  private final List<Step> steps;
  private final int height;
  private final int width;
  private final INDArray gradFlat;

  /** The CNN's im2col matrices grow with the chunk (k²·C floats per pixel): keep it small. */
  private static final int EVAL_CHUNK = 256;

  /** The network whose layers this pass computes (θ_eff is written into its parameters). */
  private final Network network;

  private final MinibatchArrays arrays;

  private NativeCnnPass(
      Network network, List<Step> steps, int height, int width, INDArray gradFlat) {
    this.network = network;
    this.arrays = new MinibatchArrays(network.dataType());
    this.steps = steps;
    this.height = height;
    this.width = width;
    this.gradFlat = gradFlat;
  }

  /** The fast path for {@code net}, or null when it is not a network of that shape. */
  static NativeCnnPass of(Network network, int inputSize) {
    if (network.isGraph()) {
      return null;
    }
    MultiLayerNetwork net = network.layerStack();
    int side = (int) Math.round(Math.sqrt(inputSize));
    if (side * side != inputSize || net.getnLayers() < 3) {
      return null;
    }
    INDArray gradFlat = Nd4j.create(net.params().dataType(), 1, net.numParams());
    List<Step> steps = new ArrayList<>();
    long offset = 0;
    boolean seenDense = false;
    int spatial = side;
    for (int l = 0; l < net.getnLayers(); l++) {
      Layer layer = net.getLayer(l);
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
      long n = layer.numParams();
      Map<String, INDArray> views = null;
      if (n > 0) {
        INDArray view =
            gradFlat.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(offset, offset + n));
        views = conf.initializer().getGradientsFromFlattened(layer.conf(), view);
        offset += n;
      }
      if (conf instanceof ConvolutionLayer c
          && !(conf instanceof org.deeplearning4j.nn.conf.layers.SeparableConvolution2D)
          && !seenDense) {
        int k = c.getKernelSize()[0];
        if (c.getClass() != ConvolutionLayer.class
            || k != c.getKernelSize()[1]
            || k % 2 == 0
            || c.getConvolutionMode() != ConvolutionMode.Same
            || c.getStride()[0] != 1
            || c.getStride()[1] != 1
            || c.getDilation()[0] != 1
            || c.getDilation()[1] != 1
            || !c.hasBias()
            || !supported(c.getActivationFn())) {
          return null;
        }
        steps.add(new Step(Kind.CONV, layer, c.getActivationFn(), k, views));
      } else if (conf instanceof SubsamplingLayer s && !seenDense) {
        if (s.getClass() != SubsamplingLayer.class
            || s.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.MAX
            || s.getKernelSize()[0] != 2
            || s.getKernelSize()[1] != 2
            || s.getStride()[0] != 2
            || s.getStride()[1] != 2
            || s.getConvolutionMode() != ConvolutionMode.Same
            || spatial % 2 != 0) {
          return null;
        }
        spatial /= 2;
        steps.add(new Step(Kind.POOL, layer, null, 2, null));
      } else if (conf instanceof OutputLayer o && l == net.getnLayers() - 1) {
        if (!(o.getActivationFn() instanceof ActivationSoftmax)
            || !(o.getLossFn() instanceof LossMCXENT mc)
            || mc.getWeights() != null
            || !o.hasBias()) {
          return null;
        }
        steps.add(new Step(Kind.OUTPUT, layer, null, 0, views));
      } else if (conf instanceof DenseLayer d
          && d.getClass() == DenseLayer.class
          && d.hasBias()
          && supported(d.getActivationFn())) {
        seenDense = true;
        steps.add(new Step(Kind.DENSE, layer, d.getActivationFn(), 0, views));
      } else {
        return null;
      }
    }
    boolean anyConv = steps.stream().anyMatch(s -> s.kind == Kind.CONV);
    return anyConv && offset == net.numParams()
        ? new NativeCnnPass(network, steps, side, side, gradFlat)
        : null;
  }

  /** Whether this path computes {@code a} (the plain activations but identity). */
  private static boolean supported(IActivation a) {
    PlainActivation p = PlainActivation.of(a);
    return p != null && p != PlainActivation.IDENTITY;
  }

  /**
   * What the forward pass keeps for the backward pass. Inside the convolution stack activations are
   * [n·h·w, channels] matrices (rows = (example, y, x), NHWC); {@code col} is a convolution's
   * im2col matrix, {@code argmax} a pooling's chosen input row per output element.
   */
  private static final class Trace {
    final INDArray[] out;
    final INDArray[] col;
    final int[][] argmax;
    final int[][] hw; // spatial size (h, w) of each step's output

    Trace(int steps) {
      out = new INDArray[steps];
      col = new INDArray[steps];
      argmax = new int[steps][];
      hw = new int[steps][];
    }
  }

  /** Forward pass of every step on {@code x} [n, h·w]. */
  private Trace forward(INDArray x, boolean keep) {
    int n = (int) x.size(0);
    Trace t = new Trace(steps.size());
    INDArray a = x.dup('c').reshape('c', (long) n * height * width, 1); // NHWC, one channel
    int h = height;
    int w = width;
    boolean spatial = true;
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      switch (s.kind) {
        case CONV -> {
          INDArray col = im2col(a, n, h, w, s.kernel);
          INDArray wm = weightRows(s.layer.getParam("W")); // [O, k·k·C]
          a = apply(s.act, col.mmul(wm.transpose()).addiRowVector(s.layer.getParam("b")));
          if (keep) {
            t.col[i] = col;
          }
        }
        case POOL -> {
          int[] argmax = new int[n * (h / 2) * (w / 2) * (int) a.size(1)];
          a = maxPool(a, n, h, w, argmax);
          h /= 2;
          w /= 2;
          t.argmax[i] = argmax;
        }
        case DENSE, OUTPUT -> {
          if (spatial) {
            a = toFeatures(a, n, h, w);
            spatial = false;
          }
          INDArray z = a.mmul(s.layer.getParam("W")).addiRowVector(s.layer.getParam("b"));
          a = s.kind == Kind.DENSE ? apply(s.act, z) : Transforms.softmax(z, false);
        }
        default -> throw new IllegalStateException();
      }
      t.out[i] = a;
      t.hw[i] = new int[] {h, w};
    }
    return t;
  }

  @Override
  public double lossAndGradient(
      float[] effective, Dataset data, int[] rows, int from, int to, float[] gradient) {
    INDArray[] xy = arrays.fill(data, rows, from, to);
    ParamBridge.write(effective, network.params());
    INDArray[] g = new INDArray[1];
    double loss = lossAndGradient(xy[0], xy[1], g);
    ParamBridge.read(g[0], gradient); // already the mean over the minibatch
    return loss;
  }

  @Override
  public float[] outputs(float[] effective, Dataset data) {
    ParamBridge.write(effective, network.params());
    int c = data.numClasses();
    float[] out = new float[data.size() * c];
    for (int start = 0; start < data.size(); start += EVAL_CHUNK) {
      int end = Math.min(data.size(), start + EVAL_CHUNK);
      float[] p = ParamBridge.toFloats(output(arrays.features(data, start, end)).dup('c'));
      System.arraycopy(p, 0, out, start * c, p.length);
    }
    return out;
  }

  /** Output probabilities [n, classes] with the network's current parameters. */
  INDArray output(INDArray x) {
    Trace t = forward(x, false);
    return t.out[steps.size() - 1];
  }

  /**
   * Mean cross-entropy of one-hot {@code y} and its gradient (mean over the batch) w.r.t. the
   * network's current parameters, flattened in DL4J's parameter order into the returned view.
   */
  double lossAndGradient(INDArray x, INDArray y, INDArray[] gradientOut) {
    Trace t = forward(x, true);
    int n = (int) x.size(0);
    INDArray p = t.out[steps.size() - 1];
    double loss =
        -Transforms.log(Transforms.max(p.mul(y).sum(1), 1e-12), false).sumNumber().doubleValue()
            / n;
    INDArray delta = p.sub(y).divi(n); // dL/dz of the output layer
    for (int i = steps.size() - 1; i >= 0; i--) {
      Step s = steps.get(i);
      int[] inHw = i == 0 ? new int[] {height, width} : t.hw[i - 1];
      switch (s.kind) {
        case OUTPUT, DENSE -> {
          if (s.kind == Kind.DENSE) {
            delta = delta.muli(derivative(s.act, t.out[i]));
          }
          boolean fromSpatial = i > 0 && steps.get(i - 1).kind != Kind.DENSE;
          INDArray in = fromSpatial ? toFeatures(t.out[i - 1], n, inHw[0], inHw[1]) : t.out[i - 1];
          s.gradViews.get("W").assign(in.transpose().mmul(delta));
          s.gradViews.get("b").assign(delta.sum(true, 0));
          delta = delta.mmul(s.layer.getParam("W").transpose());
          if (fromSpatial) {
            delta = fromFeatures(delta, n, inHw[0], inHw[1]);
          }
        }
        case POOL -> delta = maxPoolBack(delta, t.argmax[i], n * inHw[0] * inHw[1]);
        case CONV -> {
          delta = delta.muli(derivative(s.act, t.out[i])); // [n·h·w, O]
          INDArray weights = s.layer.getParam("W");
          INDArray wm = weightRows(weights);
          long[] w4 = weights.shape(); // [O, C, k, k]
          s.gradViews
              .get("W")
              .assign(
                  delta
                      .transpose()
                      .mmul(t.col[i])
                      .reshape('c', w4[0], w4[2], w4[3], w4[1])
                      .permute(0, 3, 1, 2));
          s.gradViews.get("b").assign(delta.sum(true, 0));
          if (i > 0) {
            delta = col2im(delta.mmul(wm), n, inHw[0], inHw[1], s.kernel, (int) weights.size(1));
          }
        }
        default -> throw new IllegalStateException();
      }
    }
    gradientOut[0] = gradFlat;
    return loss;
  }

  /** NHWC rows [n·h·w, C] to DL4J's flattened NCHW features [n, C·h·w]. */
  private static INDArray toFeatures(INDArray a, int n, int h, int w) {
    long c = a.size(1);
    return a.reshape('c', n, h, w, c).permute(0, 3, 1, 2).dup('c').reshape('c', n, c * h * w);
  }

  /** The inverse of {@link #toFeatures}. */
  private static INDArray fromFeatures(INDArray f, int n, int h, int w) {
    long c = f.size(1) / ((long) h * w);
    return f.dup('c')
        .reshape('c', n, c, h, w)
        .permute(0, 2, 3, 1)
        .dup('c')
        .reshape('c', (long) n * h * w, c);
  }

  /** DL4J's convolution weights [O, C, k, k] as rows [O, k·k·C] matching {@link #im2col}. */
  private static INDArray weightRows(INDArray weights) {
    return weights.permute(0, 2, 3, 1).dup('c').reshape('c', weights.size(0), -1);
  }

  /**
   * The im2col matrix of NHWC rows {@code a} [n·h·w, C] for a same-padded k×k convolution: row (b,
   * y, x), column (ky, kx, c) = a[b, y + ky − k/2, x + kx − k/2, c] (0 outside). Each (row, ky) is
   * one contiguous copy of the valid kx × C run.
   */
  private static INDArray im2col(INDArray a, int n, int h, int w, int k) {
    int c = (int) a.size(1);
    float[] in = a.dup('c').data().asFloat();
    int cols = k * k * c;
    float[] col = new float[n * h * w * cols];
    int pad = k / 2;
    for (int b = 0; b < n; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int row = ((b * h + y) * w + x) * cols;
          int kx0 = Math.max(0, pad - x);
          int kx1 = Math.min(k, w + pad - x); // exclusive
          if (kx1 <= kx0) {
            continue;
          }
          for (int ky = 0; ky < k; ky++) {
            int yy = y + ky - pad;
            if (yy < 0 || yy >= h) {
              continue;
            }
            int src = ((b * h + yy) * w + x + kx0 - pad) * c;
            System.arraycopy(in, src, col, row + (ky * k + kx0) * c, (kx1 - kx0) * c);
          }
        }
      }
    }
    return fromFloats(col, a.dataType(), (long) n * h * w, cols);
  }

  /** Scatter-adds the im2col gradient [n·h·w, k·k·C] back to NHWC rows [n·h·w, C]. */
  private static INDArray col2im(INDArray dcol, int n, int h, int w, int k, int c) {
    float[] g = dcol.dup('c').data().asFloat();
    float[] out = new float[n * h * w * c];
    int cols = k * k * c;
    int pad = k / 2;
    for (int b = 0; b < n; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int row = ((b * h + y) * w + x) * cols;
          int kx0 = Math.max(0, pad - x);
          int kx1 = Math.min(k, w + pad - x);
          for (int ky = 0; ky < k; ky++) {
            int yy = y + ky - pad;
            if (yy < 0 || yy >= h) {
              continue;
            }
            int dst = ((b * h + yy) * w + x + kx0 - pad) * c;
            int src = row + (ky * k + kx0) * c;
            int len = (kx1 - kx0) * c;
            for (int q = 0; q < len; q++) {
              out[dst + q] += g[src + q];
            }
          }
        }
      }
    }
    return fromFloats(out, dcol.dataType(), (long) n * h * w, c);
  }

  /** 2×2 stride-2 max-pooling of NHWC rows; records the chosen input index per output. */
  private static INDArray maxPool(INDArray a, int n, int h, int w, int[] argmax) {
    int c = (int) a.size(1);
    float[] in = a.dup('c').data().asFloat();
    int oh = h / 2;
    int ow = w / 2;
    float[] out = new float[n * oh * ow * c];
    for (int b = 0; b < n; b++) {
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          int o = ((b * oh + y) * ow + x) * c;
          int i00 = ((b * h + 2 * y) * w + 2 * x) * c;
          int[] cand = {i00, i00 + c, i00 + w * c, i00 + w * c + c};
          for (int ch = 0; ch < c; ch++) {
            int best = cand[0] + ch;
            for (int q = 1; q < 4; q++) {
              if (in[cand[q] + ch] > in[best]) {
                best = cand[q] + ch;
              }
            }
            out[o + ch] = in[best];
            argmax[o + ch] = best;
          }
        }
      }
    }
    return fromFloats(out, a.dataType(), (long) n * oh * ow, c);
  }

  /**
   * A [rows, cols] matrix of {@code dtype} holding {@code values}, copied in bulk (Nd4j.create of a
   * float[] measured ~17 ns per element here, a bulk copy into the native buffer ~1 ns).
   */
  private static INDArray fromFloats(float[] values, DataType dtype, long rows, long cols) {
    INDArray f = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, cols}, 'c');
    ParamBridge.write(values, f);
    return dtype == DataType.FLOAT ? f : f.castTo(dtype);
  }

  /** Routes each pooled gradient to the input element its maximum came from. */
  private static INDArray maxPoolBack(INDArray delta, int[] argmax, int inRows) {
    int c = (int) delta.size(1);
    float[] g = delta.dup('c').data().asFloat();
    float[] out = new float[inRows * c];
    for (int i = 0; i < argmax.length; i++) {
      out[argmax[i]] += g[i];
    }
    return fromFloats(out, delta.dataType(), inRows, c);
  }

  private static INDArray apply(IActivation act, INDArray z) {
    if (act instanceof ActivationReLU) {
      return Transforms.relu(z, false);
    }
    if (act instanceof ActivationTanH) {
      return Transforms.tanh(z, false);
    }
    return Transforms.sigmoid(z, false);
  }

  /** The activation's derivative, from its output a. */
  private static INDArray derivative(IActivation act, INDArray a) {
    if (act instanceof ActivationReLU) {
      return Transforms.step(a);
    }
    if (act instanceof ActivationTanH) {
      return a.mul(a).rsubi(1);
    }
    return a.mul(a.rsub(1));
  }
}
