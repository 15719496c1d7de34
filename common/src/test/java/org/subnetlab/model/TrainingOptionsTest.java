package org.subnetlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.ModelSettings;
import org.subnetlab.config.Settings;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/**
 * The base model's training options (issue 27): dropout, L1/L2 weight decay and magnitude pruning
 * on tensorflow-model-optimization's polynomial schedule, checked against hand computations.
 */
class TrainingOptionsTest {
  @TempDir Path dir;

  /** A small arithmetic task: 3 x 128 training examples, 16 inputs, 8 classes. */
  private static final String TASK =
      "task.arithmetic { modulus = 8, train-examples-per-subtask"
          + " = 128 }\nmodel { hidden = [24, 20], epochs = 5, batch-size = 32 }\n";

  private Settings settings(String text) throws IOException {
    Path f = dir.resolve("s.conf");
    Files.writeString(f, text);
    return ConfigLoader.load(f, List.of());
  }

  private static long zeros(INDArray a) {
    return Arrays.stream(toDoubles(a)).filter(v -> v == 0).count();
  }

  private static double[] toDoubles(INDArray a) {
    return a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
  }

  @Test
  void scheduleIsPolynomialDecayComputedByHand() {
    ModelSettings.Pruning p = new ModelSettings.Pruning(0.9, 0.5, 100, 1100, 3, 10);
    // s(t) = s_f + (s_i - s_f) (1 - (t - t0)/(t1 - t0))^3, by hand:
    assertThat(p.sparsityAt(100)).isCloseTo(0.5, within(1e-12));
    assertThat(p.sparsityAt(350)).isCloseTo(0.9 - 0.4 * 0.75 * 0.75 * 0.75, within(1e-12));
    assertThat(p.sparsityAt(600)).isCloseTo(0.85, within(1e-12)); // 0.9 - 0.4 / 8
    assertThat(p.sparsityAt(1000)).isCloseTo(0.9 - 0.4 * 0.001, within(1e-12));
    assertThat(p.sparsityAt(1100)).isEqualTo(0.9);
    assertThat(p.sparsityAt(40)).isCloseTo(0.5, within(1e-12)); // before: clipped to s_i
    assertThat(p.sparsityAt(5000)).isEqualTo(0.9); // after: s_f
    // Pruning steps: every 10 steps from begin, within [begin, end]...
    assertThat(p.prunesAt(99)).isFalse();
    assertThat(p.prunesAt(100)).isTrue();
    assertThat(p.prunesAt(105)).isFalse();
    assertThat(p.prunesAt(110)).isTrue();
    assertThat(p.prunesAt(1100)).isTrue();
    assertThat(p.prunesAt(1110)).isFalse();
    // ...and at end-step even when end - begin is no multiple of the frequency.
    ModelSettings.Pruning q = new ModelSettings.Pruning(0.8, 0.0, 0, 25, 2, 10);
    assertThat(q.prunesAt(20)).isTrue();
    assertThat(q.prunesAt(25)).isTrue();
    assertThat(q.prunesAt(30)).isFalse();
    assertThat(q.sparsityAt(5)).isCloseTo(0.8 - 0.8 * 0.8 * 0.8, within(1e-12));
  }

