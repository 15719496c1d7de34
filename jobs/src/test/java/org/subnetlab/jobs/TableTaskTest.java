package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/** A dataset table the user brings (Parquet, CSV) drives the pipeline; bad rows are named. */
class TableTaskTest {
  @TempDir static Path dir;
  static SparkSession spark;

  static final StructType SCHEMA =
      new StructType()
          .add("features", DataTypes.createArrayType(DataTypes.FloatType), true)
          .add("label", DataTypes.IntegerType, true)
          .add("subtask", DataTypes.StringType, true);

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("table-test", "local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The tiny arithmetic task's train and eval examples as table rows (subtask = operation). */
  static List<Row> arithmeticRows() throws Exception {
    Settings tiny =
        ConfigLoader.load(
            TestConfigs.copy("tiny.conf", Files.createTempDirectory(dir, "tiny")), List.of());
    Task t = Tasks.create(tiny);
    List<Row> rows = new ArrayList<>();
    for (Dataset d : List.of(t.trainSplit(), t.evalSplit())) {
      float[] x = new float[d.inputSize()];
      for (int i = 0; i < d.size(); i++) {
        d.copyFeatures(i, x, 0);
        Float[] boxed = new Float[x.length];
        for (int k = 0; k < x.length; k++) {
          boxed[k] = x[k];
        }
        rows.add(RowFactory.create(boxed, d.label(i), d.subtaskNames().get(d.subtaskOf(i))));
      }
    }
    return rows;
  }

  static Path parquet(String name, List<Row> rows) {
    Path p = dir.resolve(name);
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().parquet(p.toString());
    return p;
  }

  static Settings settings(Path table, String extra) throws Exception {
    Path conf = Files.createTempFile(dir, "table", ".conf");
    Files.writeString(
        conf,
        "include \""
            + TestConfigs.copy("tiny.conf", Files.createTempDirectory(dir, "c"))
            + "\"\ntask { name = table, table { path = \""
            + table
            + "\", subtask = subtask, num-classes = 5 } }\n"
            + extra);
    return ConfigLoader.load(conf, List.of());
  }

  @Test
  void aParquetTableWithASubtaskColumnDrivesTheSweep() throws Exception {
    Path table = parquet("arith.parquet", arithmeticRows());
    OutputLayout out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings(table, ""), out);
    Set<String> subtasks = new TreeSet<>();
    spark
        .read()
        .parquet(out.table("masks").toString())
        .select("subtask")
        .distinct()
        .collectAsList()
        .forEach(r -> subtasks.add(r.getString(0)));
    assertThat(subtasks).containsExactly("add", "mul");
    assertThat(
            spark.read().parquet(out.table("masks").toString()).select("run_id").distinct().count())
        .isEqualTo(8);
    List<Row> own =
        spark
            .read()
            .parquet(out.table("ablation").toString())
            .where("mode = 'subnetwork' AND eval_subtask = mask_subtask")
            .select("accuracy")
            .collectAsList();
    assertThat(own).hasSize(8);
    for (Row r : own) {
      assertThat(r.getDouble(0)).isGreaterThan(0.8);
    }
    assertThat(
            new org.subnetlab.model.ModelStore(out.model())
                .metadata()
                .getDouble("eval.ALL.accuracy"))
        .isGreaterThan(0.9);
  }

  @Test
  void csvWithNumericColumnsAndASplitColumn() throws Exception {
    Path csv = dir.resolve("small.csv");
    StringBuilder sb = new StringBuilder("x0,x1,y,part,group\n");
    for (int i = 0; i < 40; i++) {
      sb.append(i % 2)
          .append(',')
          .append((i / 2) % 2)
          .append(',')
          .append(i % 2)
          .append(',')
          .append(i < 30 ? "train" : "eval")
          .append(',')
          .append(i % 4 < 2 ? "a" : "b")
          .append('\n');
    }
    Files.writeString(csv, sb.toString());
    Settings s =
        ConfigLoader.load(
            Files.writeString(
                dir.resolve("csv.conf"),
                "task { name = table, table { path = \""
                    + csv
                    + "\", format = csv,"
                    + " feature-columns = [x0, x1], label = y, subtask = group, split = part } }"),
            List.of());
    Task t = SparkTasks.create(spark, s);
    assertThat(t.subtasks()).containsExactly("a", "b");
    assertThat(t.inputSize()).isEqualTo(2);
    assertThat(t.numClasses()).isEqualTo(2);
    assertThat(t.trainSplit().size()).isEqualTo(30);
    assertThat(t.evalSplit().size()).isEqualTo(10);
    float[] x = new float[2];
    t.trainSplit().copyFeatures(3, x, 0);
    assertThat(x).containsExactly(1f, 1f);
  }

