package org.subnetlab.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The GPT-2 gradient against central finite differences of the loss, block by block (every
 * parameter tensor of the layout), on small random decoders: tied head with gelu_new, untied head
 * with the exact GELU; sequences shorter than the context, targets at some positions only.
 *
 * <p>Per block two directional derivatives, along the block's analytic gradient and along a random
 * unit direction, each (L(θ + εu) − L(θ − εu)) / 2ε with ε = 1e-2 on a unit vector u. The loss is
 * evaluated in float32 (relative rounding ≈ 1e-7 to 1e-6 per evaluation, ≈ 1e-4 on the quotient
 * after dividing by 2ε), and the truncation error ε²·L‴/6 is of the same order. Measured over the
 * 114 checks of both decoders: at most 1.5e-4 of the block's gradient norm (9e-5 absolute).
 * Tolerance: 2e-3 of the block's gradient norm plus 2e-4, over ten times the measured error; a
 * wrong term (a factor, a transposition, a missing path) is off by tens of percent.
 */
class Gpt2GradientTest {
  @Test
  void tiedGeluNewGradientMatchesFiniteDifferences() {
    check(new Gpt2Config(2, 8, 2, 12, 11, 6, 1e-5, Gpt2Config.Activation.GELU_NEW, true), 1);
  }

  @Test
  void untiedExactGeluGradientMatchesFiniteDifferences() {
    check(new Gpt2Config(2, 12, 3, 20, 9, 7, 1e-5, Gpt2Config.Activation.GELU, false), 2);
  }

  @Test
  void refusesTokensOutsideTheVocabularyAndSequencesBeyondTheContext() {
    Gpt2 model = new Gpt2(Gpt2Config.of(1, 4, 2, 5, 3));
    float[] p = new float[model.numParams()];
    assertThatThrownBy(() -> model.logits(p, new int[] {0, 5, 1, 2}, 2, 2))
        .hasMessage("GPT-2 token 5 of sequence 0 position 1 is outside the vocabulary [0, 5)");
    assertThatThrownBy(() -> model.logits(p, new int[] {0, 1, 2, 3}, 1, 4))
        .hasMessage("GPT-2 input: sequences of 4 tokens are longer than the context 3");
    assertThatThrownBy(
            () -> model.lossAndGradient(p, new int[] {0, 1}, new int[] {-1, 7}, 1, 2, null))
        .hasMessage("GPT-2 target 7 of sequence 0 position 1 is outside the vocabulary [0, 5)");
    assertThatThrownBy(
            () -> model.lossAndGradient(p, new int[] {0, 1, 2}, new int[] {1, 2, 3}, 2, 2, null))
        .hasMessage("GPT-2 input: 3 tokens for 2 sequences of 2");
  }

  @Test
  void fastErfIsWithinItsStatedErrorOfTheExactOne() {
    double worst = 0;
    for (int i = -60000; i <= 60000; i++) {
      double x = i * 1e-4;
      double got = Gpt2.erf(x, Math.exp(-x * x));
      worst = Math.max(worst, Math.abs(got - org.apache.commons.math3.special.Erf.erf(x)));
    }
    assertThat(worst).isLessThan(1.5e-7).isGreaterThan(0);
  }

  static float[] randomParams(Gpt2Layout layout, SplittableRandom r) {
    float[] p = new float[layout.numParams()];
    for (Gpt2Layout.Block b : layout.blocks()) {
      boolean gain =
          b.name().endsWith("ln_1.weight")
              || b.name().endsWith("ln_2.weight")
              || b.name().equals("ln_f.weight");
      for (int i = 0; i < b.size(); i++) {
        double z = r.nextGaussian();
        p[b.offset() + i] = (float) (gain ? 1 + 0.2 * z : 0.4 * z);
      }
    }
    return p;
  }

  private static void check(Gpt2Config config, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Gpt2 model = new Gpt2(config);
    Gpt2Layout layout = model.layout();
    float[] theta = randomParams(layout, r);
    int batch = 3;
    int length = config.context() - 1;
    int[] tokens = new int[batch * length];
    int[] targets = new int[batch * length];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = r.nextInt(config.vocab());
      targets[i] = r.nextInt(3) == 0 ? -1 : r.nextInt(config.vocab());
    }
    float[] g = new float[theta.length];
    model.lossAndGradient(theta, tokens, targets, batch, length, g);
    double eps = 1e-2;
    for (Gpt2Layout.Block b : layout.blocks()) {
      double norm = 0;
      for (int i = 0; i < b.size(); i++) {
        norm += (double) g[b.offset() + i] * g[b.offset() + i];
      }
      norm = Math.sqrt(norm);
      assertThat(norm).as("%s has a zero gradient", b.name()).isGreaterThan(1e-4);
      double[][] dirs = new double[2][b.size()];
      double rn = 0;
      for (int i = 0; i < b.size(); i++) {
        dirs[0][i] = g[b.offset() + i] / norm;
        dirs[1][i] = r.nextGaussian();
        rn += dirs[1][i] * dirs[1][i];
      }
      for (int i = 0; i < b.size(); i++) {
        dirs[1][i] /= Math.sqrt(rn);
      }
      for (double[] u : dirs) {
        double analytic = 0;
        float[] plus = theta.clone();
        float[] minus = theta.clone();
        for (int i = 0; i < b.size(); i++) {
          analytic += g[b.offset() + i] * u[i];
          plus[b.offset() + i] = (float) (theta[b.offset() + i] + eps * u[i]);
          minus[b.offset() + i] = (float) (theta[b.offset() + i] - eps * u[i]);
        }
        double fd =
            (model.lossAndGradient(plus, tokens, targets, batch, length, null)
                    - model.lossAndGradient(minus, tokens, targets, batch, length, null))
                / (2 * eps);
        double err = Math.abs(fd - analytic);
        assertThat(err)
            .as(
                String.format(
                    Locale.ROOT,
                    "%s: finite difference %.6g, analytic %.6g, gradient norm %.3g, relative %.2g",
                    b.name(),
                    fd,
                    analytic,
                    norm,
                    err / norm))
            .isLessThanOrEqualTo(2e-3 * norm + 2e-4);
      }
    }
  }
}
