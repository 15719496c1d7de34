package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.ArithmeticTask;

/** Top-K selection, magnitude pruning and lottery-ticket rounds, checked by hand. */
class SelectionMethodsTest {
  private static final ParamLayout TWO_BLOCKS =
      new ParamLayout(List.of("0_W", "0_b"), new long[] {0, 6}, new long[] {6, 3});

  private static boolean[] kept(Mask m) {
    return TopK.kept(m);
  }

  @Test
  void topKIsExactAndBreaksTiesByLowerIndex() {
    float[] score = {0.5f, 0.9f, 0.5f, 0.1f, 0.5f, 0.9f, 0.3f, 0.3f, 0f};
    Mask global =
        TopK.select(
            TWO_BLOCKS,
            score,
            TopK.all(TWO_BLOCKS),
            TopK.Scope.GLOBAL,
            (size, n) -> 4,
            TopK.Others.DROP);
    // 0.9 at 1 and 5, then the 0.5 ties at 0, 2, 4: the lower indices 0 and 2 win.
    assertThat(kept(global))
        .containsExactly(true, true, true, false, false, true, false, false, false);
    Mask perLayer =
        TopK.select(
            TWO_BLOCKS,
            score,
            TopK.all(TWO_BLOCKS),
            TopK.Scope.PER_LAYER,
            (size, n) -> TopK.count(0.34, n),
            TopK.Others.DROP);
    // 0_W: round(0.34 * 6) = 2 -> 1 and 5; 0_b: round(0.34 * 3) = 1 -> 6 (0.3 tie with 7).
    assertThat(kept(perLayer))
        .containsExactly(false, true, false, false, false, true, true, false, false);
  }

  @Test
  void topKCountsFractionsAndWholeCounts() {
    assertThat(TopK.count(0.25, 10)).isEqualTo(3);
    assertThat(TopK.count(3, 10)).isEqualTo(3);
    assertThat(TopK.count(30, 10)).isEqualTo(10);
    assertThatThrownBy(() -> TopK.count(2.5, 10)).hasMessageContaining("whole count");
  }

  @Test
  void magnitudeKeepsTheLargestAbsoluteValues() {
    float[] theta = {-3f, 1f, 0.5f, -0.2f, 2f, 0f, 5f, -6f, 0.1f};
    MaskContext ctx = new MaskContext(null, theta, null, TWO_BLOCKS, null, null);
    Mask m =
        new MagnitudeMethod(Map.of("top-k", 3.0, "per-layer", 0.0, "mask-biases", 1.0))
            .train(ctx)
            .mask();
    assertThat(kept(m)).containsExactly(true, false, false, false, false, false, true, true, false);
    Mask pl =
        new MagnitudeMethod(Map.of("top-k", 0.5, "per-layer", 1.0, "mask-biases", 1.0))
            .train(ctx)
            .mask();
    // 0_W keeps 3 of 6 (|-3|, |2|, |1|); 0_b keeps round(1.5) = 2 of 3 (|-6|, |5|).
    assertThat(kept(pl)).containsExactly(true, true, false, false, true, false, true, true, false);
  }

  /**
   * With mask-biases = 0 (magnitude's default, as Frankle & Carbin prune weights only) every bias
   * is kept and K counts the weights only: 3 of the 6 weights (|-3|, |2|, |1|) plus the 3 biases,
   * whose large values (5, -6) would otherwise have taken two of the three places; a fraction 0.5
   * is of the 6 weights, globally as per layer.
   */
  @Test
  void magnitudeWithoutMaskedBiasesKeepsThemAndCountsKOverTheWeights() {
    float[] theta = {-3f, 1f, 0.5f, -0.2f, 2f, 0f, 5f, -6f, 0.1f};
    MaskContext ctx = new MaskContext(null, theta, null, TWO_BLOCKS, null, null);
    boolean[] expected = {true, true, false, false, true, false, true, true, true};
    assertThat(kept(new MagnitudeMethod(Map.of("top-k", 3.0, "per-layer", 0.0)).train(ctx).mask()))
        .containsExactly(expected);
    assertThat(
            kept(
                new MagnitudeMethod(Map.of("top-k", 0.5, "per-layer", 0.0, "mask-biases", 0.0))
                    .train(ctx)
                    .mask()))
        .containsExactly(expected);
    assertThat(kept(new MagnitudeMethod(Map.of("top-k", 0.5, "per-layer", 1.0)).train(ctx).mask()))
        .containsExactly(expected);
  }

