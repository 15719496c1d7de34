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
  public record Trained(Network net, float[] initialParams, Map<String, Evaluation> evaluation) {}

  /** The base model of model seed 0 (the one trained before model seeds existed). */
  public static Trained train(Task task, ModelSettings s, long seed) {
    return train(task, s, seed, 0);
  }

  /**
   * The base model of one model seed: its initial weights and minibatch order come from {@link
   * #stream}, everything else (data, architecture, optimiser) from the settings.
   */
  public static Trained train(Task task, ModelSettings s, long seed, long modelSeed) {
    ModelSettings.Training options = s.training();
    if (!options.isOff()) {
      return trainWithOptions(task, s, seed, modelSeed, options);
    }
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
   * Training with dropout, L1/L2 and/or magnitude pruning ({@code model.dropout}, {@code model.l1},
   * {@code model.l2}, {@code model.pruning}). The same initial weights and minibatch order as
   * without them; dropout's masks come from ND4J's generator seeded from the stream {@code
   * model/dropout}. The result is copied into the plain network of the same architecture (no
   * dropout, no penalties in its configuration), so everything downstream sees a base model like
   * any other; pruned weights are exact zeros in it.
   */
  private static Trained trainWithOptions(
      Task task, ModelSettings s, long seed, long modelSeed, ModelSettings.Training options) {
    Dataset train = task.trainSplit();
    long stepsPerEpoch = (train.size() + s.batchSize() - 1) / s.batchSize();
    long steps = stepsPerEpoch * s.epochs();
    ModelSettings.Pruning pruning = options.pruning();
    if (pruning != null && pruning.endStep() >= steps) {
      throw new org.subnetlab.config.BadInputException(
          "Cannot set model.pruning.end-step to "
              + pruning.endStep()
              + ": training has only "
              + steps
              + " steps ("
              + s.epochs()
              + " epochs x "
              + stepsPerEpoch
              + " minibatches of "
              + s.batchSize()
              + " of the "
              + train.size()
              + " training examples), the last one "
              + (steps - 1)
              + "; the schedule must end within training.");
    }
    MultiLayerNetwork net = build(task, s, stream(seed, modelSeed, "model/init"), options);
    float[] initial = ParamBridge.toFloats(net.params());
    if (options.dropout() > 0) {
      Nd4j.getRandom().setSeed(stream(seed, modelSeed, "model/dropout").nextLong());
    }
    Pruner pruner = pruning == null ? null : new Pruner(net, pruning);
    SplittableRandom order = stream(seed, modelSeed, "model/batches");
    long[] step = {0};
    for (int epoch = 0; epoch < s.epochs(); epoch++) {
      forEachBatch(
          train,
          s.batchSize(),
          order,
          batch -> {
            if (pruner != null) {
              pruner.beforeStep(step[0]);
            }
            net.fit(batch);
            if (pruner != null) {
              pruner.afterStep();
            }
            step[0]++;
          });
      logEpoch(epoch, s.epochs(), train.size(), net.score());
      if (pruner != null) {
        LOG.info(
            "base model epoch {}/{}: sparsity per weight matrix {}",
            epoch + 1,
            s.epochs(),
            pruner.describe());
      }
    }
    MultiLayerNetwork plain = build(task, s, new SplittableRandom(0));
    plain.setParams(net.params().dup());
    Network result = Network.of(plain);
    return new Trained(result, initial, evaluate(result, task));
  }

  /**
   * Magnitude pruning of every weight array ({@code *_W}) on its own, on the schedule of {@link
   * ModelSettings.Pruning}: before a pruning step the mask keeps the n - round(n * s(t)) entries of
   * largest |w| (ties: the lower index is pruned first), so exactly round(n * s(t)) entries are
   * zero; after every update the pruned entries are set back to zero.
   */
  public static final class Pruner {
    private final MultiLayerNetwork net;
    private final ModelSettings.Pruning schedule;
    private final java.util.List<String> names = new java.util.ArrayList<>();
    private final java.util.List<INDArray> masks = new java.util.ArrayList<>();

    public Pruner(MultiLayerNetwork net, ModelSettings.Pruning schedule) {
      this.net = net;
      this.schedule = schedule;
      for (String name : net.paramTable().keySet()) {
        if (name.endsWith("_W")) {
          names.add(name);
          masks.add(null);
        }
      }
    }

    /**
     * Recomputes the masks if {@code t} is a pruning step, and applies them (between pruning steps
     * the weights are already masked by the last {@link #afterStep()}).
     */
    public void beforeStep(long t) {
      if (schedule.prunesAt(t)) {
        double s = schedule.sparsityAt(t);
        for (int i = 0; i < names.size(); i++) {
          masks.set(i, magnitudeMask(net.getParam(names.get(i)), s));
        }
        afterStep();
      }
    }

    /** Sets the pruned weights to zero (after an update moved them). */
    public void afterStep() {
      for (int i = 0; i < names.size(); i++) {
        if (masks.get(i) != null) {
          net.getParam(names.get(i)).muli(masks.get(i));
        }
      }
    }

    /** Zeros per weight array, e.g. {@code 0_W 0.900}. */
    public String describe() {
      StringBuilder b = new StringBuilder();
      for (String name : names) {
        float[] w = net.getParam(name).dup('c').data().asFloat();
        long zeros = 0;
        for (float v : w) {
          zeros += v == 0f ? 1 : 0;
        }
        b.append(b.length() == 0 ? "" : ", ")
            .append(name)
            .append(' ')
            .append(String.format(java.util.Locale.ROOT, "%.3f", zeros / (double) w.length));
      }
      return b.toString();
    }

    /**
     * A 0/1 mask of {@code w}'s shape with exactly round(n * sparsity) zeros at the smallest |w|.
     */
    static INDArray magnitudeMask(INDArray w, double sparsity) {
      float[] a = w.dup('c').data().asFloat();
      int n = a.length;
      int pruned = (int) Math.round(n * sparsity);
      float[] m = new float[n];
      java.util.Arrays.fill(m, 1f);
      if (pruned > 0) {
        float[] abs = new float[n];
        for (int i = 0; i < n; i++) {
          abs[i] = Math.abs(a[i]);
        }
        float[] sorted = abs.clone();
        java.util.Arrays.sort(sorted);
        float threshold = sorted[pruned - 1];
        int below = 0;
        for (float v : abs) {
          below += v < threshold ? 1 : 0;
        }
        int atThreshold = pruned - below;
        for (int i = 0; i < n; i++) {
          if (abs[i] < threshold) {
            m[i] = 0f;
          } else if (abs[i] == threshold && atThreshold > 0) {
            m[i] = 0f;
            atThreshold--;
          }
        }
      }
      return Nd4j.create(m, w.shape(), 'c').castTo(w.dataType());
    }
  }

  /**
   * A random stream of the base model of {@code modelSeed} under the global {@code seed}: the base
   * model's streams are the only ones a model seed changes. Model seed 0 gets the streams that the
   * base model always had ({@code model/init}, {@code model/batches}), so its weights are bit for
   * bit those of outputs written before model seeds existed; model seed n > 0 gets {@code
   * <purpose>/model-seed-<n>}.
   */
  public static SplittableRandom stream(long seed, long modelSeed, String purpose) {
    return Seeds.stream(seed, modelSeed == 0 ? purpose : purpose + "/model-seed-" + modelSeed);
  }

  /**
   * One epoch of minibatches of {@code train}, in the order of a fresh seeded permutation drawn
   * from {@code order}, each handed to {@code fit} (one-hot labels, float features).
   */
  public static void forEachBatch(
      Dataset train,
      int batchSize,
      SplittableRandom order,
      java.util.function.Consumer<DataSet> fit) {
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
   * A model the user brings, evaluated like a trained one. Its "initial" parameters are its own (it
   * has no recorded initialisation): methods that rewind to initial weights are refused for
   * imported models by the settings.
   */
  public static Trained imported(Network net, Task task) {
    return new Trained(net, ParamBridge.toFloats(net.params()), evaluate(net, task));
  }

  /** The untrained network of these settings for this task: an MLP, or a CNN on images. */
  public static MultiLayerNetwork build(Task task, ModelSettings s, SplittableRandom rng) {
    return build(task, s, rng, ModelSettings.Training.OFF);
  }

  /**
   * The untrained network with the training options {@code t} in its DL4J configuration (dropout,
   * L1/L2); the same initial weights as {@link #build(Task, ModelSettings, SplittableRandom)}.
   */
  public static MultiLayerNetwork build(
      Task task, ModelSettings s, SplittableRandom rng, ModelSettings.Training t) {
    if (!s.isCnn()) {
      return Networks.mlp(
          task.inputSize(),
          s.hidden(),
          task.numClasses(),
          s.activation(),
          s.learningRate(),
          DataType.FLOAT,
          rng,
          t);
    }
    int[] shape = task.inputShape();
    if (shape.length != 2) {
      throw new org.subnetlab.config.BadInputException(
          "Cannot set model.conv to "
              + s.conv()
              + ": a CNN needs single-channel images (height x width), and task "
              + task.name()
              + " has inputs of shape "
              + java.util.Arrays.toString(shape)
              + ".");
    }
    return Networks.cnn(
        shape[0],
        shape[1],
        s.conv(),
        s.kernel(),
        s.hidden(),
        task.numClasses(),
        s.activation(),
        s.learningRate(),
        DataType.FLOAT,
        rng,
        t);
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
