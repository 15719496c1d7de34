package org.subnetlab.task;

import java.util.List;
import org.subnetlab.config.TaskSettings;

/**
 * Modular arithmetic as text, for a transformer (issue 25): the same operands, operations, modulus
 * and splits as {@link ArithmeticTask} (built from it, so the examples are the very same pairs in
 * the same order), each example written as the four tokens {@code a op b =} and labelled with the
 * answer token.
 *
 * <p>Vocabulary ({@link #vocab()}, N = modulus): tokens 0…N−1 are the numbers (so the answer token
 * is the answer), N + i is operation i in config order, and N + |ops| is {@code =}. The features of
 * an example are its four token ids as floats ({@link #SEQUENCE} positions); the label is the token
 * the model must predict at the last position ({@code =}). The subtasks are the operations, as in
 * {@link ArithmeticTask}.
 */
public final class ArithmeticTextTask implements Task {
  /** Tokens per example: a, op, b, =. */
  public static final int SEQUENCE = 4;

  private final ArithmeticTask numbers;
  private final int n;
  private final int ops;
  private final Dataset train;
  private final Dataset eval;

  public ArithmeticTextTask(TaskSettings s, long seed) {
    this(new ArithmeticTask(s, seed), s.modulus(), s.operations().size());
  }

  public ArithmeticTextTask(
      int modulus,
      List<String> operations,
      double holdoutFraction,
      int trainPerSubtask,
      long seed) {
    this(
        new ArithmeticTask(modulus, operations, holdoutFraction, trainPerSubtask, seed),
        modulus,
        operations.size());
  }

  private ArithmeticTextTask(ArithmeticTask numbers, int modulus, int ops) {
    this.numbers = numbers;
    this.n = modulus;
    this.ops = ops;
    this.train = text(numbers.trainSplit());
    this.eval = text(numbers.evalSplit());
  }

  /** Tokens in the vocabulary: N numbers, one per operation, and {@code =}. */
  public int vocab() {
    return n + ops + 1;
  }

  /** The token of operation {@code op} (its index in config order). */
  public int opToken(int op) {
    return n + op;
  }

  /** The token {@code =}. */
  public int equalsToken() {
    return n + ops;
  }

  /** The one-hot examples a op b (field sizes N, N, |ops|) rewritten as token ids. */
  private Dataset text(Dataset oneHot) {
    int rows = oneHot.size();
    int d = oneHot.inputSize();
    float[] row = new float[d];
    float[] tokens = new float[rows * SEQUENCE];
    int[] labels = new int[rows];
    int[] sub = new int[rows];
    for (int i = 0; i < rows; i++) {
      oneHot.copyFeatures(i, row, 0);
      int a = hot(row, 0, n);
      int b = hot(row, n, n);
      int op = hot(row, 2 * n, ops);
      tokens[i * SEQUENCE] = a;
      tokens[i * SEQUENCE + 1] = opToken(op);
      tokens[i * SEQUENCE + 2] = b;
      tokens[i * SEQUENCE + 3] = equalsToken();
      labels[i] = oneHot.label(i);
      sub[i] = oneHot.subtaskOf(i);
    }
    return new Dataset(SEQUENCE, vocab(), tokens, labels, sub, oneHot.subtaskNames());
  }

  private static int hot(float[] row, int from, int size) {
    for (int k = 0; k < size; k++) {
      if (row[from + k] == 1f) {
        return k;
      }
    }
    throw new IllegalStateException("no one-hot field at " + from);
  }

  @Override
  public String name() {
    return "arithmetic";
  }

  @Override
  public List<String> subtasks() {
    return numbers.subtasks();
  }

  /** Sequence length: the features of an example are its token ids. */
  @Override
  public int inputSize() {
    return SEQUENCE;
  }

  /** Classes are tokens: the head scores the whole vocabulary. */
  @Override
  public int numClasses() {
    return vocab();
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
