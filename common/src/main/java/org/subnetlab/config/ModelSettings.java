package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * Settings of the base model trained with DL4J on all subtasks: an MLP, or a CNN when {@code conv}
 * names convolution blocks (each convolution + 2×2 max-pooling) before the dense layers. {@code
 * seeds} are the base-model seeds: one base model is trained per seed, and the sweep runs on each.
 */
public record ModelSettings(
    List<Integer> hidden,
    String activation,
    int epochs,
    int batchSize,
    double learningRate,
    List<Integer> conv,
    int kernel,
    String importPath,
    String trainer,
    int averagingFrequency,
    List<Long> seeds,
    Training training) {

  /**
   * The base model's training options beyond Adam on the cross-entropy (issue 27: the factors the
   * clusterability literature varies). All off by default: {@link Training#OFF}.
   *
   * @param dropout rate (probability of dropping) on the outputs of every hidden dense layer
   * @param l1 coefficient of {@code l1 * sum |w|} added to the batch-mean loss, weights only
   * @param l2 coefficient of {@code l2 * sum w^2} added to the batch-mean loss (Keras' convention;
   *     DL4J's own {@code l2} is half of it), weights only
   * @param pruning magnitude pruning per weight matrix on a polynomial schedule, or null (off)
   */
  public record Training(double dropout, double l1, double l2, Pruning pruning) {
    public static final Training OFF = new Training(0, 0, 0, null);

    public boolean isOff() {
      return dropout == 0 && l1 == 0 && l2 == 0 && pruning == null;
    }
  }

  /**
   * tensorflow-model-optimization's {@code PolynomialDecay}: at training step t (minibatches from 0
   * over all epochs) in [begin, end], every {@code frequency} steps from begin (and at end), each
   * weight matrix's smallest-|w| entries are pruned to sparsity s(t) = s_f + (s_i - s_f) (1 - (t -
   * begin)/(end - begin))^power; pruned weights stay zero.
   */
  public record Pruning(
      double sparsity,
      double initialSparsity,
      long beginStep,
      long endStep,
      double power,
      int frequency) {

    /** The target sparsity at step {@code t} (the schedule, whether or not t is a pruning step). */
    public double sparsityAt(long t) {
      double p = Math.min(1.0, Math.max(0.0, (double) (t - beginStep) / (endStep - beginStep)));
      return sparsity + (initialSparsity - sparsity) * Math.pow(1 - p, power);
    }

    /** Whether the masks are recomputed before step {@code t}. */
    public boolean prunesAt(long t) {
      return t >= beginStep && t <= endStep && ((t - beginStep) % frequency == 0 || t == endStep);
    }
  }

  /** Settings without training options (as before issue 27). */
  public ModelSettings(
      List<Integer> hidden,
      String activation,
      int epochs,
      int batchSize,
      double learningRate,
      List<Integer> conv,
      int kernel,
      String importPath,
      String trainer,
      int averagingFrequency,
      List<Long> seeds) {
    this(
        hidden,
        activation,
        epochs,
        batchSize,
        learningRate,
        conv,
        kernel,
        importPath,
        trainer,
        averagingFrequency,
        seeds,
        Training.OFF);
  }

  public static final List<String> ACTIVATIONS = List.of("relu", "tanh", "sigmoid");
  public static final List<String> TRAINERS = List.of("local", "spark");

  ModelSettings(Config c) {
    this(
        hiddenWidths(c),
        Keys.oneOf(c, "model.activation", ACTIVATIONS),
        Keys.intIn(c, "model.epochs", 1, 100_000),
        Keys.intIn(c, "model.batch-size", 1, 65_536),
        Keys.doubleIn(c, "model.learning-rate", 0.0, true, 1.0),
        widths(c, "model.conv"),
        Keys.intIn(c, "model.kernel", 1, 15),
        c.getString("model.import"),
        Keys.oneOf(c, "model.trainer", TRAINERS),
        Keys.intIn(c, "model.spark-training.averaging-frequency", 1, 1000),
        modelSeeds(c),
        training(c));
  }

  private static Training training(Config c) {
    double dropout = Keys.doubleIn(c, "model.dropout", 0.0, false, 1.0);
    if (dropout >= 1.0) {
      throw Keys.bad(
          c,
          "model.dropout",
          "must be a number in [0, 1) (the probability of dropping"
              + " a hidden unit's output; 0 = no dropout)");
    }
    double l1 = Keys.doubleIn(c, "model.l1", 0.0, false, 1.0);
    double l2 = Keys.doubleIn(c, "model.l2", 0.0, false, 1.0);
    double sparsity = Keys.doubleIn(c, "model.pruning.sparsity", 0.0, false, 1.0);
    if (sparsity >= 1.0) {
      throw Keys.bad(
          c,
          "model.pruning.sparsity",
          "must be a number in [0, 1) (the fraction of"
              + " each weight matrix pruned at the end of the schedule; 0 = no pruning)");
    }
    double initial = Keys.doubleIn(c, "model.pruning.initial-sparsity", 0.0, false, 1.0);
    long begin = Keys.longIn(c, "model.pruning.begin-step", 0, Integer.MAX_VALUE);
    long end = Keys.longIn(c, "model.pruning.end-step", 0, Integer.MAX_VALUE);
    double power = Keys.doubleIn(c, "model.pruning.power", 0.0, true, 100.0);
    int frequency = Keys.intIn(c, "model.pruning.frequency", 1, Integer.MAX_VALUE);
    Pruning pruning = null;
    if (sparsity > 0) {
      if (initial > sparsity) {
        throw Keys.bad(
            c,
            "model.pruning.initial-sparsity",
            "must be at most model.pruning.sparsity"
                + " ("
                + sparsity
                + "): the schedule prunes more weights over time, never fewer");
      }
      if (end <= begin) {
        throw Keys.bad(
            c,
            "model.pruning.end-step",
            "must be greater than" + " model.pruning.begin-step (" + begin + ")");
      }
      pruning = new Pruning(sparsity, initial, begin, end, power, frequency);
    }
    return new Training(dropout, l1, l2, pruning);
  }

  /** The default base-model seeds: one model, the one subnetlab has always trained. */
  public static final List<Long> DEFAULT_SEEDS = List.of(0L);

  /** Several base models (more than the default one). */
  public boolean severalSeeds() {
    return !seeds.equals(DEFAULT_SEEDS);
  }

  private static List<Long> modelSeeds(Config c) {
    String path = "model.seeds";
    if (c.getValue(path).valueType() == com.typesafe.config.ConfigValueType.LIST) {
      List<Object> raw = new java.util.ArrayList<>();
      for (Object o : c.getList(path).unwrapped()) {
        raw.add(o instanceof Number n ? (Object) n.doubleValue() : o);
      }
      if (raw.stream().distinct().count() != raw.size()) {
        throw Keys.bad(c, path, "must be distinct (each seed trains one base model)");
      }
    }
    return Keys.longsIn(c, path, 0, Integer.MAX_VALUE, true);
  }

  /** The base model is trained on the Spark executors (DL4J parameter averaging). */
  public boolean trainsOnSpark() {
    return trainer.equals("spark");
  }

  /** The base model is a file the user brings (DL4J or Keras), not trained here. */
  public boolean isImported() {
    return !importPath.isBlank();
  }

  /** A convolutional network (the task must have image-shaped inputs). */
  public boolean isCnn() {
    return !conv.isEmpty();
  }

  private static List<Integer> hiddenWidths(Config c) {
    return widths(c, "model.hidden");
  }

  private static List<Integer> widths(Config c, String path) {
    String rule = "must be a list of integers in [1, 65536]";
    try {
      List<Integer> h = c.getIntList(path);
      if (h.stream().anyMatch(w -> w < 1 || w > 65_536)) {
        throw Keys.bad(c, path, rule);
      }
      return List.copyOf(h);
    } catch (com.typesafe.config.ConfigException.WrongType e) {
      throw Keys.bad(c, path, rule);
    }
  }
}
