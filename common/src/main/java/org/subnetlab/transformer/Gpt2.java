package org.subnetlab.transformer;

import java.util.Arrays;
import java.util.Locale;
import org.subnetlab.numeric.FloatExp;

/**
 * A GPT-2-style decoder over a flat float parameter array laid out by {@link Gpt2Layout}: logits
 * for a batch of token sequences, and the mean next-token cross-entropy with its gradient with
 * respect to every parameter. Evaluation mode (no dropout); positions start at 0 (no cache).
 *
 * <p>Per block, as Hugging Face's {@code GPT2Block}: {@code x += c_proj(attn(ln_1(x)))}, {@code x
 * += mlp.c_proj(gelu(mlp.c_fc(ln_2(x))))}; attention splits {@code c_attn}'s output into q | k | v,
 * each into heads of width {@code d/h}, scores {@code q·k/√(d/h)} over positions ≤ the query's,
 * softmax. Then {@code ln_f} and the head ({@code wte}ᵀ when tied, else {@code lm_head.weight}ᵀ).
 *
 * <p>The gradient with respect to a multiplicative mask m on the parameters (θ_eff = θ ⊙ m) is the
 * gradient at θ_eff times θ elementwise ({@link #maskGradient}); Gpt2FixtureTest checks both
 * against PyTorch autograd and Gpt2GradientTest against finite differences. Not thread-safe: one
 * instance keeps its activations between the forward and the backward pass.
 */
public final class Gpt2 {
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double INV_SQRT_2 = 1 / Math.sqrt(2);
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

  private final Gpt2Config config;
  private final Gpt2Layout layout;
  private final Gemm gemm = new Gemm();
  private final int d;
  private final int f;
  private final int h;
  private final int hd;
  private final int v;
  private final int layers;
  private final float scale;

  // activations of the last forward pass, sized for `rows` rows of `len` positions
  private int rows = -1;
  private int len = -1;
  private float[][] x; // residual stream entering block l; x[layers] enters ln_f
  private float[][] xMid; // after the attention residual of block l
  private float[][] hat1; // ln_1's normalised input
  private float[][] rstd1;
  private float[][] a1; // ln_1's output
  private float[][] qkv;
  private float[][] prob; // [batch][head][t][u] attention probabilities
  private float[][] y; // heads' outputs merged, before c_proj
  private float[][] hat2;
  private float[][] rstd2;
  private float[][] a2;
  private float[][] pre; // c_fc's output, before GELU
  private float[][] act; // after GELU
  private float[][] geluDeriv; // GELU's derivative at pre
  private float[] hatF;
  private float[] rstdF;
  private float[] xf;
  // backward scratch
  private float[] dx;
  private float[] dA;
  private float[] dQkv;
  private float[] dY;
  private float[] dF;
  private float[] dP;
  // head on the selected rows
  private float[] xfSel = new float[0];
  private float[] logitsSel = new float[0];
  private float[] dXfSel = new float[0];
  private int[] sel = new int[0];

  public Gpt2(Gpt2Config config) {
    this.config = config;
    this.layout = new Gpt2Layout(config);
    d = config.width();
    f = config.mlpWidth();
    h = config.heads();
    hd = config.headWidth();
    v = config.vocab();
    layers = config.layers();
    scale = (float) (1 / Math.sqrt(hd));
  }

  public Gpt2Config config() {
    return config;
  }

  /** Which matrix products this process runs (for benchmark lines). */
  static String gemmName() {
    return Gemm.name();
  }

  public Gpt2Layout layout() {
    return layout;
  }

  /** Number of parameters. */
  public int numParams() {
    return layout.numParams();
  }

  /**
   * Logits [batch, length, vocab] (row-major) of the token ids {@code tokens} [batch, length] with
   * parameters {@code params}.
   */
  public float[] logits(float[] params, int[] tokens, int batch, int length) {
    forward(params, tokens, batch, length);
    int n = batch * length;
    float[] out = new float[n * v];
    gemm.nt(n, v, d, xf, 0, params, layout.head, out, 0, false);
    return out;
  }

