package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * Settings of the base model trained with DL4J on all subtasks: an MLP, or a CNN when
 * {@code conv} names convolution blocks (each convolution + 2×2 max-pooling) before the dense
 * layers. {@code seeds} are the base-model seeds: one base model is trained per seed, and the
 * sweep runs on each.
 */
public record ModelSettings(
    List<Integer> hidden, String activation, int epochs, int batchSize, double learningRate,
    List<Integer> conv, int kernel, String importPath, String trainer, int averagingFrequency,
    List<Long> seeds) {

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
        modelSeeds(c));
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
