package org.subnetlab.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java GPT-2 against PyTorch on the committed fixture of make_gpt2_fixture.py (a tiny random
 * GPT-2 saved in Hugging Face's layout; references computed by torch in float64 from the saved
 * float32 weights): logits, losses, autograd gradients of every parameter and of a random mask on
 * every parameter. CI needs no torch.
 *
 * <p>Tolerances: Java runs in float32 (float products, double sums in LayerNorm, softmax and the
 * loss), so its relative rounding error is about 1e-6 (measured on this fixture: logits within
 * 2.9e-6 of PyTorch's, every gradient element within 1.1e-6 of the largest magnitude in its block).
 * Logits must agree to 1e-4 (the figure), losses to 1e-5, each gradient element to 1e-4 of
 * the largest magnitude in its block plus 1e-7: a hundredfold margin over rounding, far below what
 * a wrong term in the backward pass changes.
 */
class Gpt2FixtureTest {
  static Path dir;
  static Gpt2Import.Checkpoint checkpoint;
  static Safetensors expected;

  @BeforeAll
  static void load() throws URISyntaxException {
    dir = Path.of(Gpt2FixtureTest.class.getResource("/gpt2-tiny").toURI());
    checkpoint = Gpt2Import.read(dir);
    expected = Safetensors.read(dir.resolve("expected.safetensors"));
  }

  @Test
  void readsTheHuggingFaceConfig() {
    Gpt2Config c = checkpoint.config();
    assertThat(c)
        .isEqualTo(
            new Gpt2Config(2, 32, 4, 128, 50, 16, 1e-5, Gpt2Config.Activation.GELU_NEW, true));
    assertThat(checkpoint.params()).hasSize(new Gpt2Layout(c).numParams());
  }

  @Test
  void logitsEqualPyTorch() {
    for (String batch : new String[] {"a", "b"}) {
      int[] shape = expected.entry(batch + ".tokens").shape();
      float[] logits =
          new Gpt2(checkpoint.config())
              .logits(checkpoint.params(), ints(batch + ".tokens"), shape[0], shape[1]);
      float[] want = expected.floats(batch + ".logits");
      assertThat(logits).hasSize(want.length);
      assertThat(maxAbsDiff(logits, want)).as("batch %s", batch).isLessThan(1e-4);
      assertThat(maxAbs(want)).isGreaterThan(1); // not a trivially small output
    }
  }

  @Test
  void lossAndGradientsEqualAutograd() {
    Gpt2 model = new Gpt2(checkpoint.config());
    for (String batch : new String[] {"a", "b"}) {
      int[] shape = expected.entry(batch + ".tokens").shape();
      float[] g = new float[model.numParams()];
      double loss =
          model.lossAndGradient(
              checkpoint.params(),
              ints(batch + ".tokens"),
              ints(batch + ".targets"),
              shape[0],
              shape[1],
              g);
      assertThat(loss)
          .isCloseTo(
              expected.floats(batch + ".loss")[0], org.assertj.core.data.Offset.offset(1e-5));
      assertBlocksClose(model.layout(), g, batch + ".grad.");
    }
  }

  @Test
  void maskGradientsEqualAutograd() {
    Gpt2 model = new Gpt2(checkpoint.config());
    Gpt2Layout layout = model.layout();
    float[] theta = checkpoint.params();
    float[] mask = new float[theta.length];
    for (Gpt2Layout.Block b : layout.blocks()) {
      System.arraycopy(expected.floats("mask." + b.name()), 0, mask, b.offset(), b.size());
    }
    float[] effective = new float[theta.length];
    for (int i = 0; i < theta.length; i++) {
      effective[i] = theta[i] * mask[i];
    }
    int[] shape = expected.entry("a.tokens").shape();
    float[] g = new float[theta.length];
    double loss =
        model.lossAndGradient(
            effective, ints("a.tokens"), ints("a.targets"), shape[0], shape[1], g);
    assertThat(loss)
        .isCloseTo(expected.floats("a.masked.loss")[0], org.assertj.core.data.Offset.offset(1e-5));
    float[] gm = new float[theta.length];
    Gpt2.maskGradient(g, theta, gm);
    assertBlocksClose(layout, gm, "a.maskgrad.");
  }

  private static void assertBlocksClose(Gpt2Layout layout, float[] got, String prefix) {
    for (Gpt2Layout.Block b : layout.blocks()) {
      float[] want = expected.floats(prefix + b.name());
      float[] mine = java.util.Arrays.copyOfRange(got, b.offset(), b.offset() + b.size());
      double scale = maxAbs(want);
      assertThat(scale).as("%s%s is all zero", prefix, b.name()).isGreaterThan(1e-6);
      double err = maxAbsDiff(mine, want);
      assertThat(err)
          .as(
              String.format(
                  Locale.ROOT, "%s%s: max error %.3g of scale %.3g", prefix, b.name(), err, scale))
          .isLessThanOrEqualTo(1e-4 * scale + 1e-7);
    }
  }

  static int[] ints(String name) {
    long[] v = expected.longs(name);
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.toIntExact(v[i]);
    }
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float x : a) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
