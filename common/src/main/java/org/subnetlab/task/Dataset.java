package org.subnetlab.task;

import java.util.Arrays;
import java.util.List;

/**
 * Examples held in flat arrays: {@code features} row-major (n × inputSize), a class label and a
 * subtask index per example. Immutable by convention; arrays are shared, not copied.
 */
public final class Dataset {
  private final int inputSize;
  private final int numClasses;
  private final float[] features;
  private final int[] labels;
  private final int[] subtasks;
  private final List<String> subtaskNames;

  public Dataset(
      int inputSize,
      int numClasses,
      float[] features,
      int[] labels,
      int[] subtasks,
      List<String> subtaskNames) {
    if (features.length != (long) labels.length * inputSize || labels.length != subtasks.length) {
      throw new IllegalArgumentException(
          "features, labels and subtasks disagree on the number of examples");
    }
    this.inputSize = inputSize;
    this.numClasses = numClasses;
    this.features = features;
    this.labels = labels;
    this.subtasks = subtasks;
    this.subtaskNames = List.copyOf(subtaskNames);
  }

  public int size() {
    return labels.length;
  }

  public int inputSize() {
    return inputSize;
  }

  public int numClasses() {
    return numClasses;
  }

  public float[] features() {
    return features;
  }

  public int[] labels() {
    return labels;
  }

  public int[] subtasks() {
    return subtasks;
  }

  public List<String> subtaskNames() {
    return subtaskNames;
  }

  /** Index of the named subtask; fails naming the known ones. */
  public int subtaskIndex(String name) {
    int i = subtaskNames.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "Unknown subtask " + name + "; the task has " + subtaskNames);
    }
    return i;
  }

  /** The examples of one subtask. */
  public Dataset subtask(String name) {
    int s = subtaskIndex(name);
    return select(Arrays.stream(indices()).filter(i -> subtasks[i] == s).toArray());
  }

  /** The examples at the given indices, in that order. */
  public Dataset select(int[] idx) {
    float[] f = new float[idx.length * inputSize];
    int[] l = new int[idx.length];
    int[] s = new int[idx.length];
    for (int k = 0; k < idx.length; k++) {
      System.arraycopy(features, idx[k] * inputSize, f, k * inputSize, inputSize);
      l[k] = labels[idx[k]];
      s[k] = subtasks[idx[k]];
    }
    return new Dataset(inputSize, numClasses, f, l, s, subtaskNames);
  }

  private int[] indices() {
    int[] idx = new int[size()];
    Arrays.setAll(idx, i -> i);
    return idx;
  }
}