  @Test
  void magnitudeMaskPrunesExactlyTheSmallestEntries() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] w = new float[7 * 13];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Networks.gaussian(rng);
    }
    w[5] = 0.25f; // a tie at the threshold, broken by index
    w[6] = -0.25f;
    INDArray a = Nd4j.create(w, new long[] {7, 13}, 'c');
    for (double s : new double[] {0.0, 0.3, 0.5, 0.9}) {
      double[] mask = toDoubles(BaseModelTrainer.Pruner.magnitudeMask(a, s));
      long pruned = Math.round(w.length * s);
      assertThat(Arrays.stream(mask).filter(v -> v == 0).count()).isEqualTo(pruned);
      double maxPruned = 0;
      double minKept = Double.MAX_VALUE;
      for (int i = 0; i < w.length; i++) {
        if (mask[i] == 0) {
          maxPruned = Math.max(maxPruned, Math.abs(w[i]));
        } else {
          minKept = Math.min(minKept, Math.abs(w[i]));
        }
      }
      assertThat(maxPruned).isLessThanOrEqualTo(minKept);
    }
  }

  @Test
  void prunedModelEndsAtTheTargetSparsityOfEveryMatrixAndStaysThere() throws IOException {
    // 384 examples / 32 = 12 steps per epoch, 60 in all; the schedule ends at step 30, then 29
    // more steps train with the mask fixed.
    Settings s =
        settings(
            TASK
                + "model.pruning { sparsity = 0.75, initial-sparsity = 0.25,"
                + " begin-step = 6, end-step = 30, frequency = 4 }\n");
    Task task = Tasks.create(s);
    BaseModelTrainer.Trained t = BaseModelTrainer.train(task, s.model(), s.seed());
    MultiLayerNetwork net = (MultiLayerNetwork) t.net().model();
    for (String name : List.of("0_W", "1_W", "2_W")) {
      INDArray w = net.getParam(name);
      assertThat(zeros(w)).as(name).isEqualTo(Math.round(w.length() * 0.75));
    }
    for (String name : List.of("0_b", "1_b", "2_b")) {
      assertThat(zeros(net.getParam(name))).as(name).isLessThan(net.getParam(name).length() / 2);
    }
    // The plain architecture is stored.
    assertThat(net.getLayerWiseConfigurations().getConf(1).getLayer().getIDropout()).isNull();

    // Stepwise: the zeros after the last pruning step are the zeros after further updates.
    MultiLayerNetwork n2 = BaseModelTrainer.build(task, s.model(), new SplittableRandom(1));
    BaseModelTrainer.Pruner pruner =
        new BaseModelTrainer.Pruner(n2, s.model().training().pruning());
    List<DataSet> batches = new ArrayList<>();
    BaseModelTrainer.forEachBatch(task.trainSplit(), 32, new SplittableRandom(2), batches::add);
    pruner.beforeStep(6);
    assertThat(zeros(n2.getParam("1_W"))).isEqualTo(Math.round(24 * 20 * 0.25));
    pruner.beforeStep(30);
    double[] atEnd = toDoubles(n2.getParam("1_W"));
    assertThat(Arrays.stream(atEnd).filter(v -> v == 0).count())
        .isEqualTo(Math.round(24 * 20 * 0.75));
    for (DataSet b : batches) {
      pruner.beforeStep(31); // past the schedule: no new mask; the last one stays applied
      n2.fit(b);
      pruner.afterStep();
    }
    double[] after = toDoubles(n2.getParam("1_W"));
    int moved = 0;
    for (int i = 0; i < after.length; i++) {
      assertThat(after[i] == 0).as("entry " + i).isEqualTo(atEnd[i] == 0);
      moved += after[i] != atEnd[i] ? 1 : 0;
    }
    assertThat(moved).isGreaterThan(after.length / 10); // the kept weights did train
  }

  /**
   * One Adam step on a batch whose input 0 is always 0: the cross-entropy gradient of every weight
   * out of input 0 is exactly 0, so those weights move by the penalty's gradient g alone, through
   * DL4J's Adam at step 1: delta = -lr * g / (|g| + eps / sqrt(1 - beta2)).
   */
  private static void oneStepAgainstHand(
      ModelSettings.Training t, java.util.function.DoubleUnaryOperator gradient) {
    double lr = 0.01;
    MultiLayerNetwork net =
        Networks.mlp(6, List.of(5), 3, "relu", lr, DataType.FLOAT, new SplittableRandom(7), t);
    MultiLayerNetwork plain =
        Networks.mlp(6, List.of(5), 3, "relu", lr, DataType.FLOAT, new SplittableRandom(7));
    SplittableRandom rng = new SplittableRandom(8);
    float[] x = new float[4 * 6];
    float[] y = new float[4 * 3];
    for (int r = 0; r < 4; r++) {
      for (int c = 1; c < 6; c++) {
        x[r * 6 + c] = (float) rng.nextDouble();
      }
      y[r * 3 + r % 3] = 1f;
    }
    DataSet batch =
        new DataSet(Nd4j.create(x, new long[] {4, 6}, 'c'), Nd4j.create(y, new long[] {4, 3}, 'c'));
    INDArray w0 = net.getParam("0_W").dup();
    net.fit(batch);
    plain.fit(batch);
    double eps = 1e-8 / Math.sqrt(1 - 0.999);
    for (int j = 0; j < 5; j++) {
      double w = w0.getDouble(0, j);
      double g = gradient.applyAsDouble(w);
      double expected = w - lr * g / (Math.abs(g) + eps);
      assertThat(net.getParam("0_W").getDouble(0, j))
          .as("W[0, %d]", j)
          .isCloseTo(expected, within(2e-4 * lr));
      // without the penalty the same weight does not move at all
      assertThat(plain.getParam("0_W").getDouble(0, j)).isEqualTo(w0.getDouble(0, j));
    }
    // Biases are not penalised: their step is the plain network's, bit for bit.
    assertThat(toDoubles(net.getParam("0_b"))).containsExactly(toDoubles(plain.getParam("0_b")));
    assertThat(toDoubles(net.getParam("1_b"))).containsExactly(toDoubles(plain.getParam("1_b")));
  }

  @Test
  void l2AddsL2TimesTheSumOfSquaredWeightsToTheLoss() {
    // He std of 6 inputs = 0.58: 2 * l2 * |w| is of the order of eps', so the step depends on l2.
    double l2 = 3e-7;
    oneStepAgainstHand(new ModelSettings.Training(0, 0, l2, null), w -> 2 * l2 * w);
  }

  @Test
  void l1AddsL1TimesTheSumOfAbsoluteWeightsToTheLoss() {
    double l1 = 2e-7;
    oneStepAgainstHand(new ModelSettings.Training(0, l1, 0, null), w -> l1 * Math.signum(w));
  }

  @Test
  void dropoutTrainsReproduciblyPerSeedAndIsOffAtEvaluation() throws IOException {
    Settings s = settings(TASK + "model.dropout = 0.5\n");
    Task task = Tasks.create(s);
    float[] a = ParamBridge.toFloats(BaseModelTrainer.train(task, s.model(), 0).net().params());
    float[] b = ParamBridge.toFloats(BaseModelTrainer.train(task, s.model(), 0).net().params());
    assertThat(b).containsExactly(a);
    Settings off = settings(TASK);
    float[] plain =
        ParamBridge.toFloats(
            BaseModelTrainer.train(Tasks.create(off), off.model(), 0).net().params());
    assertThat(plain).isNotEqualTo(a); // dropout did change training
    // The network trained has dropout on the inputs of layers 1 and 2 (the hidden layers'
    // outputs), not on the network's input; retain probability 1 - rate.
    MultiLayerNetwork train =
        BaseModelTrainer.build(task, s.model(), new SplittableRandom(1), s.model().training());
    assertThat(train.getLayerWiseConfigurations().getConf(0).getLayer().getIDropout()).isNull();
    for (int l = 1; l <= 2; l++) {
      org.deeplearning4j.nn.conf.dropout.Dropout d =
          (org.deeplearning4j.nn.conf.dropout.Dropout)
              train.getLayerWiseConfigurations().getConf(l).getLayer().getIDropout();
      assertThat(d.getP()).isEqualTo(0.5);
    }
    // At evaluation no unit is dropped: the dropout network's outputs equal the plain one's
    // with the same parameters, and repeat exactly.
    MultiLayerNetwork plainNet = BaseModelTrainer.build(task, s.model(), new SplittableRandom(1));
    INDArray x = Nd4j.rand(DataType.FLOAT, 16, task.inputSize());
    INDArray o1 = train.output(x, false);
    assertThat(toDoubles(train.output(x, false))).containsExactly(toDoubles(o1));
    assertThat(toDoubles(plainNet.output(x, false))).containsExactly(toDoubles(o1));
  }

  @Test
  void defaultsLeaveTheFingerprintAndOptionsEnterItOnlyWhenSet() throws IOException {
    String fp = settings(TASK).modelFingerprint();
    assertThat(
            settings(
                    TASK
                        + "model { dropout = 0, l1 = 0.0, l2 = 0,"
                        + " pruning { sparsity = 0, frequency = 7 } }\n")
                .modelFingerprint())
        .isEqualTo(fp);
    List<String> fps = new ArrayList<>();
    for (String opt :
        List.of(
            "model.dropout = 0.5",
            "model.l1 = 1e-5",
            "model.l2 = 1e-5",
            "model.pruning { sparsity = 0.5, end-step = 10 }",
            "model.pruning { sparsity = 0.5, end-step = 10, frequency = 7 }")) {
      fps.add(settings(TASK + opt + "\n").modelFingerprint());
    }
    assertThat(fps).doesNotContain(fp).doesNotHaveDuplicates();
  }

  @Test
  void badValuesStopWithOneMessageNamingTheKey() throws IOException {
    assertThatThrownBy(() -> settings("model.dropout = 1"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot set model.dropout to 1: must be a number in [0, 1)");
    assertThatThrownBy(() -> settings("model.l2 = -1e-4"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Cannot set model.l2 to -1.0E-4: must be a number in [0.0, 1.0].");
    assertThatThrownBy(() -> settings("model.pruning.sparsity = 1.0"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "Cannot set model.pruning.sparsity to 1: must be a number in" + " [0, 1)");
    assertThatThrownBy(
            () -> settings("model.pruning { sparsity = 0.5, begin-step = 10," + " end-step = 10 }"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set model.pruning.end-step to 10: must be greater than"
                + " model.pruning.begin-step (10).");
    assertThatThrownBy(
            () ->
                settings(
                    "model.pruning { sparsity = 0.5, initial-sparsity = 0.6," + " end-step = 10 }"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "Cannot set model.pruning.initial-sparsity to 0.6: must be at"
                + " most model.pruning.sparsity (0.5)");
    assertThatThrownBy(
            () -> settings("model.pruning { sparsity = 0.5, end-step = 10," + " frequency = 0 }"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot set model.pruning.frequency to 0: must be an integer");
    assertThatThrownBy(() -> settings("model.dropout = 0.5\nmodel.trainer = spark"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot set model.dropout to 0.5: the training options");
    assertThatThrownBy(() -> settings("model.l1 = 1e-5\nmodel.import = \"m.zip\""))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot set model.l1 to 1.0E-5: an imported model");
    // A schedule past the end of training is refused before training.
    Settings s = settings(TASK + "model.pruning { sparsity = 0.5, end-step = 60 }\n");
    assertThatThrownBy(() -> BaseModelTrainer.train(Tasks.create(s), s.model(), 0))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set model.pruning.end-step to 60: training has only 60 steps"
                + " (5 epochs x 12 minibatches of 32 of the 384 training examples), the last one 59;"
                + " the schedule must end within training.");
  }
}
