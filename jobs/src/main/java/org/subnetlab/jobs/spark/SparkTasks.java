package org.subnetlab.jobs.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.Settings;
import org.subnetlab.config.TaskSettings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.TableTask;
import org.subnetlab.task.Task;

/**
 * The task of a config, on the driver and on executors. Built-in tasks are rebuilt from their
 * settings wherever they are needed; a table the user brings ({@code task.name = table}) is read
 * through Spark once on the driver, checked row by row, and shipped to executors as a broadcast.
 */
public final class SparkTasks {
  private static final Logger LOG = LoggerFactory.getLogger(SparkTasks.class);
  private static final Map<String, TableTask> TABLES = new ConcurrentHashMap<>();
  private static final Map<String, TableTask> SEQUENCES = new ConcurrentHashMap<>();

  private SparkTasks() {}

  /** How an executor gets the task. */
  public static final class Ref implements Serializable {
    private final TaskSettings settings;
    private final long seed;
    private final boolean tokens;
    private final Broadcast<Task> table;

    private Ref(TaskSettings settings, long seed, boolean tokens, Broadcast<Task> table) {
      this.settings = settings;
      this.seed = seed;
      this.tokens = tokens;
      this.table = table;
    }

    public Task get() {
      if (table != null) {
        return table.value();
      }
      return tokens ? ExecutorCache.tokenTask(settings, seed) : ExecutorCache.task(settings, seed);
    }
  }

  /** A built-in task of {@code s}, as vectors or (for a transformer) as token sequences. */
  static Task builtIn(Settings s) {
    return s.isTransformer()
        ? ExecutorCache.tokenTask(s.task(), s.seed())
        : ExecutorCache.task(s.task(), s.seed());
  }

  /** The task on the driver. */
  public static Task create(SparkSession spark, Settings s) {
    if (s.task().name().equals("sequences")) {
      TaskSettings.Sequences q = s.task().sequences();
      int context = s.transformer().context();
      return SEQUENCES.computeIfAbsent(
          q + "|" + s.seed() + "|" + context, k -> readSequences(spark, q, s.seed(), context));
    }
    if (!s.task().name().equals("table")) {
      return builtIn(s); // one copy per JVM (shared in local mode)
    }
    TaskSettings.Table t = s.task().table();
    return TABLES.computeIfAbsent(t + "|" + s.seed(), k -> read(spark, t, s.seed()));
  }

  /** The task for executors: settings for built-in tasks, a broadcast of a table. */
  public static Ref ref(SparkSession spark, Settings s) {
    if (!s.task().name().equals("table") && !s.task().name().equals("sequences")) {
      return new Ref(s.task(), s.seed(), s.isTransformer(), null);
    }
    Task task = create(spark, s);
    return new Ref(
        s.task(),
        s.seed(),
        s.isTransformer(),
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(task));
  }

  /**
   * The checks of the task that need no Spark, so that the CLI fails on bad data before it starts
   * Spark: a table task's path is set and each of its local files is a whole file of its format
   * (the CLI's embedded Spark reads local paths); a built-in task is built (its data files read and
   * checked) and kept for the stage; {@code masks.subtasks} names subtasks of it; a model to import
   * is a file of its format.
   */
  public static void checkBeforeSpark(Settings s, OutputLayout out) {
    if (s.task().name().equals("table")) {
      checkPath(s.task().table());
      checkLocalFiles(s.task().table());
    } else if (s.task().name().equals("sequences")) {
      checkPath(s.task().sequences());
      checkLocalFiles(
          s.task().sequences().path(), s.task().sequences().format(), "task.sequences.path");
    } else {
      Task task = builtIn(s);
      if (!s.masks().subtasks().isEmpty()) {
        org.subnetlab.sweep.SweepGrid.expand(s, task.subtasks());
      }
    }
    if (s.model().isImported()
        && !java.nio.file.Files.exists(
            out.model().resolve(org.subnetlab.model.ModelStore.META_FILE))) {
      org.subnetlab.model.ModelImport.checkFile(java.nio.file.Path.of(s.model().importPath()));
    }
  }

