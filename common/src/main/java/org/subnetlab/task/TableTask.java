package org.subnetlab.task;

import java.util.List;

/**
 * A task from a table the user brings: train and eval examples already read and checked (by the
 * jobs' Spark reader), each row in one subtask. Serializable, so the driver can ship it to the
 * executors.
 */
public final class TableTask implements Task, java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final Dataset train;
  private final Dataset eval;

  public TableTask(Dataset train, Dataset eval) {
    this("table", train, eval);
  }

  /**
   * A table task under another name ({@code sequences}: token ids as features, the vocabulary as
   * classes).
   */
  public TableTask(String name, Dataset train, Dataset eval) {
    if (train.inputSize() != eval.inputSize()
        || train.numClasses() != eval.numClasses()
        || !train.subtaskNames().equals(eval.subtaskNames())) {
      throw new IllegalArgumentException("train and eval splits disagree on shape or subtasks");
    }
    this.name = name;
    this.train = train;
    this.eval = eval;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> subtasks() {
    return train.subtaskNames();
  }

  @Override
  public int inputSize() {
    return train.inputSize();
  }

  @Override
  public int numClasses() {
    return train.numClasses();
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