  /**
   * After R rounds each hidden weight matrix keeps round((1 − p)^R · n) and the output matrix
   * round((1 − p/2)^R · n) (Frankle & Carbin prune the output layer at half the rate); biases are
   * all kept.
   */
  @Test
  void lotteryTicketDensityAfterRRoundsIsOneMinusPToTheRPerMatrixAndHalfTheRateAtTheOutput() {
    double p = 0.3;
    int rounds = 3;
    MaskTrainingResult r =
        lotteryTicket(
            Map.of(
                "rounds",
                (double) rounds,
                "prune-fraction",
                p,
                "steps",
                20.0,
                "batch-size",
                32.0,
                "learning-rate",
                0.01));
    ParamLayout layout = r.mask().layout();
    assertThat(layout.names()).containsExactly("0_W", "0_b", "1_W", "1_b", "2_W", "2_b");
    for (int l = 0; l < layout.layers(); l++) {
      double rate = layout.name(l).startsWith("2_") ? p / 2 : p;
      long expected =
          layout.name(l).endsWith("_W")
              ? Math.round(Math.pow(1 - rate, rounds) * layout.size(l))
              : layout.size(l);
      assertThat(r.mask().keptInLayer(l)).as(layout.name(l)).isEqualTo(expected);
    }
    assertThat(r.steps()).isEqualTo(60);
    assertThat(LotteryTicketMethod.keptAfter(2, 0.5, 100)).isEqualTo(25);
  }

  /**
   * output-prune-ratio = 1 prunes the output layer at the other layers' rate; mask-biases = 1
   * prunes each bias vector like its matrix (round((1 − p)^R · n) of its n entries).
   */
  @Test
  void lotteryTicketOptionsPruneTheOutputAtTheSameRateAndPruneBiases() {
    double p = 0.3;
    MaskTrainingResult r =
        lotteryTicket(
            Map.of(
                "rounds",
                2.0,
                "prune-fraction",
                p,
                "output-prune-ratio",
                1.0,
                "mask-biases",
                1.0,
                "steps",
                20.0,
                "batch-size",
                32.0,
                "learning-rate",
                0.01));
    ParamLayout layout = r.mask().layout();
    for (int l = 0; l < layout.layers(); l++) {
      assertThat(r.mask().keptInLayer(l))
          .as(layout.name(l))
          .isEqualTo(Math.round(Math.pow(1 - p, 2) * layout.size(l)));
    }
    assertThat(r.densityHistory()[r.densityHistory().length - 1])
        .isEqualTo((float) r.mask().kept() / layout.total());
  }

  private static MaskTrainingResult lotteryTicket(Map<String, Double> hp) {
    ArithmeticTask task = new ArithmeticTask(5, List.of("add", "mul"), 0.0, 256, 0);
    SplittableRandom rng = new SplittableRandom(1);
    MultiLayerNetwork init =
        Networks.mlp(task.inputSize(), List.of(20, 10), 5, "relu", 0.01, DataType.FLOAT, rng);
    float[] theta0 = ParamBridge.toFloats(init.params());
    ParamLayout layout = ParamLayout.of(init);
    return new LotteryTicketMethod(hp)
        .train(
            new MaskContext(
                new Dl4jObjective(init),
                theta0,
                theta0,
                layout,
                task.trainSplit().subtask("add"),
                new SplittableRandom(2)));
  }
}
