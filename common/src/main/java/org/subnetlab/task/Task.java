package org.subnetlab.task;

import java.util.List;

/** A classification task made of named subtasks, with deterministic train and eval splits. */
public interface Task {
  String name();

  /** Subtask names, in a fixed order (the subtask index of each example points into it). */
  List<String> subtasks();

  int inputSize();

  int numClasses();

  /** Examples the base model and the masks are trained on. */
  Dataset trainSplit();

  /** Examples every accuracy is measured on. */
  Dataset evalSplit();
}