  private static void checkPath(TaskSettings.Table t) {
    if (t.path().isBlank()) {
      throw new BadInputException(
          "Cannot set task.table.path to \"\": task.name = table needs"
              + " the path of the table.");
    }
  }

  private static void checkPath(TaskSettings.Sequences q) {
    if (q.path().isBlank()) {
      throw new BadInputException(
          "Cannot set task.sequences.path to \"\": task.name = sequences needs"
              + " the path of the table.");
    }
  }

  /**
   * Reads, checks and splits a table of token sequences ({@code task.name = sequences}); every
   * problem names the file and row, or the column. Parquet: the tokens an array of integers, the
   * target an integer; CSV (read as text, with a header line): the tokens space-separated integers,
   * the target an integer. The vocabulary is {@code vocab}, or the largest id, target or pad token
   * + 1; with {@code pad-token} ≥ 0 shorter sequences are left-padded with it to the longest, else
   * every sequence must have the first row's length; no sequence may be longer than {@code
   * context}. The split is the table task's: the split column, or the rows the seeded stream of the
   * table task holds out ({@code eval-fraction}).
   */
  public static TableTask readSequences(
      SparkSession spark, TaskSettings.Sequences q, long seed, int context) {
    checkPath(q);
    String path = q.path();
    if (spark
        .sparkContext()
        .hadoopConfiguration()
        .get("fs.defaultFS", "file:///")
        .startsWith("file:")) {
      checkLocalFiles(path, q.format(), "task.sequences.path");
    }
    boolean csv = q.format().equals("csv");
    boolean hasSubtask = !q.subtask().isBlank();
    boolean hasSplit = !q.split().isBlank();
    List<Row> rows;
    try {
      Dataset<Row> df =
          csv
              ? spark.read().option("header", "true").option("inferSchema", "false").csv(path)
              : spark.read().parquet(path);
      if (df.isEmpty()) {
        throw new BadInputException(
            "Table "
                + path
                + " has no data rows"
                + (csv ? " (its files are empty or hold only a header line)" : "")
                + ".");
      }
      List<Column> select = new ArrayList<>();
      DataType tokens = column(df, path, q.tokens(), "tokens").dataType();
      boolean tokensOk =
          csv
              ? tokens instanceof StringType
              : tokens instanceof ArrayType a
                  && a.elementType() instanceof org.apache.spark.sql.types.IntegralType;
      if (!tokensOk) {
        throw new BadInputException(
            "Column "
                + q.tokens()
                + " of table "
                + path
                + " has type "
                + tokens.simpleString()
                + "; token ids must be an array of integers (Parquet) or space-separated"
                + " integers (CSV).");
      }
      select.add(col("`" + q.tokens() + "`").cast(csv ? "string" : "array<bigint>"));
      DataType target = column(df, path, q.target(), "target").dataType();
      if (!(csv
          ? target instanceof StringType
          : target instanceof org.apache.spark.sql.types.IntegralType)) {
        throw new BadInputException(
            "Column "
                + q.target()
                + " of table "
                + path
                + " has type "
                + target.simpleString()
                + "; the target must be an integer token id.");
      }
      select.add(col("`" + q.target() + "`").cast(csv ? "string" : "bigint"));
      for (String c : new String[] {hasSubtask ? q.subtask() : null, hasSplit ? q.split() : null}) {
        if (c != null) {
          DataType type =
              column(df, path, c, c.equals(q.subtask()) ? "subtask" : "split").dataType();
          if (!(type instanceof StringType)) {
            throw new BadInputException(
                "Column "
                    + c
                    + " of table "
                    + path
                    + " must hold strings (it has type "
                    + type.simpleString()
                    + ").");
          }
          select.add(col("`" + c + "`"));
        }
      }
      select.add(input_file_name());
      rows = df.select(select.toArray(Column[]::new)).collectAsList();
    } catch (BadInputException e) {
      throw e;
    } catch (Exception e) {
      if (!isReadFailure(e)) {
        throw e;
      }
      throw unreadable(path, q.format(), e);
    }
    int n = rows.size();
    int limit = q.vocab() > 0 ? q.vocab() : TaskSettings.Sequences.MAX_VOCAB;
    String allowed =
        q.vocab() > 0
            ? "task.sequences.vocab = " + q.vocab() + " allows ids 0 to " + (q.vocab() - 1)
            : "token ids are whole numbers in [0, " + limit + ")";
    if (q.padToken() >= limit) {
      throw new BadInputException(
          "Cannot set task.sequences.pad-token to "
              + q.padToken()
              + ": "
              + allowed
              + " (task.sequences.vocab).");
    }
    int[][] seqs = new int[n][];
    int[] targets = new int[n];
    String[] subtaskOf = new String[n];
    String[] splitOf = new String[n];
    Map<String, Integer> rowInFile = new LinkedHashMap<>();
    int subIdx = hasSubtask ? 2 : -1;
    int splitIdx = hasSplit ? (hasSubtask ? 3 : 2) : -1;
    int fileIdx = 2 + (hasSubtask ? 1 : 0) + (hasSplit ? 1 : 0);
    int longest = 0;
    int maxId = Math.max(q.padToken(), 0);
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      String file = r.getString(fileIdx);
      int inFile = rowInFile.merge(file, 1, Integer::sum); // rows count from 1, headers not
      String where = "row " + inFile + " of " + shown(file, path);
      if (r.isNullAt(0)) {
        throw new BadInputException(where + ": column " + q.tokens() + " is null.");
      }
      long[] ids;
      if (csv) {
        String text = r.getString(0).trim();
        String[] parts = text.isEmpty() ? new String[0] : text.split("\\s+");
        ids = new long[parts.length];
        for (int k = 0; k < parts.length; k++) {
          try {
            ids[k] = Long.parseLong(parts[k]);
          } catch (NumberFormatException e) {
            throw new BadInputException(
                where
                    + ": column "
                    + q.tokens()
                    + " is \""
                    + text
                    + "\"; token ids must be integers separated by spaces ("
                    + parts[k]
                    + " at position "
                    + k
                    + " is not one).");
          }
        }
      } else {
        List<Long> v = r.getList(0);
        ids = new long[v.size()];
        for (int k = 0; k < ids.length; k++) {
          if (v.get(k) == null) {
            throw new BadInputException(
                where + ": token " + k + " of column " + q.tokens() + " is null.");
          }
          ids[k] = v.get(k);
        }
      }
      if (ids.length == 0) {
        throw new BadInputException(where + ": column " + q.tokens() + " holds no token ids.");
      }
      if (ids.length > context) {
        throw new BadInputException(
            where
                + ": the sequence in column "
                + q.tokens()
                + " has "
                + ids.length
                + " tokens, more than the transformer's context of "
                + context
                + " positions (model.transformer.context).");
      }
      if (q.padToken() < 0 && i > 0 && ids.length != seqs[0].length) {
        throw new BadInputException(
            where
                + ": the sequence in column "
                + q.tokens()
                + " has "
                + ids.length
                + " tokens, the first row "
                + seqs[0].length
                + "; every sequence must have one length (or set task.sequences.pad-token to"
                + " left-pad the shorter ones).");
      }
      seqs[i] = new int[ids.length];
      for (int k = 0; k < ids.length; k++) {
        if (ids[k] < 0 || ids[k] >= limit) {
          throw new BadInputException(
              where
                  + ": token id "
                  + ids[k]
                  + " at position "
                  + k
                  + " of column "
                  + q.tokens()
                  + " is not in the vocabulary: "
                  + allowed
                  + ".");
        }
        seqs[i][k] = (int) ids[k];
        maxId = Math.max(maxId, seqs[i][k]);
      }
      longest = Math.max(longest, ids.length);
      if (r.isNullAt(1)) {
        throw new BadInputException(where + ": target column " + q.target() + " is null.");
      }
      long t;
      try {
        t = csv ? Long.parseLong(r.getString(1).trim()) : r.getLong(1);
      } catch (NumberFormatException e) {
        throw new BadInputException(
            where
                + ": target \""
                + r.getString(1)
                + "\" in column "
                + q.target()
                + " is not an integer token id.");
      }
      if (t < 0 || t >= limit) {
        throw new BadInputException(
            where
                + ": target "
                + t
                + " in column "
                + q.target()
                + " is not in the vocabulary: "
                + allowed
                + ".");
      }
      targets[i] = (int) t;
      maxId = Math.max(maxId, targets[i]);
      if (hasSubtask) {
        String st = r.isNullAt(subIdx) ? "" : r.getString(subIdx).trim();
        if (st.isEmpty()) {
          throw new BadInputException(where + ": subtask column " + q.subtask() + " is empty.");
        }
        subtaskOf[i] = st;
      } else {
        subtaskOf[i] = "all";
      }
      if (hasSplit) {
        String sp = r.isNullAt(splitIdx) ? "" : r.getString(splitIdx).trim();
        if (!sp.equals("train") && !sp.equals("eval")) {
          throw new BadInputException(
              where
                  + ": split column "
                  + q.split()
                  + " is \""
                  + sp
                  + "\"; it must be train or eval.");
        }
        splitOf[i] = sp;
      }
    }
    int vocab = q.vocab() > 0 ? q.vocab() : maxId + 1;
    if (vocab < 2) {
      throw new BadInputException(
          "Table "
              + path
              + " uses the single token 0; a sequence task needs a vocabulary of at least two"
              + " (or set task.sequences.vocab).");
    }
    List<float[]> feats = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] x = new float[longest];
      int pad = longest - seqs[i].length;
      Arrays.fill(x, 0, pad, q.padToken());
      for (int k = 0; k < seqs[i].length; k++) {
        x[pad + k] = seqs[i][k];
      }
      feats.add(x);
    }
    org.subnetlab.task.Dataset[] split =
        splitAndCheck(
            feats,
            targets,
            subtaskOf,
            hasSplit ? splitOf : null,
            q.evalFraction(),
            seed,
            longest,
            vocab,
            path);
    org.subnetlab.task.Dataset train = split[0];
    org.subnetlab.task.Dataset test = split[1];
    List<String> names = train.subtaskNames();
    LOG.info(
        "Read sequences {}: {} rows ({} train, {} eval), length {}, vocabulary {}, subtasks {}",
        path,
        n,
        train.size(),
        test.size(),
        longest,
        vocab,
        names);
    return new TableTask("sequences", train, test);
  }

  /** Reads, checks and splits the table; every problem names the file, row or column. */
  public static TableTask read(SparkSession spark, TaskSettings.Table t, long seed) {
    checkPath(t);
    if (spark
        .sparkContext()
        .hadoopConfiguration()
        .get("fs.defaultFS", "file:///")
        .startsWith("file:")) {
      checkLocalFiles(t); // a path without a scheme is a local one
    }
    Dataset<Row> df;
    List<Row> rows;
    List<String> featureCols =
        t.featureColumns().isEmpty() ? List.of(t.features()) : t.featureColumns();
    boolean hasSubtask = !t.subtask().isBlank();
    boolean hasSplit = !t.split().isBlank();
    try {
      df =
          t.format().equals("csv")
              ? spark.read().option("header", "true").option("inferSchema", "true").csv(t.path())
              : spark.read().parquet(t.path());
      if (df.isEmpty()) {
        throw new BadInputException(
            "Table "
                + t.path()
                + " has no data rows"
                + (t.format().equals("csv")
                    ? " (its files are empty or hold only a header line)"
                    : "")
                + ".");
      }
      List<Column> select = new ArrayList<>();
      for (String c : featureCols) {
        DataType type = column(df, t, c, "features").dataType();
        boolean ok =
            t.featureColumns().isEmpty()
                ? type instanceof ArrayType a && a.elementType() instanceof NumericType
                : type instanceof NumericType;
        if (!ok) {
          throw new BadInputException(
              "Column "
                  + c
                  + " of table "
                  + t.path()
                  + " has type "
                  + type.simpleString()
                  + "; features must be "
                  + (t.featureColumns().isEmpty()
                      ? "an array of numbers (or name numeric columns in"
                          + " task.table.feature-columns)"
                      : "numbers")
                  + ".");
        }
        select.add(
            t.featureColumns().isEmpty()
                ? col("`" + c + "`").cast("array<double>")
                : col("`" + c + "`").cast("double"));
      }
      if (!(column(df, t, t.label(), "label").dataType() instanceof NumericType)) {
        throw new BadInputException(
            "Column " + t.label() + " of table " + t.path() + " must hold integer class labels.");
      }
      select.add(col("`" + t.label() + "`").cast("double"));
      for (String c : new String[] {hasSubtask ? t.subtask() : null, hasSplit ? t.split() : null}) {
        if (c != null) {
          DataType type = column(df, t, c, c.equals(t.subtask()) ? "subtask" : "split").dataType();
          if (!(type instanceof StringType)) {
            throw new BadInputException(
                "Column "
                    + c
                    + " of table "
                    + t.path()
                    + " must hold strings (it has type "
                    + type.simpleString()
                    + ").");
          }
          select.add(col("`" + c + "`"));
        }
      }
      select.add(input_file_name());
      rows = df.select(select.toArray(Column[]::new)).collectAsList();
    } catch (BadInputException e) {
      throw e;
    } catch (Exception e) {
      if (!isReadFailure(e)) {
        throw e;
      }
      throw unreadable(t, e);
    }
    int nf = featureCols.size();
    int arrayDim = -1;
    int d = t.featureColumns().isEmpty() ? -1 : nf;
    Map<String, Integer> rowInFile = new LinkedHashMap<>();
    int n = rows.size();
    int[] labels = new int[n];
    String[] subtaskOf = new String[n];
    String[] splitOf = new String[n];
    List<float[]> feats = new ArrayList<>(n);
    int labelIdx = nf;
    int next = nf + 1;
    int subIdx = hasSubtask ? next++ : -1;
    int splitIdx = hasSplit ? next++ : -1;
    int fileIdx = next;
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      String file = r.getString(fileIdx);
      int inFile = rowInFile.merge(file, 1, Integer::sum); // rows count from 1, headers not
      String where = "row " + inFile + " of " + shown(file, t.path());
      float[] x;
      if (t.featureColumns().isEmpty()) {
        if (r.isNullAt(0)) {
          throw new BadInputException(where + ": column " + t.features() + " is null.");
        }
        List<Double> v = r.getList(0);
        if (arrayDim < 0) {
          arrayDim = v.size();
          d = arrayDim;
        } else if (v.size() != arrayDim) {
          throw new BadInputException(
              where
                  + ": column "
                  + t.features()
                  + " has "
                  + v.size()
                  + " values, the first row "
                  + arrayDim
                  + ".");
        }
        x = new float[d];
        for (int k = 0; k < d; k++) {
          Double val = v.get(k);
          x[k] = val == null ? Float.NaN : val.floatValue();
        }
      } else {
        x = new float[d];
        for (int k = 0; k < d; k++) {
          x[k] = r.isNullAt(k) ? Float.NaN : (float) r.getDouble(k);
        }
      }
      for (int k = 0; k < d; k++) {
        if (!Float.isFinite(x[k])) {
          throw new BadInputException(
              where
                  + ": feature "
                  + k
                  + " ("
                  + (t.featureColumns().isEmpty()
                      ? t.features() + "[" + k + "]"
                      : featureCols.get(k))
                  + ") is "
                  + (Float.isNaN(x[k]) ? "NaN or null" : x[k])
                  + "; features must be finite numbers.");
        }
      }
      feats.add(x);
      if (r.isNullAt(labelIdx)) {
        throw new BadInputException(where + ": label column " + t.label() + " is null.");
      }
      double lab = r.getDouble(labelIdx);
      String badLabel = labelProblem(lab, t.numClasses());
      if (badLabel != null) {
        throw new BadInputException(
            where
                + ": label "
                + shownLabel(lab)
                + " in column "
                + t.label()
                + " is not a class: "
                + badLabel
                + ".");
      }
      labels[i] = (int) lab;
      if (hasSubtask) {
        String st = r.isNullAt(subIdx) ? "" : r.getString(subIdx).trim();
        if (st.isEmpty()) {
          throw new BadInputException(where + ": subtask column " + t.subtask() + " is empty.");
        }
        subtaskOf[i] = st;
      } else {
        subtaskOf[i] = "all";
      }
      if (hasSplit) {
        String sp = r.isNullAt(splitIdx) ? "" : r.getString(splitIdx).trim();
        if (!sp.equals("train") && !sp.equals("eval")) {
          throw new BadInputException(
              where
                  + ": split column "
                  + t.split()
                  + " is \""
                  + sp
                  + "\"; it must be train or eval.");
        }
        splitOf[i] = sp;
      }
    }
    int classes = t.numClasses() > 0 ? t.numClasses() : Arrays.stream(labels).max().getAsInt() + 1;
    if (classes < 2) {
      throw new BadInputException(
          "Table "
              + t.path()
              + " has a single class (label 0); a"
              + " classification task needs at least two (or set task.table.num-classes).");
    }
    org.subnetlab.task.Dataset[] split =
        splitAndCheck(
            feats,
            labels,
            subtaskOf,
            hasSplit ? splitOf : null,
            t.evalFraction(),
            seed,
            d,
            classes,
            t.path());
    org.subnetlab.task.Dataset train = split[0];
    org.subnetlab.task.Dataset test = split[1];
    List<String> names = train.subtaskNames();
    LOG.info(
        "Read table {}: {} rows ({} train, {} eval), {} features, {} classes, subtasks {}",
        t.path(),
        n,
        train.size(),
        test.size(),
        d,
        classes,
        names);
    return new TableTask(train, test);
  }

  /**
   * Why {@code lab} is not a class label, or null when it is one: labels are whole numbers in [0,
   * numClasses), or without {@code task.table.num-classes} in [0, the limit).
   */
  static String labelProblem(double lab, int numClasses) {
    int limit = numClasses > 0 ? numClasses : TaskSettings.Table.MAX_CLASSES;
    if (lab != Math.rint(lab) || lab < 0) {
      return "labels must be whole numbers in [0, "
          + limit
          + ")"
          + (numClasses > 0 ? " (task.table.num-classes = " + numClasses + ")" : "");
    }
    if (lab >= limit) {
      return numClasses > 0
          ? "task.table.num-classes = " + numClasses + " allows labels 0 to " + (numClasses - 1)
          : "a table task has at most " + limit + " classes (labels 0 to " + (limit - 1) + ")";
    }
    return null;
  }

  private static String shownLabel(double lab) {
    return lab == Math.rint(lab) && Math.abs(lab) < 1e15
        ? Long.toString((long) lab)
        : Double.toString(lab);
  }

  /**
   * Checks the local files Spark will read before it reads them, so that a truncated file or a file
   * of another kind is named with its reason: every file of the path (a folder: every file under it
   * whose name starts with neither "_" nor ".", as Spark reads them) must be a Parquet file (PAR1
   * at both ends) for format parquet, and text for format csv. Paths with a scheme (hdfs://,
   * s3a://...) or glob characters are left to Spark.
   */
  static void checkLocalFiles(TaskSettings.Table t) {
    checkLocalFiles(t.path(), t.format(), "task.table.path");
  }

  static void checkLocalFiles(String p, String format, String pathKey) {
    if (p.contains("://") || p.matches(".*[*?\\[{].*")) {
      return;
    }
    java.nio.file.Path root = java.nio.file.Path.of(p.startsWith("file:") ? p.substring(5) : p);
    if (!java.nio.file.Files.exists(root)) {
      throw new BadInputException(
          "Cannot read table " + p + ": no such file or folder (" + pathKey + ").");
    }
    List<java.nio.file.Path> files = new ArrayList<>();
    try (var walk = java.nio.file.Files.walk(root)) {
      walk.filter(
              f ->
                  java.nio.file.Files.isRegularFile(f)
                      && (f.equals(root) || !hiddenFromSpark(root, f)))
          .sorted()
          .forEach(files::add);
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new BadInputException("Cannot read table " + p + ": " + e.getMessage(), e);
    }
    for (java.nio.file.Path f : files) {
      String why = format.equals("parquet") ? notParquet(f) : notCsv(f);
      if (why != null) {
        throw new BadInputException(
            "Cannot read table "
                + p
                + ": "
                + f
                + " "
                + why
                + (java.nio.file.Files.isDirectory(root)
                    ? " (Spark reads every file in the folder"
                        + " whose name starts with neither _ nor .; move other files away)"
                    : "")
                + ".");
      }
    }
    if (format.equals("csv")
        && !files.isEmpty()
        && files.stream().noneMatch(SparkTasks::mayHoldDataRows)) {
      throw new BadInputException(
          "Table "
              + p
              + " has no data rows (its files are empty or hold"
              + " only a header line).");
    }
  }

  /**
   * Whether a CSV file has a non-blank line after its first (its header): reads up to that line.
   * Compressed files count as having data (Spark reads them).
   */
  private static boolean mayHoldDataRows(java.nio.file.Path f) {
    String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (n.matches(".*\\.(gz|bz2|zst|lz4|snappy|deflate|xz)$")) {
      return true;
    }
    try (var in =
        java.nio.file.Files.newBufferedReader(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
      int nonBlank = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank() && ++nonBlank == 2) {
          return true;
        }
      }
      return false;
    } catch (java.io.IOException e) {
      return true; // Spark reports it
    }
  }

  /** Spark skips files and folders whose names start with "_" or "." (below the root). */
  private static boolean hiddenFromSpark(java.nio.file.Path root, java.nio.file.Path f) {
    for (java.nio.file.Path part : root.relativize(f)) {
      String n = part.toString();
      if (n.startsWith("_") || n.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static final byte[] PAR1 = {'P', 'A', 'R', '1'};

  /** Why {@code f} is not a whole Parquet file, or null. */
  static String notParquet(java.nio.file.Path f) {
    try (var ch = java.nio.channels.FileChannel.open(f)) {
      long size = ch.size();
      if (size == 0) {
        return "is empty (0 bytes), not a Parquet file";
      }
      byte[] head = new byte[4];
      byte[] tail = new byte[4];
      ch.read(java.nio.ByteBuffer.wrap(head), 0);
      if (!java.util.Arrays.equals(head, PAR1)) {
        return "is not a Parquet file (it does not start with PAR1)";
      }
      if (size < 12) {
        return "is truncated: " + size + " bytes, shorter than any Parquet file";
      }
      ch.read(java.nio.ByteBuffer.wrap(tail), size - 4);
      if (!java.util.Arrays.equals(tail, PAR1)) {
        return "is truncated: it does not end with the Parquet footer (PAR1)";
      }
      byte[] len = new byte[4];
      ch.read(java.nio.ByteBuffer.wrap(len), size - 8);
      long footer =
          java.nio.ByteBuffer.wrap(len).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
              & 0xffffffffL;
      if (footer + 12 > size) {
        return "is damaged: its footer length ("
            + footer
            + " bytes) exceeds the file ("
            + size
            + " bytes)";
      }
      return null;
    } catch (java.io.IOException e) {
      return "cannot be read: " + e.getMessage();
    }
  }

  /** Why {@code f} is not a CSV text file, or null (compressed files are left to Spark). */
  static String notCsv(java.nio.file.Path f) {
    String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (n.matches(".*\\.(gz|bz2|zst|lz4|snappy|deflate|xz)$")) {
      return null;
    }
    try (var in = java.nio.file.Files.newInputStream(f)) {
      byte[] b = in.readNBytes(8192);
      for (byte x : b) {
        if (x == 0) {
          return "is not a CSV text file (it holds binary data)";
        }
      }
      return null;
    } catch (java.io.IOException e) {
      return "cannot be read: " + e.getMessage();
    }
  }

  /**
   * Whether {@code e} is Spark failing to read the files (an analysis error such as a missing path
   * or schema, an I/O error, or Parquet's own errors), not a failure of this code.
   */
  private static boolean isReadFailure(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof org.apache.spark.sql.AnalysisException
          || c instanceof java.io.IOException
          || c.getClass().getName().startsWith("org.apache.parquet.")
          || c instanceof org.apache.spark.SparkException
              && String.valueOf(c.getMessage()).contains("FAILED_READ_FILE")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The train and eval datasets of a read table (vectors or token sequences): rows whose {@code
   * splitOf} is "eval" (when given), else the seeded rule of {@code task/table/split} (each row
   * held out with probability {@code evalFraction}: the same rows for the same seed); refuses a
   * subtask without training or eval rows, naming {@code path}.
   */
  private static org.subnetlab.task.Dataset[] splitAndCheck(
      List<float[]> feats,
      int[] targets,
      String[] subtaskOf,
      String[] splitOf,
      double evalFraction,
      long seed,
      int width,
      int classes,
      String path) {
    int n = subtaskOf.length;
    List<String> names = new ArrayList<>(new TreeSet<>(Arrays.asList(subtaskOf)));
    boolean[] eval = new boolean[n];
    if (splitOf != null) {
      for (int i = 0; i < n; i++) {
        eval[i] = splitOf[i].equals("eval");
      }
    } else {
      SplittableRandom rng = Seeds.stream(seed, "task/table/split");
      for (int i = 0; i < n; i++) {
        eval[i] = rng.nextDouble() < evalFraction;
      }
    }
    org.subnetlab.task.Dataset train =
        dataset(feats, targets, subtaskOf, names, eval, false, width, classes);
    org.subnetlab.task.Dataset test =
        dataset(feats, targets, subtaskOf, names, eval, true, width, classes);
    for (String st : names) {
      if (train.subtask(st).size() == 0) {
        throw new BadInputException(
            "Subtask " + st + " of table " + path + " has no training rows.");
      }
      if (test.subtask(st).size() == 0) {
        throw new BadInputException("Subtask " + st + " of table " + path + " has no eval rows.");
      }
    }
    return new org.subnetlab.task.Dataset[] {train, test};
  }

  /** A failure of Spark reading the table, as bad input naming the file Spark names. */
  private static BadInputException unreadable(TaskSettings.Table t, Exception e) {
    return unreadable(t.path(), t.format(), e);
  }

  private static BadInputException unreadable(String path, String format, Exception e) {
    String file = null;
    String reason = null;
    java.util.regex.Pattern named =
        java.util.regex.Pattern.compile(
            "(?:reading file|footer for file:?|file) (file:[^ \\]\n]+|/[^ \\]\n]+)");
    for (Throwable c = e; c != null; c = c.getCause()) {
      String m = c.getMessage() == null ? "" : c.getMessage();
      java.util.regex.Matcher x = named.matcher(m);
      if (file == null && x.find()) {
        file = shown(x.group(1).replaceAll("[.,;:]$", ""), path);
      }
      if (!m.isBlank()) {
        reason = m.split("\n")[0];
      } else {
        reason = c.getClass().getSimpleName();
      }
    }
    return new BadInputException(
        "Cannot read table "
            + path
            + " as "
            + format
            + (file != null ? ": " + file : "")
            + ": "
            + reason,
        e);
  }

  /** A file Spark read, as a local path when it is one. */
  private static String shown(String file, String table) {
    if (file.isEmpty()) {
      return table;
    }
    if (file.startsWith("file:")) {
      try {
        return java.nio.file.Path.of(java.net.URI.create(file)).toString();
      } catch (IllegalArgumentException e) {
        return file;
      }
    }
    return file;
  }

  private static StructField column(
      Dataset<Row> df, TaskSettings.Table t, String name, String role) {
    return column(df, t.path(), name, role);
  }

  private static StructField column(Dataset<Row> df, String path, String name, String role) {
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new BadInputException(
        "Table "
            + path
            + " has no "
            + role
            + " column "
            + name
            + " (its columns: "
            + String.join(", ", df.columns())
            + ").");
  }

  private static org.subnetlab.task.Dataset dataset(
      List<float[]> feats,
      int[] labels,
      String[] subtaskOf,
      List<String> names,
      boolean[] eval,
      boolean wantEval,
      int d,
      int classes) {
    int m = 0;
    for (boolean e : eval) {
      m += e == wantEval ? 1 : 0;
    }
    float[] f = new float[m * d];
    int[] l = new int[m];
    int[] s = new int[m];
    int k = 0;
    for (int i = 0; i < labels.length; i++) {
      if (eval[i] == wantEval) {
        System.arraycopy(feats.get(i), 0, f, k * d, d);
        l[k] = labels[i];
        s[k] = names.indexOf(subtaskOf[i]);
        k++;
      }
    }
    return new org.subnetlab.task.Dataset(d, classes, f, l, s, names);
  }
}
