package org.subnetlab.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.subnetlab.PlantedNetwork;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.MaskContext;
import org.subnetlab.mask.MaskMethods;
import org.subnetlab.mask.TopK;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;

class CompositionTest {
  private static final ParamLayout LAYOUT =
      new ParamLayout(List.of("0_W", "0_b"), new long[] {0, 5}, new long[] {5, 2});

  private static Mask mask(float... bits) {
    return Mask.positive(LAYOUT, bits);
  }

  @Test
  void setAlgebraIsExactOnHandMadeMasks() {
    Mask a = mask(1, 1, 0, 0, 1, 1, 0);
    Mask b = mask(0, 1, 1, 0, 1, 0, 0);
    assertThat(TopK.kept(a.or(b))).containsExactly(true, true, true, false, true, true, false);
    assertThat(TopK.kept(a.and(b))).containsExactly(false, true, false, false, true, false, false);
    assertThat(TopK.kept(a.minus(b)))
        .containsExactly(true, false, false, false, false, true, false);
    assertThat(TopK.kept(b.minus(a)))
        .containsExactly(false, false, true, false, false, false, false);
    assertThat(TopK.kept(a.complement()))
        .containsExactly(false, false, true, true, false, false, true);
    assertThat(a.and(b).kept() + a.or(b).kept()).isEqualTo(a.kept() + b.kept());
  }

  @Test
  void deltaSumEqualsTheSumByHand() {
    float[] theta = {1f, -2f, 0.5f};
    float[] da = {0.25f, 0f, -0.5f};
    float[] db = {0f, 1f, 0.25f};
    assertThat(Composition.add(Composition.add(theta, da), db)).containsExactly(1.25f, -1f, 0.25f);
  }

  @Test
  void plantedBlocksUnionSolvesBothIntersectionNeither() {
    PlantedNetwork planted = new PlantedNetwork(11);
    Dl4jObjective objective = new Dl4jObjective(planted.net);
    List<Composition.Member> group = new ArrayList<>();
    for (String st : List.of("A", "B")) {
      Map<String, Double> hp =
          Map.of(
              "steps",
              600.0,
              "batch-size",
              64.0,
              "learning-rate",
              0.02,
              "lambda",
              1e-3,
              "beta-start",
              1.0,
              "beta-end",
              200.0,
              "mask-init",
              1.0);
      Mask m =
          MaskMethods.create("continuous-sparsification", hp)
              .train(
                  new MaskContext(
                      objective,
                      planted.theta,
                      null,
                      planted.layout,
                      planted.train.subtask(st),
                      new SplittableRandom(st.hashCode())))
              .mask();
      group.add(
          new Composition.Member(
              RunSpec.of("continuous-sparsification", st, 0, 0, hp, "planted"), m, null));
    }
    Task task =
        new Task() {
          public String name() {
            return "planted";
          }

          public List<String> subtasks() {
            return List.of("A", "B");
          }

          public int inputSize() {
            return planted.eval.inputSize();
          }

          public int numClasses() {
            return 4;
          }

          public Dataset trainSplit() {
            return planted.train;
          }

          public Dataset evalSplit() {
            return planted.eval;
          }
        };
    List<Composition.Row> rows =
        Composition.evaluate(org.subnetlab.model.Network.of(planted.net), null, task, group, 20);
    for (String st : List.of("A", "B")) {
      double full = objective.evaluate(planted.theta, planted.eval.subtask(st)).accuracy();
      assertThat(accuracy(rows, "union", st))
          .as("union on %s", st)
          .isGreaterThanOrEqualTo(0.9 * full);
      assertThat(accuracy(rows, "intersection", st))
          .as("intersection on %s", st)
          .isLessThanOrEqualTo(0.6);
      Composition.Row union =
          rows.stream()
              .filter(r -> r.operation().equals("union") && r.evalSubtask().equals(st))
              .findFirst()
              .orElseThrow();
      assertThat(union.controls().percentile())
          .as("union beats random masks on %s", st)
          .isGreaterThanOrEqualTo(95.0);
      assertThat(union.accuracy()).isGreaterThan(union.controls().mean());
    }
    assertThat(rows.stream().map(Composition.Row::operation).distinct())
        .containsExactlyInAnyOrder("subnetwork", "ablate", "union", "intersection", "difference");
  }

  @Test
  void ablatedKeepsThetaAndWritesTheFillIntoRemovedEntriesOnly() {
    Mask keep = mask(1, 0, 1, 0, 0, 1, 1);
    float[] theta = {1f, 2f, 3f, 4f, 5f, 6f, 7f};
    float[] fill = {-1f, -2f, -3f, -4f, -5f, -6f, -7f};
    assertThat(Composition.ablated(theta, keep, fill))
        .containsExactly(1f, -2f, 3f, -4f, -5f, 6f, 7f);
    assertThat(Composition.ablated(theta, keep, null)).containsExactly(1f, 0f, 3f, 0f, 0f, 6f, 7f);
  }

