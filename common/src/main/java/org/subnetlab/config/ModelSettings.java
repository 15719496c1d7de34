package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.List;

/** Settings of the base model (an MLP trained with DL4J on all subtasks). */
public record ModelSettings(
    List<Integer> hidden, String activation, int epochs, int batchSize, double learningRate) {

  public static final List<String> ACTIVATIONS = List.of("relu", "tanh", "sigmoid");

  ModelSettings(Config c) {
    this(
        hiddenWidths(c),
        Keys.oneOf(c, "model.activation", ACTIVATIONS),
        Keys.intIn(c, "model.epochs", 1, 100_000),
        Keys.intIn(c, "model.batch-size", 1, 65_536),
        Keys.doubleIn(c, "model.learning-rate", 0.0, true, 1.0));
  }

  private static List<Integer> hiddenWidths(Config c) {
    String rule = "must be a list of integers in [1, 65536]";
    try {
      List<Integer> h = c.getIntList("model.hidden");
      if (h.stream().anyMatch(w -> w < 1 || w > 65_536)) {
        throw Keys.bad(c, "model.hidden", rule);
      }
      return List.copyOf(h);
    } catch (com.typesafe.config.ConfigException.WrongType e) {
      throw Keys.bad(c, "model.hidden", rule);
    }
  }
}
