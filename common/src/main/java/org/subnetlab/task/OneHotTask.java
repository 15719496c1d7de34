package org.subnetlab.task;

import java.util.List;

/**
 * A task over a finite table of integer fields, each encoded one-hot and concatenated in order
 * (field i takes values in [0, fieldSizes[i])). Subclasses build the train and eval examples as
 * {@code {field values..., subtask index}} and say how each is labelled.
 */
abstract class OneHotTask implements Task {
  private final String name;
  private final List<String> subtasks;
  private final int[] fieldSizes;
  private final int classes;
  private Dataset train;
  private Dataset eval;

  OneHotTask(String name, List<String> subtasks, int[] fieldSizes, int classes) {
    this.name = name;
    this.subtasks = List.copyOf(subtasks);
    this.fieldSizes = fieldSizes.clone();
    this.classes = classes;
  }

  /** The class of an example (its field values, then its subtask index). */
  abstract int label(int[] example);

  /** Encodes and stores both splits; subclasses call it once from their constructor. */
  final void splits(List<int[]> trainExamples, List<int[]> evalExamples) {
    this.train = encode(trainExamples);
    this.eval = encode(evalExamples);
  }

  private Dataset encode(List<int[]> examples) {
    int d = inputSize();
    float[] f = new float[examples.size() * d];
    int[] labels = new int[examples.size()];
    int[] sub = new int[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      int[] e = examples.get(i);
      int off = 0;
      for (int k = 0; k < fieldSizes.length; k++) {
        f[i * d + off + e[k]] = 1f;
        off += fieldSizes[k];
      }
      labels[i] = label(e);
      sub[i] = e[fieldSizes.length];
    }
    return new Dataset(d, classes, f, labels, sub, subtasks);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> subtasks() {
    return subtasks;
  }

  @Override
  public int inputSize() {
    int d = 0;
    for (int s : fieldSizes) {
      d += s;
    }
    return d;
  }

  @Override
  public int numClasses() {
    return classes;
  }

  @Override
  public Dataset trainSplit() {
    return train;
  }

  @Override
  public Dataset evalSplit() {
    return eval;
  }
}
