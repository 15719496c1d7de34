package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;

/**
 * Hard-concrete masks: the loss's gradient against central finite differences (network in double
 * precision), the sampled gates' law against the closed form of the stretched and clipped binary
 * concrete, and the final-mask rule by hand.
 */
class HardConcreteTest {
  private static final double EPS = 1e-3;

  private Dl4jObjective objective;
  private float[] theta;
  private Dataset data;
  private int[] rows;
  private ParamLayout layout;

  @BeforeEach
  void setUp() {
    SplittableRandom rng = new SplittableRandom(7);
    MultiLayerNetwork net = Networks.mlp(5, List.of(6), 3, "tanh", 0.01, DataType.DOUBLE, rng);
    objective = new Dl4jObjective(net);
    layout = ParamLayout.of(net);
    theta = ParamBridge.toFloats(net.params());
    for (int i = 0; i < theta.length; i++) {
      theta[i] += (float) (0.1 * rng.nextGaussian());
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

  private static HardConcreteMethod method(double lambda, double maskBiases) {
    Map<String, Double> hp = new HashMap<>();
    hp.put("lambda", lambda);
    hp.put("beta", 0.8);
    hp.put("left-stretch", -0.2);
    hp.put("right-stretch", 1.15);
    hp.put("mask-biases", maskBiases);
    return new HardConcreteMethod(hp);
  }

  /**
   * The analytic gradient of CE(θ ⊙ z(log α, u)) + λ·expected L0 at fixed noise u, with some gates
   * clipped at 0 and at 1 (gradient 0 there), against central differences in log α.
   */
  @Test
  void lossGradientMatchesFiniteDifferences() {
    for (double maskBiases : new double[] {0, 1}) {
      HardConcreteMethod hc = method(0.05, maskBiases);
      int n = theta.length;
      SplittableRandom rng = new SplittableRandom(3);
      float[] logAlpha = new float[n];
      float[] u = new float[n];
      for (int i = 0; i < n; i++) {
        logAlpha[i] = (float) (rng.nextGaussian() * 1.5);
        u[i] = (float) (0.02 + 0.96 * rng.nextDouble());
      }
      boolean[] maskable = Maskable.of(layout, maskBiases == 1);
      float[] grad = new float[n];
      hc.objective(
          objective,
          theta,
          logAlpha,
          u,
          data,
          rows,
          0,
          rows.length,
          grad,
          new HardConcreteMethod.Scratch(n, maskable));
      int clipped = 0;
      int crossings = 0;
      float[] fd = new float[n];
      for (int i = 0; i < n; i++) {
        double z = hc.gate(logAlpha[i], u[i]);
        boolean inside = z > 0 && z < 1;
        // a difference step that crosses a clip point is not a derivative: skip those entries
        boolean crossing =
            inside != (hc.gate(logAlpha[i] + EPS, u[i]) > 0 && hc.gate(logAlpha[i] + EPS, u[i]) < 1)
                || inside
                    != (hc.gate(logAlpha[i] - EPS, u[i]) > 0
                        && hc.gate(logAlpha[i] - EPS, u[i]) < 1);
        clipped += inside ? 0 : 1;
        crossings += crossing ? 1 : 0;
        float[] p = logAlpha.clone();
        p[i] = (float) (logAlpha[i] + EPS);
        double up = loss(hc, p, u, maskable);
        p[i] = (float) (logAlpha[i] - EPS);
        double down = loss(hc, p, u, maskable);
        fd[i] = crossing ? grad[i] : (float) ((up - down) / (2 * EPS));
        if (!maskable[i]) {
          assertThat(grad[i]).as("unmasked %d", i).isZero();
        }
      }
      assertThat(clipped).as("gates clipped at 0 or 1").isGreaterThan(5);
      assertThat(crossings).as("differences across a clip point, skipped").isLessThan(3);
      assertClose(grad, fd);
    }
  }

  private double loss(HardConcreteMethod hc, float[] logAlpha, float[] u, boolean[] maskable) {
    int n = theta.length;
    return hc.objective(
        objective,
        theta,
        logAlpha,
        u,
        data,
        rows,
        0,
        rows.length,
        new float[n],
        new HardConcreteMethod.Scratch(n, maskable));
  }

  /** The penalty and its gradient alone (a zero network): λ·Σσ(a − β log(−γ/ζ)) by hand. */
  @Test
  void penaltyIsTheExpectedL0ByHand() {
    HardConcreteMethod hc = method(0.3, 1);
    int n = theta.length;
    float[] zero = new float[n];
    float[] logAlpha = new float[n];
    for (int i = 0; i < n; i++) {
      logAlpha[i] = (float) (-3 + 6.0 * i / n);
    }
    float[] u = new float[n];
    java.util.Arrays.fill(u, 0.5f);
    float[] grad = new float[n];
    double ceOfZeroNet = objective.lossAndGradient(zero, data, rows, 0, 16, new float[n]);
    double loss =
        hc.objective(
            objective,
            zero,
            logAlpha,
            u,
            data,
            rows,
            0,
            16,
            grad,
            new HardConcreteMethod.Scratch(n, Maskable.of(layout, true)));
    double l0 = 0;
    for (int i = 0; i < n; i++) {
      double c = 0.8 * Math.log(0.2 / 1.15);
      double p = 1 / (1 + Math.exp(-(logAlpha[i] - c)));
      l0 += p;
      assertThat((double) grad[i]).isCloseTo(0.3 * p * (1 - p), within(1e-6));
    }
    // the gates' transcendentals are float (FloatLog, FloatExp): the sum to 1e-7 relative
    assertThat(loss).isCloseTo(ceOfZeroNet + 0.3 * l0, within(1e-7 * (ceOfZeroNet + 0.3 * l0)));
  }

  /**
   * Gates sampled from the method's own uniform stream, at three log α: P(z = 0), P(z = 1) and P(z
   * ≤ t) at four interior points against the closed form of the stretched, clipped binary concrete,
   * and the closed forms against a hand computation at the paper's β = 2/3, γ = −0.1, ζ = 1.1.
   */
  @Test
  void sampledGatesFollowTheHardConcreteLaw() {
    HardConcreteMethod paper = new HardConcreteMethod(Map.of());
    // log α = 0 at the paper's values: P(z=0) = σ(2/3·log(0.1/1.1)) = 1/(1 + 11^(2/3)) = 0.168178
    double lg11 = Math.log(11);
    assertThat(paper.probabilityZero(0))
        .isCloseTo(1 / (1 + Math.exp(2.0 / 3 * lg11)), within(1e-15));
    assertThat(paper.probabilityZero(0)).isCloseTo(0.168178, within(1e-6));
    assertThat(paper.probabilityOne(0)).isCloseTo(0.168178, within(1e-6));
    // log α = 1.6 (the default init): P(z=1) = σ(1.6 − 2/3·log 11) = σ(0.0014031) = 0.5003508
    assertThat(paper.probabilityOne(1.6)).isCloseTo(0.5003508, within(1e-7));

    HardConcreteMethod hc = method(0, 1);
    int samples = 400_000;
    float[] u = new float[samples];
    HardConcreteMethod.uniforms(new SplittableRandom(13), u);
    double[] at = {0.1, 0.4, 0.6, 0.9};
    for (double a : new double[] {-1.0, 0.3, 2.0}) {
      int zeros = 0;
      int ones = 0;
      int[] below = new int[at.length];
      for (float v : u) {
        double z = hc.gate(a, v);
        zeros += z == 0 ? 1 : 0;
        ones += z == 1 ? 1 : 0;
        for (int k = 0; k < at.length; k++) {
          below[k] += z <= at[k] ? 1 : 0;
        }
      }
      // 4 standard errors of a proportion near 1/2 on 400k samples: 0.0032
      assertThat((double) zeros / samples)
          .as("P(z = 0) at log alpha %s", a)
          .isCloseTo(hc.probabilityZero(a), within(0.0032));
      assertThat((double) ones / samples)
          .as("P(z = 1) at log alpha %s", a)
          .isCloseTo(hc.probabilityOne(a), within(0.0032));
      for (int k = 0; k < at.length; k++) {
        assertThat((double) below[k] / samples)
            .as("P(z <= %s) at log alpha %s", at[k], a)
            .isCloseTo(hc.cdf(a, at[k]), within(0.0032));
      }
      // the CDF's jump at 0 is P(z = 0), and it reaches 1 − P(z = 1) below 1
      assertThat(hc.cdf(a, 1e-12)).isCloseTo(hc.probabilityZero(a), within(1e-9));
      assertThat(hc.cdf(a, 1 - 1e-12)).isCloseTo(1 - hc.probabilityOne(a), within(1e-9));
    }
  }

  /** The final mask keeps a parameter iff min(1, max(0, σ(a)(ζ − γ) + γ)) > threshold, by hand. */
  @Test
  void finalMaskIsTheThresholdedDeterministicGate() {
    HardConcreteMethod paper = new HardConcreteMethod(Map.of());
    // σ(a)·1.2 − 0.1 > 0.5 ⇔ σ(a) > 0.5 ⇔ a > 0
    assertThat(paper.kept(1e-6f)).isTrue();
    assertThat(paper.kept(0f)).isFalse();
    assertThat(paper.kept(-1e-6f)).isFalse();
    assertThat(paper.deterministicGate(1.6))
        .isCloseTo(1.2 / (1 + Math.exp(-1.6)) - 0.1, within(1e-15));
    assertThat(paper.deterministicGate(5)).isEqualTo(1.0);
    assertThat(paper.deterministicGate(-5)).isEqualTo(0.0);
    // the rule agrees with the gate computed in floating point away from the cut
    for (HardConcreteMethod m : List.of(paper, method(0, 1))) {
      for (double a = -4; a <= 4; a += 0.01) {
        if (Math.abs(a) > 1e-9 && Math.abs(a - Math.log(0.7 / 0.65)) > 1e-9) {
          assertThat(m.kept((float) a))
              .as("a = %s", a)
              .isEqualTo(m.deterministicGate((float) a) > 0.5);
        }
      }
    }
    // threshold 0: kept iff the gate is not clipped to 0, i.e. a > log(−γ/ζ) = −log 11
    HardConcreteMethod support = new HardConcreteMethod(Map.of("threshold", 0.0));
    assertThat(support.kept((float) (-Math.log(11) + 1e-5))).isTrue();
    assertThat(support.kept((float) (-Math.log(11) - 1e-5))).isFalse();
  }

  /** A short training run: unmasked biases kept, densities in (0, 1], the mask by the rule. */
  @Test
  void trainingKeepsUnmaskedBiasesAndMasksByTheRule() {
    HardConcreteMethod hc =
        new HardConcreteMethod(Map.of("steps", 30.0, "batch-size", 8.0, "lambda", 0.01));
    MaskTrainingResult r =
        hc.train(new MaskContext(objective, theta, null, layout, data, new SplittableRandom(1)));
    assertThat(r.steps()).isEqualTo(30);
    assertThat(r.densityHistory()).hasSize(30);
    for (int l = 0; l < layout.layers(); l++) {
      if (layout.name(l).endsWith("_b")) {
        assertThat(r.mask().keptInLayer(l)).isEqualTo(layout.size(l));
      }
    }
    assertThat(r.densityHistory()[29]).isEqualTo((float) r.mask().kept() / theta.length);
  }

  /** Stretch limits that do not enclose [0, 1] and a threshold of 1 are refused by name. */
  @Test
  void rejectsStretchLimitsInsideTheUnitIntervalAndAThresholdOfOne(@TempDir Path dir)
      throws IOException {
    Map<String, String> cases =
        Map.of(
            "masks.hard-concrete.left-stretch = 0",
            "Cannot set masks.hard-concrete.left-stretch to 0: must be < 0.",
            "masks.hard-concrete.threshold = [0.5, 1]",
            "Cannot set masks.hard-concrete.threshold to [0.5,1]: must be < 1.");
    for (Map.Entry<String, String> e : cases.entrySet()) {
      Path f = dir.resolve("hc.conf");
      Files.writeString(f, "masks.methods = [hard-concrete]\n" + e.getKey());
      assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
          .isInstanceOf(BadInputException.class)
          .hasMessage(e.getValue());
    }
    Path f = dir.resolve("hc.conf");
    Files.writeString(f, "masks.methods = [hard-concrete]\nmasks.hard-concrete.right-stretch = 1");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot set masks.hard-concrete.right-stretch to 1: ")
        .hasMessageContaining("(1.0, 10.0]");
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
