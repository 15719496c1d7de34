package org.subnetlab.task;

import org.subnetlab.config.Settings;

/** Builds the configured task. */
public final class Tasks {
  private Tasks() {}

  public static Task create(Settings s) {
    return switch (s.task().name()) {
      case "arithmetic" -> new ArithmeticTask(s.task(), s.seed());
      default -> throw new IllegalStateException("Unknown task " + s.task().name());
    };
  }
}
