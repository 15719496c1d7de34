package org.subnetlab.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.List;
import java.util.Map;

/** Settings of the task block: which task, and its parameters. */
public record TaskSettings(
    String name,
    int modulus,
    List<String> operations,
    double holdoutFraction,
    int trainExamplesPerSubtask,
    int compositeModulus,
    int compositeTrainExamplesPerSubtask,
    Images images,
    Table table,
    Agreement agreement,
    Sequences sequences)
    implements java.io.Serializable {

  /** The built-in tasks. */
  public static final List<String> TASKS =
      List.of("arithmetic", "arithmetic-composite", "images", "table", "agreement", "sequences");

  /** The tasks only a transformer ({@code model.kind = transformer}) takes. */
  public static final List<String> SEQUENCE_ONLY = List.of("agreement", "sequences");

  /**
   * Subject-verb number agreement from a small generated grammar (issue 25; {@code
   * org.subnetlab.task.AgreementTask}, docs/transformers.md): how many words of each kind, how many
   * adjectives may precede a noun, the share of sentences with a prepositional phrase in the
   * singular and plural subtasks, and the distinct sentences per subtask and split.
   */
  public record Agreement(
      int nouns,
      int verbs,
      int prepositions,
      int adjectives,
      int maxAdjectives,
      double phraseFraction,
      int trainExamplesPerSubtask,
      int evalExamplesPerSubtask)
      implements java.io.Serializable {

    /** Sizes of the built-in lexicon (the limits of the count keys). */
    public static final int MAX_NOUNS = 20;

    public static final int MAX_VERBS = 3;
    public static final int MAX_PREPOSITIONS = 8;
    public static final int MAX_ADJECTIVES = 8;

    static Agreement of(Config c) {
      String p = "task.agreement.";
      return new Agreement(
          Keys.intIn(c, p + "nouns", 2, MAX_NOUNS),
          Keys.intIn(c, p + "verbs", 1, MAX_VERBS),
          Keys.intIn(c, p + "prepositions", 1, MAX_PREPOSITIONS),
          Keys.intIn(c, p + "adjectives", 1, MAX_ADJECTIVES),
          Keys.intIn(c, p + "max-adjectives", 0, 4),
          Keys.doubleIn(c, p + "phrase-fraction", 0.0, false, 1.0),
          Keys.intIn(c, p + "train-examples-per-subtask", 1, 1_000_000),
          Keys.intIn(c, p + "eval-examples-per-subtask", 1, 1_000_000));
    }

    /**
     * Tokens per sentence, after left padding: a tense adverb, the subject noun phrase and a
     * prepositional phrase, each noun with up to {@code maxAdjectives} adjectives.
     */
    public int sequenceLength() {
      return 6 + 2 * maxAdjectives;
    }
  }

  /**
   * Token sequences the user brings (Parquet or CSV, read through Spark on the driver, {@code
   * SparkTasks}): a column of token ids (Parquet: an array of integers; CSV: space-separated
   * integers), an integer target column (the token to predict after the last one), an optional
   * subtask and split column as for {@link Table}; the vocabulary is {@code vocab} or the largest
   * id + 1; {@code padToken} ≥ 0 left-pads shorter sequences to the longest (−1: every sequence
   * must have the same length).
   */
  public record Sequences(
      String path,
      String format,
      String tokens,
      String target,
      String subtask,
      String split,
      double evalFraction,
      int vocab,
      int padToken)
      implements java.io.Serializable {

    /** The largest vocabulary a sequence task takes ({@code task.sequences.vocab}). */
    public static final int MAX_VOCAB = 1_000_000;

    static Sequences of(Config c) {
      String p = "task.sequences.";
      return new Sequences(
          c.getString(p + "path"),
          Keys.oneOf(c, p + "format", Table.FORMATS),
          Keys.string(c, p + "tokens"),
          Keys.string(c, p + "target"),
          c.getString(p + "subtask"),
          c.getString(p + "split"),
          Keys.doubleIn(c, p + "eval-fraction", 0.0, true, 0.9),
          Keys.intIn(c, p + "vocab", 0, MAX_VOCAB),
          Keys.intIn(c, p + "pad-token", -1, MAX_VOCAB - 1));
    }
  }

  /**
   * A table the user brings (Parquet or CSV, read through Spark): features as one array column or
   * as numeric columns, an integer label column, an optional subtask column and an optional split
   * column ("train"/"eval"; without one, a seeded eval-fraction of the rows is held out).
   */
  public record Table(
      String path,
      String format,
      String features,
      List<String> featureColumns,
      String label,
      String subtask,
      String split,
      double evalFraction,
      int numClasses)
      implements java.io.Serializable {

    public static final List<String> FORMATS = List.of("parquet", "csv");

    /** The most classes a table task has (the limit of {@code task.table.num-classes}). */
    public static final int MAX_CLASSES = 1_000_000;

    static Table of(Config c) {
      String p = "task.table.";
      return new Table(
          c.getString(p + "path"),
          Keys.oneOf(c, p + "format", FORMATS),
          c.getString(p + "features"),
          Keys.stringsFrom(c, p + "feature-columns", null, false),
          Keys.string(c, p + "label"),
          c.getString(p + "subtask"),
          c.getString(p + "split"),
          Keys.doubleIn(c, p + "eval-fraction", 0.0, true, 0.9),
          Keys.intIn(c, p + "num-classes", 0, MAX_CLASSES));
    }
  }

  /** How the images task forms subtasks from class labels. */
  public static final List<String> IMAGE_SUBTASKS = List.of("per-class", "complement", "groups");

  /**
   * The images task: IDX files (train and eval images and labels) in a folder, class names, and how
   * subtasks are formed: one per class, the complement of each class (every class but k), or named
   * groups of classes.
   */
  public record Images(
      String dir,
      String trainImages,
      String trainLabels,
      String evalImages,
      String evalLabels,
      List<String> classNames,
      String subtasks,
      Map<String, List<Integer>> groups,
      int trainLimit)
      implements java.io.Serializable {

    static Images of(Config c) {
      String p = "task.images.";
      Map<String, List<Integer>> groups = new java.util.TreeMap<>(); // config objects are unordered
      for (Map.Entry<String, ConfigValue> e : c.getObject(p + "groups").entrySet()) {
        String key = p + "groups." + com.typesafe.config.ConfigUtil.quoteString(e.getKey());
        groups.put(
            e.getKey(),
            Keys.longsIn(c, key, 0, 65_535, true).stream().map(Long::intValue).toList());
      }
      String mode = Keys.oneOf(c, p + "subtasks", IMAGE_SUBTASKS);
      if (mode.equals("groups") && groups.isEmpty()) {
        throw Keys.bad(
            c,
            p + "groups",
            "must name at least one group of classes when " + p + "subtasks = groups");
      }
      return new Images(
          Keys.string(c, p + "dir"),
          Keys.string(c, p + "train-images"),
          Keys.string(c, p + "train-labels"),
          Keys.string(c, p + "eval-images"),
          Keys.string(c, p + "eval-labels"),
          Keys.stringsFrom(c, p + "class-names", null, false),
          mode,
          groups,
          Keys.intIn(c, p + "train-limit", 0, Integer.MAX_VALUE));
    }
  }

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
        Keys.intIn(c, "task.arithmetic-composite.train-examples-per-subtask", 1, 10_000_000),
        Images.of(c),
        Table.of(c),
        Agreement.of(c),
        Sequences.of(c));
  }
}
