package org.subnetlab.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.ModelSettings;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;

/** Trains the base MLP on all subtasks of a task, deterministically from the seed. */
public final class BaseModelTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(BaseModelTrainer.class);

  private BaseModelTrainer() {}

  /** The trained network, its initial parameters and its eval accuracy per subtask. */
  public record Trained(
      Network net, float[] initialParams, Map<String, Evaluation> evaluation) {}

  /** The base model of model seed 0 (the one trained before model seeds existed). */
  public static Trained train(Task task, ModelSettings s, long seed) {
    return train(task, s, seed, 0);
  }

  /**
   * The base model of one model seed: its initial weights and minibatch order come from
   * {@link #stream}, everything else (data, architecture, optimiser) from the settings.
   */
  public static Trained train(Task task, ModelSettings s, long seed, long modelSeed) {
    SplittableRandom rng = stream(seed, modelSeed, "model/init");
    MultiLayerNetwork net = build(task, s, rng);
    float[] initial = ParamBridge.toFloats(net.params());
    Dataset train = task.trainSplit();
    SplittableRandom order = stream(seed, modelSeed, "model/batches");
    for (int epoch = 0; epoch < s.epochs(); epoch++) {
      forEachBatch(train, s.batchSize(), order, net::fit);
      logEpoch(epoch, s.epochs(), train.size(), net.score());
    }
    return new Trained(Network.of(net), initial, evaluate(Network.of(net), task));
  }

  /**
   * A random stream of the base model of {@code modelSeed} under the global {@code seed}: the
   * base model's streams are the only ones a model seed changes. Model seed 0 gets the streams
   * that the base model always had ({@code model/init}, {@code model/batches}), so its weights
   * are bit for bit those of outputs written before model seeds existed; model seed n > 0 gets
   * {@code <purpose>/model-seed-<n>}.
   */
  public static SplittableRandom stream(long seed, long modelSeed, String purpose) {
    return Seeds.stream(seed, modelSeed == 0 ? purpose : purpose + "/model-seed-" + modelSeed);
  }

  /**
   * One epoch of minibatches of {@code train}, in the order of a fresh seeded permutation drawn
   * from {@code order}, each handed to {@code fit} (one-hot labels, float features).
   */
  public static void forEachBatch(
      Dataset train, int batchSize, SplittableRandom order, java.util.function.Consumer<DataSet> fit) {
    int d = train.inputSize();
    int c = train.numClasses();
    int[] perm = Seeds.permutation(train.size(), order);
    for (int start = 0; start < perm.length; start += batchSize) {
      int n = Math.min(batchSize, perm.length - start);
      float[] x = new float[n * d];
      float[] y = new float[n * c];
      for (int k = 0; k < n; k++) {
        int r = perm[start + k];
        train.copyFeatures(r, x, k * d);
        y[k * c + train.label(r)] = 1f;
      }
      INDArray fx = Nd4j.create(x, new long[] {n, d}, 'c');
      INDArray fy = Nd4j.create(y, new long[] {n, c}, 'c');
      fit.accept(new DataSet(fx, fy));
    }
  }

  /** Logs the loss every epoch on real datasets (long epochs), every tenth on small tasks. */
  public static void logEpoch(int epoch, int epochs, int examples, double loss) {
    if (examples >= 10_000 || (epoch + 1) % 10 == 0 || epoch + 1 == epochs) {
      LOG.info("base model epoch {}/{}: loss {}", epoch + 1, epochs, String.format("%.4f", loss));
    }
  }

  /**
   * A model the user brings, evaluated like a trained one. Its "initial" parameters are its own
   * (it has no recorded initialisation): methods that rewind to initial weights are refused for
   * imported models by the settings.
   */
  public static Trained imported(Network net, Task task) {
    return new Trained(net, ParamBridge.toFloats(net.params()), evaluate(net, task));
  }

  /** The untrained network of these settings for this task: an MLP, or a CNN on images. */
  public static MultiLayerNetwork build(Task task, ModelSettings s, SplittableRandom rng) {
    if (!s.isCnn()) {
      return Networks.mlp(task.inputSize(), s.hidden(), task.numClasses(), s.activation(),
          s.learningRate(), DataType.FLOAT, rng);
    }
    int[] shape = task.inputShape();
    if (shape.length != 2) {
      throw new org.subnetlab.config.BadInputException("Cannot set model.conv to " + s.conv()
          + ": a CNN needs single-channel images (height x width), and task " + task.name()
          + " has inputs of shape " + java.util.Arrays.toString(shape) + ".");
    }
    return Networks.cnn(shape[0], shape[1], s.conv(), s.kernel(), s.hidden(),
        task.numClasses(), s.activation(), s.learningRate(), DataType.FLOAT, rng);
  }

  /** Eval accuracy of {@code net} per subtask and on the whole eval split ({@code ALL}). */
  public static Map<String, Evaluation> evaluate(Network net, Task task) {
    EvalSets sets = EvalSets.of(task, true);
    Evaluation[] r = sets.evaluate(new Dl4jObjective(net), ParamBridge.toFloats(net.params()));
    Map<String, Evaluation> out = new LinkedHashMap<>();
    for (int i = 0; i < r.length; i++) {
      out.put(sets.names().get(i), r[i]);
    }
    return out;
  }
}