  @Test
  void badRowsAreNamed() throws Exception {
    List<Row> good = arithmeticRows().subList(0, 20);
    List<Row> nan = new ArrayList<>(good);
    Float[] f = ((Float[]) good.get(3).get(0)).clone();
    f[1] = Float.NaN;
    nan.set(3, RowFactory.create(f, 1, "add"));
    Path p = parquet("nan.parquet", nan);
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(p, "").task().table(), 0))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("row 4 of " + p + "/part-")
        .hasMessageEndingWith(
            ": feature 1 (features[1]) is NaN or null; features must be finite" + " numbers.");

    List<Row> label = new ArrayList<>(good);
    label.set(5, RowFactory.create(((Float[]) good.get(5).get(0)).clone(), 7, "add"));
    Path pl = parquet("label.parquet", label);
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(pl, "").task().table(), 0))
        .hasMessageStartingWith("row 6 of " + pl + "/part-")
        .hasMessageEndingWith(
            ": label 7 in column label is not a class: task.table.num-classes"
                + " = 5 allows labels 0 to 4.");

    List<Row> shape = new ArrayList<>(good);
    shape.set(2, RowFactory.create(new Float[] {1f, 0f, 0f}, 1, "add"));
    Path ps = parquet("shape.parquet", shape);
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(ps, "").task().table(), 0))
        .hasMessageEndingWith(": column features has 3 values, the first row 12.");

    List<Row> empty = new ArrayList<>(good);
    empty.set(4, RowFactory.create(((Float[]) good.get(4).get(0)).clone(), 1, " "));
    Path pe = parquet("empty.parquet", empty);
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(pe, "").task().table(), 0))
        .hasMessageStartingWith("row 5 of " + pe + "/part-")
        .hasMessageEndingWith(": subtask column subtask is empty.");

    assertThatThrownBy(
            () ->
                SparkTasks.read(spark, settings(p, "task.table.label = target").task().table(), 0))
        .hasMessage(
            "Table "
                + p
                + " has no label column target (its columns: features, label,"
                + " subtask).");
  }

  static final StructType LONG_LABELS =
      new StructType()
          .add("features", DataTypes.createArrayType(DataTypes.FloatType), true)
          .add("label", DataTypes.LongType, true)
          .add("subtask", DataTypes.StringType, true);

  /** Rows of the tiny task with row {@code at} (0-based) relabelled {@code label}. */
  static Path relabelled(String name, int at, long label) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (Row r : arithmeticRows()) {
      rows.add(RowFactory.create(r.get(0), (long) r.getInt(1), r.get(2)));
    }
    rows.set(at, RowFactory.create(rows.get(at).get(0), label, rows.get(at).get(2)));
    Path p = dir.resolve(name);
    spark.createDataFrame(rows, LONG_LABELS).coalesce(1).write().parquet(p.toString());
    return p;
  }

  @Test
  void labelsBeyondTheClassLimitAreNamedWithTheirRow() throws Exception {
    // (int) 3e9 was Integer.MAX_VALUE, and max + 1 overflowed to "a single class (label 0)".
    Path huge = relabelled("huge.parquet", 2, 3_000_000_000L);
    assertThatThrownBy(
            () ->
                SparkTasks.read(
                    spark, settings(huge, "task.table.num-classes = 0").task().table(), 0))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("row 3 of " + huge + "/part-")
        .hasMessageEndingWith(
            ": label 3000000000 in column label is not a class: a table task"
                + " has at most 1000000 classes (labels 0 to 999999).");
    // 2,000,000 was accepted (a 2,000,000-class output layer) though num-classes stops at 1e6.
    Path big = relabelled("big.parquet", 7, 2_000_000L);
    assertThatThrownBy(
            () ->
                SparkTasks.read(
                    spark, settings(big, "task.table.num-classes = 0").task().table(), 0))
        .hasMessageStartingWith("row 8 of " + big + "/part-")
        .hasMessageContaining("label 2000000 in column label is not a class");
    Path negative = relabelled("negative.parquet", 0, -1L);
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(negative, "").task().table(), 0))
        .hasMessageStartingWith("row 1 of " + negative + "/part-")
        .hasMessageEndingWith(
            ": label -1 in column label is not a class: labels must be whole"
                + " numbers in [0, 5) (task.table.num-classes = 5).");
    // The largest label the limit allows is still read (and sets the number of classes).
    Path edge = relabelled("edge.parquet", 0, 999_999L);
    assertThat(
            SparkTasks.read(spark, settings(edge, "task.table.num-classes = 0").task().table(), 0)
                .numClasses())
        .isEqualTo(1_000_000);
  }

  @Test
  void aTruncatedParquetFileOrAFolderOfMixedFilesIsNamed() throws Exception {
    Path whole = parquet("whole.parquet", arithmeticRows().subList(0, 20));
    Path part;
    try (var s = Files.list(whole)) {
      part =
          s.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
    }
    Path cut = Files.createDirectories(dir.resolve("cut.parquet"));
    byte[] bytes = Files.readAllBytes(part);
    Path cutPart =
        Files.write(
            cut.resolve(part.getFileName()), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(cut, "").task().table(), 0))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot read table "
                + cut
                + ": "
                + cutPart
                + " is truncated: it does not end"
                + " with the Parquet footer (PAR1) (Spark reads every file in the folder whose name"
                + " starts with neither _ nor .; move other files away).");
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    Files.copy(part, mixed.resolve("a.parquet"));
    Files.writeString(mixed.resolve("b.csv"), "x,y\n1,2\n");
    Files.writeString(mixed.resolve("_SUCCESS"), "");
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(mixed, "").task().table(), 0))
        .hasMessageStartingWith(
            "Cannot read table "
                + mixed
                + ": "
                + mixed.resolve("b.csv")
                + " is not a Parquet file (it does not start with PAR1)");
    // The same file with its Parquet footer intact but its data cut: Spark's error, with the file.
    Path inner = Files.createDirectories(dir.resolve("inner.parquet"));
    byte[] holed = bytes.clone();
    java.util.Arrays.fill(holed, 4, holed.length / 3, (byte) 0x7f);
    Files.write(inner.resolve(part.getFileName()), holed);
    assertThatThrownBy(() -> SparkTasks.read(spark, settings(inner, "").task().table(), 0))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot read table " + inner + " as parquet");
  }

  @Test
  void aHeaderOnlyCsvSaysItHasNoDataRows() throws Exception {
    Path csv = Files.writeString(dir.resolve("header.csv"), "x0,x1,y\n");
    Settings s =
        ConfigLoader.load(
            Files.writeString(
                dir.resolve("header.conf"),
                "task { name = table, table { path = \""
                    + csv
                    + "\", format = csv,"
                    + " feature-columns = [x0, x1], label = y } }"),
            List.of());
    assertThatThrownBy(() -> SparkTasks.read(spark, s.task().table(), 0))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Table "
                + csv
                + " has no data rows (its files are empty or hold only a header"
                + " line).");
  }

  @Test
  void unknownMasksSubtasksOfATableAreRejectedBeforeTraining() throws Exception {
    // A table's subtasks are known once it is read: the pipeline checks masks.subtasks then,
    // before the base model is trained (it used to train it first).
    Path table = parquet("subtasks.parquet", arithmeticRows());
    OutputLayout out = OutputLayout.prepare(dir.resolve("subtasks-out"));
    Settings s = settings(table, "masks.subtasks = [add, div]");
    assertThatThrownBy(() -> PipelineJob.run(spark, s, out))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.subtasks to [add, div]: div is not a subtask of task table"
                + " (it has [add, mul]).");
    assertThat(out.model().resolve(org.subnetlab.model.ModelStore.MODEL_FILE)).doesNotExist();
  }
}