  @Test
  void zeroAndReinitAblationEqualTheNetworkEvaluatedWithThoseEntriesReplacedByHand() {
    PlantedNetwork planted = new PlantedNetwork(5);
    Mask subA = Mask.positive(planted.layout, toFloats(planted.block[0]));
    SplittableRandom rng = new SplittableRandom(3);
    float[] fresh = new float[planted.theta.length];
    for (int i = 0; i < fresh.length; i++) {
      fresh[i] = (float) (0.5 * org.subnetlab.model.Networks.gaussian(rng));
    }
    Map<String, float[]> fills = new java.util.LinkedHashMap<>();
    fills.put("zero", null);
    fills.put("reinit", fresh);
    List<Composition.Member> group =
        List.of(
            new Composition.Member(
                RunSpec.of("magnitude", "A", 0, 0, Map.of("top-k", 0.5), "planted"), subA, null));
    List<Composition.Row> rows =
        Composition.evaluate(
            org.subnetlab.model.Network.of(planted.net),
            null,
            plantedTask(planted),
            group,
            new Composition.Options(Composition.TRAINED, fills, 0));
    for (String mode : List.of("zero", "reinit")) {
      float[] p = planted.theta.clone();
      for (int i = 0; i < p.length; i++) {
        if (planted.block[0][i]) {
          p[i] = mode.equals("zero") ? 0f : fresh[i];
        }
      }
      for (String st : List.of("A", "B")) {
        Composition.Row r =
            rows.stream()
                .filter(
                    x ->
                        x.operation().equals("ablate")
                            && x.ablation().equals(mode)
                            && x.evalSubtask().equals(st))
                .findFirst()
                .orElseThrow();
        assertThat(r.accuracy())
            .as("%s ablation on %s", mode, st)
            .isEqualTo(byHand(planted, p, planted.eval.subtask(st)));
        assertThat(r.base()).isEqualTo("trained");
        assertThat(r.hyperparameters()).containsEntry("top-k", "0.5");
      }
    }
    // Block A removed: A falls to chance or below, B keeps the full model's accuracy.
    double fullB = byHand(planted, planted.theta, planted.eval.subtask("B"));
    assertThat(
            byHand(
                planted,
                Composition.ablated(planted.theta, subA.complement(), null),
                planted.eval.subtask("A")))
        .isLessThan(0.6);
    assertThat(accuracyOf(rows, "zero", "B")).isEqualTo(fullB);
    assertThat(
            rows.stream()
                .filter(r -> r.operation().equals("subnetwork"))
                .allMatch(r -> r.ablation().equals(Composition.NO_ABLATION)))
        .isTrue();
  }

  private static double accuracyOf(List<Composition.Row> rows, String mode, String eval) {
    return rows.stream()
        .filter(
            x ->
                x.operation().equals("ablate")
                    && x.ablation().equals(mode)
                    && x.evalSubtask().equals(eval))
        .findFirst()
        .orElseThrow()
        .accuracy();
  }

  /** Accuracy of the planted net with parameters p on d: DL4J's forward pass, argmax by hand. */
  private static double byHand(PlantedNetwork planted, float[] p, Dataset d) {
    org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = planted.net.clone();
    org.subnetlab.model.ParamBridge.write(p, net.params());
    int correct = 0;
    float[] x = new float[d.inputSize()];
    for (int i = 0; i < d.size(); i++) {
      d.copyFeatures(i, x, 0);
      org.nd4j.linalg.api.ndarray.INDArray out =
          net.output(org.nd4j.linalg.factory.Nd4j.create(x, new long[] {1, x.length}, 'c'), false);
      int best = 0;
      for (int k = 1; k < out.length(); k++) {
        if (out.getDouble(0, k) > out.getDouble(0, best)) {
          best = k;
        }
      }
      correct += best == d.label(i) ? 1 : 0;
    }
    return (double) correct / d.size();
  }

  private static float[] toFloats(boolean[] b) {
    float[] f = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      f[i] = b[i] ? 1f : -1f;
    }
    return f;
  }

  private static Task plantedTask(PlantedNetwork planted) {
    return new Task() {
      public String name() {
        return "planted";
      }

      public List<String> subtasks() {
        return List.of("A", "B");
      }

      public int inputSize() {
        return planted.eval.inputSize();
      }

      public int numClasses() {
        return 4;
      }

      public Dataset trainSplit() {
        return planted.train;
      }

      public Dataset evalSplit() {
        return planted.eval;
      }
    };
  }

  private static double accuracy(List<Composition.Row> rows, String op, String eval) {
    return rows.stream()
        .filter(r -> r.operation().equals(op) && r.evalSubtask().equals(eval))
        .findFirst()
        .orElseThrow()
        .accuracy();
  }
}
