package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/** task.name = sequences: the user's token sequences from Parquet and CSV; bad input is named. */
class SequenceTableTest {
  @TempDir static Path dir;
  static SparkSession spark;

  static final StructType SCHEMA =
      new StructType()
          .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType), true)
          .add("target", DataTypes.IntegerType, true)
          .add("subtask", DataTypes.StringType, true)
          .add("split", DataTypes.StringType, true);

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("sequence-test", "local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static Settings settings(String task) throws Exception {
    Path conf = Files.createTempFile(dir, "seq", ".conf");
    Files.writeString(
        conf,
        "model.kind = transformer\ntask { name = sequences, sequences { "
            + task
            + " } }\nmodel.transformer.context = 8\n");
    return ConfigLoader.load(conf, List.of());
  }

  /** A small agreement task: its sentences are the sequences the tables hold. */
  static Task agreement() throws Exception {
    Path conf = Files.createTempFile(dir, "agr", ".conf");
    Files.writeString(
        conf,
        "model.kind = transformer\ntask { name = agreement, agreement {"
            + " train-examples-per-subtask = 40, eval-examples-per-subtask = 10 } }\n");
    return Tasks.create(ConfigLoader.load(conf, List.of()));
  }

  static int[] tokens(Dataset d, int i) {
    float[] x = new float[d.inputSize()];
    d.copyFeatures(i, x, 0);
    int[] t = new int[x.length];
    for (int k = 0; k < x.length; k++) {
      t[k] = (int) x[k];
    }
    return t;
  }

  /** The task's eval then train examples as rows (tokens, target, subtask, split). */
  static List<Row> rows(Task t) {
    List<Row> rows = new ArrayList<>();
    for (Dataset d : List.of(t.evalSplit(), t.trainSplit())) {
      for (int i = 0; i < d.size(); i++) {
        int[] tok = tokens(d, i);
        Integer[] boxed = new Integer[tok.length];
        for (int k = 0; k < tok.length; k++) {
          boxed[k] = tok[k];
        }
        rows.add(
            RowFactory.create(
                boxed,
                d.label(i),
                d.subtaskNames().get(d.subtaskOf(i)),
                d == t.evalSplit() ? "eval" : "train"));
      }
    }
    return rows;
  }

  static Path parquet(String name, List<Row> rows, StructType schema) {
    Path p = dir.resolve(name);
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(p.toString());
    return p;
  }

  static Path csv(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  static String csvOf(List<Row> rows) {
    StringBuilder sb = new StringBuilder("tokens,target,subtask,split\n");
    for (Row r : rows) {
      Integer[] tok = (Integer[]) r.get(0);
      sb.append(String.join(" ", java.util.Arrays.stream(tok).map(String::valueOf).toList()))
          .append(',')
          .append(r.getInt(1))
          .append(',')
          .append(r.getString(2))
          .append(',')
          .append(r.getString(3))
          .append('\n');
    }
    return sb.toString();
  }

  /** Every example of {@code expected} is the same example of {@code actual}, in order. */
  static void sameExamples(Task expected, Task actual) {
    assertThat(actual.subtasks()).containsExactlyInAnyOrderElementsOf(expected.subtasks());
    assertThat(actual.inputSize()).isEqualTo(expected.inputSize());
    for (Dataset[] pair :
        new Dataset[][] {
          {expected.evalSplit(), actual.evalSplit()}, {expected.trainSplit(), actual.trainSplit()}
        }) {
      assertThat(pair[1].size()).isEqualTo(pair[0].size());
      for (int i = 0; i < pair[0].size(); i++) {
        assertThat(tokens(pair[1], i)).isEqualTo(tokens(pair[0], i));
        assertThat(pair[1].label(i)).isEqualTo(pair[0].label(i));
        assertThat(pair[1].subtaskNames().get(pair[1].subtaskOf(i)))
            .isEqualTo(pair[0].subtaskNames().get(pair[0].subtaskOf(i)));
      }
    }
  }

  @Test
  void parquetAndCsvTablesHoldEveryRowAsWritten() throws Exception {
    Task a = agreement();
    List<Row> rows = rows(a);
    Path p = parquet("agreement.parquet", rows, SCHEMA);
    Task fromParquet =
        SparkTasks.create(
            spark, settings("path = \"" + p + "\", subtask = subtask, split = split"));
    assertThat(fromParquet.name()).isEqualTo("sequences");
    sameExamples(a, fromParquet);
    // The vocabulary is the largest id or target + 1 (a verb form: the agreement's last tokens).
    int max = 0;
    for (Dataset d : List.of(a.trainSplit(), a.evalSplit())) {
      for (int i = 0; i < d.size(); i++) {
        max = Math.max(max, d.label(i));
        for (int t : tokens(d, i)) {
          max = Math.max(max, t);
        }
      }
    }
    assertThat(fromParquet.numClasses()).isEqualTo(max + 1);

    Path c = csv("agreement.csv", csvOf(rows));
    Task fromCsv =
        SparkTasks.create(
            spark,
            settings(
                "path = \""
                    + c
                    + "\", format = csv, subtask = subtask, split = split, vocab = "
                    + a.numClasses()));
    sameExamples(a, fromCsv);
    assertThat(fromCsv.numClasses()).isEqualTo(a.numClasses());
  }

  @Test
  void withoutASplitColumnTheTableTasksRowsAreHeldOut() throws Exception {
    StringBuilder sb = new StringBuilder("ids,next\n");
    for (int i = 0; i < 200; i++) {
      sb.append(i % 5).append(' ').append((i / 5) % 5).append(',').append((i % 5 + 1) % 5);
      sb.append('\n');
    }
    Path c = csv("nosplit.csv", sb.toString());
    Task t =
        SparkTasks.create(
            spark,
            settings(
                "path = \""
                    + c
                    + "\", format = csv, tokens = ids, target = next,"
                    + " eval-fraction = 0.25"));
    assertThat(t.subtasks()).containsExactly("all");
    // The table task's rule: row i is held out when the seeded stream's i-th draw is < 0.25.
    java.util.SplittableRandom rng = org.subnetlab.task.Seeds.stream(0, "task/table/split");
    List<Integer> evalRows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      if (rng.nextDouble() < 0.25) {
        evalRows.add(i);
      }
    }
    assertThat(t.evalSplit().size()).isEqualTo(evalRows.size());
    assertThat(t.trainSplit().size()).isEqualTo(200 - evalRows.size());
    for (int k = 0; k < evalRows.size(); k++) {
      int i = evalRows.get(k);
      assertThat(tokens(t.evalSplit(), k)).containsExactly(i % 5, (i / 5) % 5);
      assertThat(t.evalSplit().label(k)).isEqualTo((i % 5 + 1) % 5);
    }
  }

  @Test
  void shorterSequencesAreLeftPaddedWithThePadToken() throws Exception {
    Path c =
        csv(
            "ragged.csv",
            "tokens,target,split\n3 4 5,6,train\n7,1,train\n2 2,3,eval\n1 2 3 4,5,eval\n");
    Task t =
        SparkTasks.create(
            spark, settings("path = \"" + c + "\", format = csv, split = split, pad-token = 9"));
    assertThat(t.inputSize()).isEqualTo(4);
    assertThat(t.numClasses()).isEqualTo(10); // the pad token counts
    assertThat(tokens(t.trainSplit(), 0)).containsExactly(9, 3, 4, 5);
    assertThat(tokens(t.trainSplit(), 1)).containsExactly(9, 9, 9, 7);
    assertThat(tokens(t.evalSplit(), 0)).containsExactly(9, 9, 2, 2);
    assertThat(tokens(t.evalSplit(), 1)).containsExactly(1, 2, 3, 4);
    assertThat(t.trainSplit().labels()).containsExactly(6, 1);
    // Without a pad token, every sequence must have the first row's length.
    assertThatThrownBy(
            () ->
                SparkTasks.create(
                    spark, settings("path = \"" + c + "\", format = csv, split = split")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "row 2 of "
                + c
                + ": the sequence in column tokens has 1 tokens, the first row 3; every sequence"
                + " must have one length (or set task.sequences.pad-token to left-pad the"
                + " shorter ones).");
  }

  @Test
  void badInputIsNamedWithItsFileAndRow() throws Exception {
    List<Row> good = rows(agreement()).subList(0, 30);
    // A token id out of the configured vocabulary.
    List<Row> big = new ArrayList<>(good);
    Integer[] t = ((Integer[]) good.get(2).get(0)).clone();
    t[3] = 60;
    big.set(2, RowFactory.create(t, good.get(2).get(1), "singular", "train"));
    Path pb = parquet("big.parquet", big, SCHEMA);
    assertThatThrownBy(
            () ->
                SparkTasks.create(
                    spark, settings("path = \"" + pb + "\", vocab = 50, split = split")))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("row 3 of " + pb + "/part-")
        .hasMessageEndingWith(
            ": token id 60 at position 3 of column tokens is not in the vocabulary:"
                + " task.sequences.vocab = 50 allows ids 0 to 49.");
    // A negative id, without a configured vocabulary (CSV).
    Path cn = csv("negative.csv", "tokens,target\n1 2,3\n4 -1,2\n");
    assertThatThrownBy(
            () -> SparkTasks.create(spark, settings("path = \"" + cn + "\", format = csv")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "row 2 of "
                + cn
                + ": token id -1 at position 1 of column tokens is not in the vocabulary: token"
                + " ids are whole numbers in [0, 1000000).");
    // A target out of the vocabulary.
    Path ct = csv("target.csv", "tokens,target\n1 2,3\n4 1,12\n");
    assertThatThrownBy(
            () ->
                SparkTasks.create(
                    spark, settings("path = \"" + ct + "\", format = csv, vocab = 10")))
        .hasMessage(
            "row 2 of "
                + ct
                + ": target 12 in column target is not in the vocabulary: task.sequences.vocab"
                + " = 10 allows ids 0 to 9.");
    // Longer than the context (8).
    Path cl = csv("long.csv", "tokens,target\n1 2 3 4 5 6 7 8,3\n1 2 3 4 5 6 7 8 9,2\n");
    assertThatThrownBy(
            () -> SparkTasks.create(spark, settings("path = \"" + cl + "\", format = csv")))
        .hasMessage(
            "row 2 of "
                + cl
                + ": the sequence in column tokens has 9 tokens, more than the transformer's"
                + " context of 8 positions (model.transformer.context).");
    // Not integers (CSV).
    Path cw = csv("words.csv", "tokens,target\n1 2,3\n4 x,2\n");
    assertThatThrownBy(
            () -> SparkTasks.create(spark, settings("path = \"" + cw + "\", format = csv")))
        .hasMessage(
            "row 2 of "
                + cw
                + ": column tokens is \"4 x\"; token ids must be integers separated by spaces"
                + " (x at position 1 is not one).");
    // A missing column.
    Path pg = parquet("good.parquet", good, SCHEMA);
    assertThatThrownBy(
            () -> SparkTasks.create(spark, settings("path = \"" + pg + "\", tokens = ids")))
        .hasMessage(
            "Table "
                + pg
                + " has no tokens column ids (its columns: tokens, target, subtask, split).");
    // Wrong types (Parquet): tokens as an array of doubles, a string target.
    StructType doubles =
        new StructType()
            .add("tokens", DataTypes.createArrayType(DataTypes.DoubleType), true)
            .add("target", DataTypes.StringType, true);
    Path pd =
        parquet(
            "doubles.parquet", List.of(RowFactory.create(new Double[] {1.0, 2.0}, "3")), doubles);
    assertThatThrownBy(() -> SparkTasks.create(spark, settings("path = \"" + pd + "\"")))
        .hasMessage(
            "Column tokens of table "
                + pd
                + " has type array<double>; token ids must be an array of integers (Parquet) or"
                + " space-separated integers (CSV).");
    assertThatThrownBy(
            () -> SparkTasks.create(spark, settings("path = \"" + pd + "\", tokens = target")))
        .hasMessageContaining("Column target of table " + pd + " has type string");
    // Empty tables: Parquet without rows, CSV with a header only.
    Path pe = parquet("empty.parquet", List.of(), SCHEMA);
    assertThatThrownBy(() -> SparkTasks.create(spark, settings("path = \"" + pe + "\"")))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Table " + pe + " has no data rows.");
    Path ce = csv("empty.csv", "tokens,target\n");
    assertThatThrownBy(
            () -> SparkTasks.create(spark, settings("path = \"" + ce + "\", format = csv")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Table " + ce + " has no data rows (its files are empty or hold only a header line).");
    // No path, and a missing file.
    assertThatThrownBy(() -> SparkTasks.create(spark, settings("")))
        .hasMessageStartingWith("Cannot set task.sequences.path to \"\"");
    assertThatThrownBy(
            () -> SparkTasks.create(spark, settings("path = \"" + dir.resolve("nope") + "\"")))
        .hasMessage(
            "Cannot read table "
                + dir.resolve("nope")
                + ": no such file or folder (task.sequences.path).");
  }

  @Test
  void aSequencesTableRunsThroughTheWholePipeline() throws Exception {
    Path p = parquet("pipeline.parquet", rows(agreement()), SCHEMA);
    Path conf = dir.resolve("pipeline.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "model.kind = transformer",
            "task { name = sequences, sequences { path = \""
                + p
                + "\", subtask = subtask,"
                + " split = split } }",
            "model.transformer.layers = 1",
            "model.transformer.width = 16",
            "model.transformer.heads = 2",
            "model.transformer.mlp-width = 32",
            "model.transformer.steps = 40",
            "model.transformer.warmup-steps = 5",
            "model.transformer.batch-size = 16",
            "masks.methods = [hard-concrete]",
            "masks.seeds = [0]",
            "masks.hard-concrete.steps = 10",
            "masks.hard-concrete.batch-size = 16",
            "aggregate.random-controls = 1",
            ""));
    Settings s = ConfigLoader.load(conf, List.of());
    org.subnetlab.jobs.output.OutputLayout out =
        org.subnetlab.jobs.output.OutputLayout.prepare(dir.resolve("pipeline-out"));
    PipelineJob.run(spark, s, out);
    // the table's subtasks are the runs' subtasks; every ablation row is the stored model's
    assertThat(
            TransformerPipelineTest.checkAblation(
                spark, s, out, org.subnetlab.transformer.Gpt2Import.read(out.model()), 1))
        .isEqualTo(3 * 3 * 3);
  }
}
