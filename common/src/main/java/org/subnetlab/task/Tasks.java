package org.subnetlab.task;

import org.subnetlab.config.Settings;
import org.subnetlab.config.TaskSettings;

/** Builds the configured task. */
public final class Tasks {
  private Tasks() {}

  public static Task create(Settings s) {
    return s.isTransformer() ? tokens(s.task(), s.seed()) : create(s.task(), s.seed());
  }

  /**
   * The task of these settings as token sequences, for {@code model.kind = transformer} (what
   * executors rebuild from plain, serialisable values): arithmetic as text, the agreement grammar.
   */
  public static Task tokens(TaskSettings t, long seed) {
    return switch (t.name()) {
      case "arithmetic" -> new ArithmeticTextTask(t, seed);
      case "agreement" -> new AgreementTask(t.agreement(), seed);
      case "sequences" ->
          throw new IllegalStateException(
              "sequences tasks are read through Spark on the driver"
                  + " (org.subnetlab.jobs.spark.SparkTasks)");
      default -> throw new IllegalStateException("No token-sequence form of task " + t.name());
    };
  }

  /** The task of these settings (what executors rebuild from plain, serialisable values). */
  public static Task create(TaskSettings t, long seed) {
    return switch (t.name()) {
      case "arithmetic" -> new ArithmeticTask(t, seed);
      case "arithmetic-composite" -> new CompositeArithmeticTask(t, seed);
      case "images" -> new ImageClassTask(t, seed);
      case "agreement" -> new AgreementTask(t.agreement(), seed);
      case "table", "sequences" ->
          throw new IllegalStateException(
              t.name()
                  + " tasks are read through Spark on the driver"
                  + " (org.subnetlab.jobs.spark.SparkTasks)");
      default -> throw new IllegalStateException("Unknown task " + t.name());
    };
  }
}
