package org.subnetlab.task;

import java.util.List;

/** A classification task made of named subtasks, with deterministic train and eval splits. */
public interface Task {
  String name();

  /** Subtask names, in a fixed order (the subtask index of each example points into it). */
  List<String> subtasks();

  int inputSize();

  /** The shape of one input: [size] for vectors, [height, width] for images. */
  default int[] inputShape() {
    return new int[] {inputSize()};
  }

  int numClasses();

  /** Examples the base model and the masks are trained on. */
  Dataset trainSplit();

  /** Examples every accuracy is measured on. */
  Dataset evalSplit();

  /** The examples a subtask's mask is trained on. */
  default Dataset trainExamples(String subtask) {
    return trainSplit().subtask(subtask);
  }

  /**
   * The example sets accuracies are reported on (the {@code eval_subtask} of the tables): by
   * default the subtasks; tasks whose subtasks overlap or group classes add per-class sets.
   */
  default List<String> evalSubtasks() {
    return subtasks();
  }

  /** The eval examples of one of {@link #evalSubtasks()}. */
  default Dataset evalExamples(String evalSubtask) {
    return evalSplit().subtask(evalSubtask);
  }
}
