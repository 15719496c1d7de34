package org.subnetlab.task;

import java.util.Arrays;
import java.util.List;

/**
 * Examples held in flat arrays: {@code features} row-major (n × inputSize), a class label and a
 * subtask index per example. Immutable by convention; arrays are shared, not copied: a subset
 * ({@link #select}, {@link #subtask}) is a view through an index into the same arrays, so the
 * subtasks of a 60 000-image dataset cost no copies of the images.
 */
public final class Dataset implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final int inputSize;
  private final int numClasses;
  private final float[] features;
  private final int[] labels;
  private final int[] subtasks;
  private final List<String> subtaskNames;

  /** Example i of this dataset is row index[i] of the arrays; null: row i. */
  private final int[] index;

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
    this.index = null;
  }

  private Dataset(Dataset base, int[] index) {
    this.inputSize = base.inputSize;
    this.numClasses = base.numClasses;
    this.features = base.features;
    this.labels = base.labels;
    this.subtasks = base.subtasks;
    this.subtaskNames = base.subtaskNames;
    this.index = index;
  }

  public int size() {
    return index == null ? labels.length : index.length;
  }

  private int row(int i) {
    return index == null ? i : index[i];
  }

  /**
   * The rows of {@code base} this dataset's examples are, when it is {@code base} itself or a view
   * of it (sharing its arrays); null otherwise.
   */
  public int[] rowsIn(Dataset base) {
    if (base.index != null || base.features != features || base.labels != labels) {
      return null;
    }
    if (index != null) {
      return index.clone();
    }
    int[] all = new int[size()];
    Arrays.setAll(all, i -> i);
    return all;
  }

  /** The class label of example i. */
  public int label(int i) {
    return labels[row(i)];
  }

  /** The subtask index of example i. */
  public int subtaskOf(int i) {
    return subtasks[row(i)];
  }

  /** Copies the features of example i into {@code dst} at {@code offset}. */
  public void copyFeatures(int i, float[] dst, int offset) {
    System.arraycopy(features, row(i) * inputSize, dst, offset, inputSize);
  }

  public int inputSize() {
    return inputSize;
  }

  public int numClasses() {
    return numClasses;
  }

  /** All features, row-major (a copy when this dataset is a subset view). */
  public float[] features() {
    if (index == null) {
      return features;
    }
    float[] f = new float[size() * inputSize];
    for (int i = 0; i < size(); i++) {
      copyFeatures(i, f, i * inputSize);
    }
    return f;
  }

  /** All labels (a copy when this dataset is a subset view). */
  public int[] labels() {
    if (index == null) {
      return labels;
    }
    int[] l = new int[size()];
    Arrays.setAll(l, this::label);
    return l;
  }

  /** All subtask indices (a copy when this dataset is a subset view). */
  public int[] subtasks() {
    if (index == null) {
      return subtasks;
    }
    int[] s = new int[size()];
    Arrays.setAll(s, this::subtaskOf);
    return s;
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
    return where(i -> subtaskOf(i) == s);
  }

  /** The examples for which {@code keep} holds, in order (a view). */
  public Dataset where(java.util.function.IntPredicate keep) {
    return select(Arrays.stream(indices()).filter(keep).toArray());
  }

  /** The examples at the given indices, in that order (a view sharing this dataset's arrays). */
  public Dataset select(int[] idx) {
    int[] rows = new int[idx.length];
    for (int k = 0; k < idx.length; k++) {
      if (idx[k] < 0 || idx[k] >= size()) {
        throw new IndexOutOfBoundsException("example " + idx[k] + " of " + size());
      }
      rows[k] = row(idx[k]);
    }
    return new Dataset(this, rows);
  }

  private int[] indices() {
    int[] idx = new int[size()];
    Arrays.setAll(idx, i -> i);
    return idx;
  }
}