  /**
   * Mean cross-entropy of {@code targets} [batch, length] (the token each position should predict;
   * -1: no target at that position) given {@code tokens} [batch, length], with parameters {@code
   * params}. When {@code gradient} is not null, writes ∂(mean loss)/∂params into it (overwriting).
   */
  public double lossAndGradient(
      float[] params, int[] tokens, int[] targets, int batch, int length, float[] gradient) {
    checkShape(params, tokens, batch, length);
    if (gradient != null && gradient.length != layout.numParams()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "GPT-2 gradient: %d values, the layout has %d",
              gradient.length,
              layout.numParams()));
    }
    if (targets.length != tokens.length) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "GPT-2 targets: %d values for %d tokens",
              targets.length,
              tokens.length));
    }
    int n = batch * length;
    int count = 0;
    for (int i = 0; i < n; i++) {
      int t = targets[i];
      if (t < -1 || t >= v) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "GPT-2 target %d of sequence %d position %d is outside the vocabulary [0, %d)",
                t,
                i / length,
                i % length,
                v));
      }
      if (t >= 0) {
        count++;
      }
    }
    if (count == 0) {
      throw new IllegalArgumentException("GPT-2 loss: no position has a target");
    }
    forward(params, tokens, batch, length);
    if (sel.length < count) {
      sel = new int[count];
    }
    int s = 0;
    for (int i = 0; i < n; i++) {
      if (targets[i] >= 0) {
        sel[s++] = i;
      }
    }
    xfSel = grow(xfSel, count * d);
    logitsSel = grow(logitsSel, count * v);
    for (int r = 0; r < count; r++) {
      System.arraycopy(xf, sel[r] * d, xfSel, r * d, d);
    }
    gemm.nt(count, v, d, xfSel, 0, params, layout.head, logitsSel, 0, false);
    double loss = 0;
    float inv = 1f / count;
    for (int r = 0; r < count; r++) {
      int o = r * v;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        max = Math.max(max, logitsSel[o + j]);
      }
      double sum = 0;
      for (int j = 0; j < v; j++) {
        sum += Math.exp(logitsSel[o + j] - max);
      }
      double lse = max + Math.log(sum);
      int target = targets[sel[r]];
      loss += lse - logitsSel[o + target];
      if (gradient != null) { // logitsSel becomes ∂L/∂logits
        for (int j = 0; j < v; j++) {
          logitsSel[o + j] = (float) (Math.exp(logitsSel[o + j] - lse) * inv);
        }
        logitsSel[o + target] -= inv;
      }
    }
    loss /= count;
    if (gradient != null) {
      backward(params, tokens, batch, length, count, gradient);
    }
    return loss;
  }

  /** ∂L/∂m for θ_eff = θ ⊙ m: {@code out[i] = gradient[i]·params[i]} (∂L/∂θ_eff ⊙ θ). */
  public static void maskGradient(float[] gradient, float[] params, float[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = gradient[i] * params[i];
    }
  }

  private void forward(float[] params, int[] tokens, int batch, int length) {
    checkShape(params, tokens, batch, length);
    allocate(batch, length);
    int n = batch * length;
    float[] x0 = x[0];
    for (int i = 0; i < n; i++) {
      int tok = tokens[i];
      if (tok < 0 || tok >= v) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "GPT-2 token %d of sequence %d position %d is outside the vocabulary [0, %d)",
                tok,
                i / length,
                i % length,
                v));
      }
      int e = layout.wte + tok * d;
      int p = layout.wpe + (i % length) * d;
      for (int j = 0; j < d; j++) {
        x0[i * d + j] = params[e + j] + params[p + j];
      }
    }
    blocks(params, batch, length);
  }

  private void checkShape(float[] params, int[] tokens, int batch, int length) {
    if (params.length != layout.numParams()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "GPT-2 parameters: %d values, the layout has %d",
              params.length,
              layout.numParams()));
    }
    if (batch <= 0 || length <= 0 || tokens.length != batch * length) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "GPT-2 input: %d tokens for %d sequences of %d",
              tokens.length,
              batch,
              length));
    }
    if (length > config.context()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "GPT-2 input: sequences of %d tokens are longer than the context %d",
              length,
              config.context()));
    }
  }

  /** The blocks and ln_f over the embedded input x[0]. */
  private void blocks(float[] params, int batch, int length) {
    int n = batch * length;
    for (int l = 0; l < layers; l++) {
      layerNorm(x[l], n, params, layout.ln1g[l], layout.ln1b[l], hat1[l], rstd1[l], a1[l]);
      gemm.nn(n, 3 * d, d, a1[l], 0, params, layout.attnW[l], qkv[l], 0, false);
      addBias(qkv[l], n, 3 * d, params, layout.attnB[l]);
      attention(qkv[l], prob[l], y[l], batch, length);
      float[] mid = xMid[l];
      System.arraycopy(x[l], 0, mid, 0, n * d);
      gemm.nn(n, d, d, y[l], 0, params, layout.projW[l], mid, 0, true);
      addBias(mid, n, d, params, layout.projB[l]);
      layerNorm(mid, n, params, layout.ln2g[l], layout.ln2b[l], hat2[l], rstd2[l], a2[l]);
      gemm.nn(n, f, d, a2[l], 0, params, layout.fcW[l], pre[l], 0, false);
      addBias(pre[l], n, f, params, layout.fcB[l]);
      gelu(pre[l], act[l], geluDeriv[l], n * f);
      float[] out = x[l + 1];
      System.arraycopy(mid, 0, out, 0, n * d);
      gemm.nn(n, d, f, act[l], 0, params, layout.outW[l], out, 0, true);
      addBias(out, n, d, params, layout.outB[l]);
    }
    layerNorm(x[layers], n, params, layout.lnfg, layout.lnfb, hatF, rstdF, xf);
  }

  /** Causal multi-head attention of one block: probabilities into {@code p}, outputs into out. */
  private void attention(float[] qkv, float[] p, float[] out, int batch, int length) {
    int w = 3 * d;
    float[] scores = new float[length];
    Arrays.fill(out, 0, batch * length * d, 0f);
    for (int b = 0; b < batch; b++) {
      for (int head = 0; head < h; head++) {
        int pb = (b * h + head) * length * length;
        for (int t = 0; t < length; t++) {
          int q = (b * length + t) * w + head * hd;
          float max = Float.NEGATIVE_INFINITY;
          for (int u = 0; u <= t; u++) {
            int k = (b * length + u) * w + d + head * hd;
            float dot = 0;
            for (int j = 0; j < hd; j++) {
              dot += qkv[q + j] * qkv[k + j];
            }
            scores[u] = dot * scale;
            max = Math.max(max, scores[u]);
          }
          double sum = 0;
          for (int u = 0; u <= t; u++) {
            float e = (float) Math.exp(scores[u] - max);
            scores[u] = e;
            sum += e;
          }
          float inv = (float) (1 / sum);
          int row = pb + t * length;
          int o = (b * length + t) * d + head * hd;
          for (int u = 0; u < length; u++) {
            float pu = u <= t ? scores[u] * inv : 0f;
            p[row + u] = pu;
            if (pu != 0f) {
              int vv = (b * length + u) * w + 2 * d + head * hd;
              for (int j = 0; j < hd; j++) {
                out[o + j] += pu * qkv[vv + j];
              }
            }
          }
        }
      }
    }
  }

  private void backward(float[] params, int[] tokens, int batch, int length, int count, float[] g) {
    Arrays.fill(g, 0f);
    int n = batch * length;
    // head: logitsSel holds ∂L/∂logits of the selected rows
    dXfSel = grow(dXfSel, count * d);
    gemm.nn(count, d, v, logitsSel, 0, params, layout.head, dXfSel, 0, false);
    gemm.tn(v, d, count, logitsSel, 0, xfSel, 0, g, layout.head, true);
    float[] dxf = dA; // ∂L/∂(ln_f output), zero on rows without a target
    Arrays.fill(dxf, 0, n * d, 0f);
    for (int r = 0; r < count; r++) {
      System.arraycopy(dXfSel, r * d, dxf, sel[r] * d, d);
    }
    Arrays.fill(dx, 0, n * d, 0f);
    layerNormBackward(dxf, n, params, layout.lnfg, g, layout.lnfb, hatF, rstdF, dx);
    for (int l = layers - 1; l >= 0; l--) {
      // MLP: x[l+1] = xMid + act·W_out + b_out
      gemm.nt(n, f, d, dx, 0, params, layout.outW[l], dF, 0, false);
      gemm.tn(f, d, n, act[l], 0, dx, 0, g, layout.outW[l], true);
      columnSums(dx, n, d, g, layout.outB[l]);
      float[] gd = geluDeriv[l];
      for (int i = 0; i < n * f; i++) {
        dF[i] *= gd[i];
      }
      gemm.tn(d, f, n, a2[l], 0, dF, 0, g, layout.fcW[l], true);
      columnSums(dF, n, f, g, layout.fcB[l]);
      gemm.nt(n, d, f, dF, 0, params, layout.fcW[l], dA, 0, false);
      layerNormBackward(dA, n, params, layout.ln2g[l], g, layout.ln2b[l], hat2[l], rstd2[l], dx);
      // attention: xMid = x[l] + y·W_proj + b_proj
      gemm.nt(n, d, d, dx, 0, params, layout.projW[l], dY, 0, false);
      gemm.tn(d, d, n, y[l], 0, dx, 0, g, layout.projW[l], true);
      columnSums(dx, n, d, g, layout.projB[l]);
      attentionBackward(qkv[l], prob[l], dY, dQkv, batch, length);
      gemm.tn(d, 3 * d, n, a1[l], 0, dQkv, 0, g, layout.attnW[l], true);
      columnSums(dQkv, n, 3 * d, g, layout.attnB[l]);
      gemm.nt(n, d, 3 * d, dQkv, 0, params, layout.attnW[l], dA, 0, false);
      layerNormBackward(dA, n, params, layout.ln1g[l], g, layout.ln1b[l], hat1[l], rstd1[l], dx);
    }
    for (int i = 0; i < n; i++) {
      int e = layout.wte + tokens[i] * d;
      int p = layout.wpe + (i % length) * d;
      for (int j = 0; j < d; j++) {
        float gj = dx[i * d + j];
        g[e + j] += gj;
        g[p + j] += gj;
      }
    }
  }

  /** ∂L/∂qkv of one block from ∂L/∂(merged head outputs) {@code dy}. */
  private void attentionBackward(
      float[] qkv, float[] p, float[] dy, float[] dqkv, int batch, int length) {
    int w = 3 * d;
    Arrays.fill(dqkv, 0, batch * length * w, 0f);
    for (int b = 0; b < batch; b++) {
      for (int head = 0; head < h; head++) {
        int pb = (b * h + head) * length * length;
        for (int t = 0; t < length; t++) {
          int row = pb + t * length;
          int o = (b * length + t) * d + head * hd;
          // dP[u] = dy_t · v_u, dv_u += p[t,u] dy_t
          double dot = 0;
          for (int u = 0; u <= t; u++) {
            int vv = (b * length + u) * w + 2 * d + head * hd;
            float pu = p[row + u];
            float s = 0;
            for (int j = 0; j < hd; j++) {
              s += dy[o + j] * qkv[vv + j];
              dqkv[vv + j] += pu * dy[o + j];
            }
            dP[u] = s;
            dot += pu * s;
          }
          // dS[u] = p[t,u] (dP[u] - Σ p dP); dq_t += dS k_u / √hd; dk_u += dS q_t / √hd
          int q = (b * length + t) * w + head * hd;
          for (int u = 0; u <= t; u++) {
            float ds = (float) (p[row + u] * (dP[u] - dot)) * scale;
            if (ds == 0f) {
              continue;
            }
            int k = (b * length + u) * w + d + head * hd;
            for (int j = 0; j < hd; j++) {
              dqkv[q + j] += ds * qkv[k + j];
              dqkv[k + j] += ds * qkv[q + j];
            }
          }
        }
      }
    }
  }

  private void layerNorm(
      float[] in,
      int n,
      float[] params,
      int gain,
      int bias,
      float[] hat,
      float[] rstd,
      float[] out) {
    double eps = config.epsilon();
    for (int i = 0; i < n; i++) {
      int o = i * d;
      double mean = 0;
      for (int j = 0; j < d; j++) {
        mean += in[o + j];
      }
      mean /= d;
      double var = 0;
      for (int j = 0; j < d; j++) {
        double c = in[o + j] - mean;
        var += c * c;
      }
      var /= d;
      double r = 1 / Math.sqrt(var + eps);
      rstd[i] = (float) r;
      for (int j = 0; j < d; j++) {
        float xh = (float) ((in[o + j] - mean) * r);
        hat[o + j] = xh;
        out[o + j] = xh * params[gain + j] + params[bias + j];
      }
    }
  }

  /**
   * Adds ∂L/∂(LayerNorm input) into {@code dIn} and ∂L/∂gain, ∂L/∂bias into {@code g}, given
   * ∂L/∂(LayerNorm output) {@code dOut}.
   */
  private void layerNormBackward(
      float[] dOut,
      int n,
      float[] params,
      int gain,
      float[] g,
      int bias,
      float[] hat,
      float[] rstd,
      float[] dIn) {
    for (int i = 0; i < n; i++) {
      int o = i * d;
      double mean1 = 0;
      double mean2 = 0;
      for (int j = 0; j < d; j++) {
        float dyj = dOut[o + j];
        float xh = hat[o + j];
        g[gain + j] += dyj * xh;
        g[bias + j] += dyj;
        float dh = dyj * params[gain + j];
        mean1 += dh;
        mean2 += dh * xh;
      }
      float m1 = (float) (mean1 / d);
      float m2 = (float) (mean2 / d);
      float r = rstd[i];
      for (int j = 0; j < d; j++) {
        float dh = dOut[o + j] * params[gain + j];
        dIn[o + j] += r * (dh - m1 - hat[o + j] * m2);
      }
    }
  }

  /** GELU of {@code in} into {@code out}, and its derivative at {@code in} into {@code deriv}. */
  private float[] geluA = new float[0];

  private float[] geluB = new float[0];

  /**
   * GELU and its derivative over {@code size} elements, the exponentials as whole-array loops
   * ({@link FloatExp}, within 1.2 ulp of float): tanh u = 1 − 2/(1 + e^{2u}) for gelu_new,
   * e^{−z²/2} for the exact GELU's erf (Abramowitz &amp; Stegun 7.1.26, {@link #erf}) and its
   * derivative. A scalar {@code Math.exp} or {@code Math.tanh} per element was the largest Java
   * cost of a step.
   */
  void gelu(float[] in, float[] out, float[] deriv, int size) {
    if (geluA.length < size) {
      geluA = new float[size];
      geluB = new float[size];
    }
    float[] a = geluA;
    float[] e = geluB;
    if (config.activation() == Gpt2Config.Activation.GELU_NEW) {
      float c = (float) SQRT_2_OVER_PI;
      for (int i = 0; i < size; i++) {
        float z = in[i];
        a[i] = c * (z + 0.044715f * z * z * z);
      }
      FloatExp.scaled(a, 2f, e, a, size);
      for (int i = 0; i < size; i++) {
        float z = in[i];
        float th = 1f - 2f / (1f + e[i]);
        out[i] = 0.5f * z * (1f + th);
        deriv[i] = 0.5f * (1f + th) + 0.5f * z * (1f - th * th) * c * (1f + 3 * 0.044715f * z * z);
      }
    } else {
      for (int i = 0; i < size; i++) {
        a[i] = in[i] * in[i];
      }
      FloatExp.scaled(a, -0.5f, e, a, size);
      float invSqrt2 = (float) INV_SQRT_2;
      float invSqrt2Pi = (float) INV_SQRT_2PI;
      // z·Φ(z) = (z + |z|·erf(|z|/√2))/2 needs no sign; Φ'(z)·z + Φ(z) takes erf's sign from z's
      // bit in a second loop (one loop with both stays scalar under C2)
      for (int i = 0; i < size; i++) {
        float z = in[i];
        float az = Math.abs(z);
        float t = 1f / (1f + 0.3275911f * invSqrt2 * az);
        float poly =
            t
                * (0.254829592f
                    + t
                        * (-0.284496736f
                            + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float erfAbs = 1f - poly * e[i];
        out[i] = 0.5f * (z + az * erfAbs);
        deriv[i] = 0.5f + z * invSqrt2Pi * e[i];
        a[i] = 0.5f * erfAbs;
      }
      for (int i = 0; i < size; i++) {
        int sign = Float.floatToRawIntBits(in[i]) & 0x80000000;
        deriv[i] += Float.intBitsToFloat(Float.floatToRawIntBits(a[i]) | sign);
      }
    }
  }

  /**
   * erf(x) given {@code expMinusXSquared} = e^(−x²), by Abramowitz &amp; Stegun 7.1.26 (absolute
   * error below 1.5e-7, under float32's resolution of GELU's output): one exponential, which the
   * exact GELU's derivative shares. commons-math's {@code Erf.erf} is exact to double precision but
   * made the exact-GELU model five times slower per step.
   */
  static double erf(double x, double expMinusXSquared) {
    double ax = Math.abs(x);
    double t = 1 / (1 + 0.3275911 * ax);
    double poly =
        t
            * (0.254829592
                + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    double y = 1 - poly * expMinusXSquared;
    return x < 0 ? -y : y;
  }

  private static void addBias(float[] m, int n, int cols, float[] params, int bias) {
    for (int i = 0; i < n; i++) {
      int o = i * cols;
      for (int j = 0; j < cols; j++) {
        m[o + j] += params[bias + j];
      }
    }
  }

  private static void columnSums(float[] m, int n, int cols, float[] g, int at) {
    for (int i = 0; i < n; i++) {
      int o = i * cols;
      for (int j = 0; j < cols; j++) {
        g[at + j] += m[o + j];
      }
    }
  }

  private static float[] grow(float[] a, int size) {
    return a.length >= size ? a : new float[size];
  }

  private void allocate(int batch, int length) {
    int n = batch * length;
    if (rows >= n
        && len == length
        && prob != null
        && prob[0].length >= batch * h * length * length) {
      return;
    }
    rows = n;
    len = length;
    x = new float[layers + 1][n * d];
    xMid = new float[layers][n * d];
    hat1 = new float[layers][n * d];
    rstd1 = new float[layers][n];
    a1 = new float[layers][n * d];
    qkv = new float[layers][n * 3 * d];
    prob = new float[layers][batch * h * length * length];
    y = new float[layers][n * d];
    hat2 = new float[layers][n * d];
    rstd2 = new float[layers][n];
    a2 = new float[layers][n * d];
    pre = new float[layers][n * f];
    act = new float[layers][n * f];
    geluDeriv = new float[layers][n * f];
    hatF = new float[n * d];
    rstdF = new float[n];
    xf = new float[n * d];
    dx = new float[n * d];
    dA = new float[n * d];
    dQkv = new float[n * 3 * d];
    dY = new float[n * d];
    dF = new float[n * f];
    dP = new float[length];
  }
}
