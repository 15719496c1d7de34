package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.List;

/** Settings of the task block: which task, and its parameters. */
public record TaskSettings(
    String name,
    int modulus,
    List<String> operations,
    double holdoutFraction,
    int trainExamplesPerSubtask,
    int compositeModulus,
    int compositeTrainExamplesPerSubtask)
    implements java.io.Serializable {

  /** The built-in tasks. */
  public static final List<String> TASKS = List.of("arithmetic", "arithmetic-composite");

  /** The operations of the arithmetic task. */
  public static final List<String> OPERATIONS = List.of("add", "sub", "mul");

  TaskSettings(Config c) {
    this(
        Keys.oneOf(c, "task.name", TASKS),
        Keys.intIn(c, "task.arithmetic.modulus", 2, 256),
        Keys.stringsFrom(c, "task.arithmetic.operations", OPERATIONS, true),
        Keys.doubleIn(c, "task.arithmetic.holdout-fraction", 0.0, false, 0.9),
        Keys.intIn(c, "task.arithmetic.train-examples-per-subtask", 1, 10_000_000),
        Keys.intIn(c, "task.arithmetic-composite.modulus", 2, 64),
        Keys.intIn(c, "task.arithmetic-composite.train-examples-per-subtask", 1, 10_000_000));
  }
}
