package org.subnetlab.jobs;

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
import org.apache.spark.sql.AnalysisException;
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
import org.subnetlab.task.Seeds;
import org.subnetlab.task.TableTask;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/**
 * The task of a config, on the driver and on executors. Built-in tasks are rebuilt from their
 * settings wherever they are needed; a table the user brings ({@code task.name = table}) is read
 * through Spark once on the driver, checked row by row, and shipped to executors as a broadcast.
 */
public final class SparkTasks {
  private static final Logger LOG = LoggerFactory.getLogger(SparkTasks.class);
  private static final Map<String, TableTask> TABLES = new ConcurrentHashMap<>();

  private SparkTasks() {}

  /** How an executor gets the task. */
  public static final class Ref implements Serializable {
    private final TaskSettings settings;
    private final long seed;
    private final Broadcast<Task> table;

    private Ref(TaskSettings settings, long seed, Broadcast<Task> table) {
      this.settings = settings;
      this.seed = seed;
      this.table = table;
    }

    public Task get() {
      return table != null ? table.value() : ExecutorCache.task(settings, seed);
    }
  }

  /** The task on the driver. */
  public static Task create(SparkSession spark, Settings s) {
    if (!s.task().name().equals("table")) {
      return Tasks.create(s);
    }
    TaskSettings.Table t = s.task().table();
    return TABLES.computeIfAbsent(t + "|" + s.seed(), k -> read(spark, t, s.seed()));
  }

  /** The task for executors: settings for built-in tasks, a broadcast of a table. */
  public static Ref ref(SparkSession spark, Settings s) {
    if (!s.task().name().equals("table")) {
      return new Ref(s.task(), s.seed(), null);
    }
    Task task = create(spark, s);
    return new Ref(s.task(), s.seed(),
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(task));
  }

  /** Reads, checks and splits the table; every problem names the file, row or column. */
  static TableTask read(SparkSession spark, TaskSettings.Table t, long seed) {
    if (t.path().isBlank()) {
      throw new BadInputException("Cannot set task.table.path to \"\": task.name = table needs"
          + " the path of the table.");
    }
    Dataset<Row> df;
    try {
      df = t.format().equals("csv")
          ? spark.read().option("header", "true").option("inferSchema", "true").csv(t.path())
          : spark.read().parquet(t.path());
    } catch (Exception e) {
      if (e instanceof AnalysisException || e.getCause() instanceof java.io.IOException) {
        throw new BadInputException("Cannot read table " + t.path() + " as " + t.format() + ": "
            + e.getMessage().split("\n")[0], e);
      }
      throw e;
    }
    List<String> columns = Arrays.asList(df.columns());
    List<Column> select = new ArrayList<>();
    List<String> featureCols = t.featureColumns().isEmpty() ? List.of(t.features())
        : t.featureColumns();
    for (String c : featureCols) {
      DataType type = column(df, t, c, "features").dataType();
      boolean ok = t.featureColumns().isEmpty()
          ? type instanceof ArrayType a && a.elementType() instanceof NumericType
          : type instanceof NumericType;
      if (!ok) {
        throw new BadInputException("Column " + c + " of table " + t.path() + " has type "
            + type.simpleString() + "; features must be "
            + (t.featureColumns().isEmpty() ? "an array of numbers (or name numeric columns in"
            + " task.table.feature-columns)" : "numbers") + ".");
      }
      select.add(t.featureColumns().isEmpty()
          ? col("`" + c + "`").cast("array<double>") : col("`" + c + "`").cast("double"));
    }
    if (!(column(df, t, t.label(), "label").dataType() instanceof NumericType)) {
      throw new BadInputException("Column " + t.label() + " of table " + t.path()
          + " must hold integer class labels.");
    }
    select.add(col("`" + t.label() + "`").cast("double"));
    boolean hasSubtask = !t.subtask().isBlank();
    boolean hasSplit = !t.split().isBlank();
    for (String c : new String[] {hasSubtask ? t.subtask() : null, hasSplit ? t.split() : null}) {
      if (c != null) {
        DataType type = column(df, t, c, c.equals(t.subtask()) ? "subtask" : "split").dataType();
        if (!(type instanceof StringType)) {
          throw new BadInputException("Column " + c + " of table " + t.path()
              + " must hold strings (it has type " + type.simpleString() + ").");
        }
        select.add(col("`" + c + "`"));
      }
    }
    select.add(input_file_name());
    List<Row> rows = df.select(select.toArray(Column[]::new)).collectAsList();
    if (rows.isEmpty()) {
      throw new BadInputException("Table " + t.path() + " has no rows.");
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
      int inFile = rowInFile.merge(file, 1, Integer::sum) - 1;
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
          throw new BadInputException(where + ": column " + t.features() + " has " + v.size()
              + " values, the first row " + arrayDim + ".");
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
          throw new BadInputException(where + ": feature " + k + " ("
              + (t.featureColumns().isEmpty() ? t.features() + "[" + k + "]"
              : featureCols.get(k)) + ") is " + (Float.isNaN(x[k]) ? "NaN or null" : x[k])
              + "; features must be finite numbers.");
        }
      }
      feats.add(x);
      if (r.isNullAt(labelIdx)) {
        throw new BadInputException(where + ": label column " + t.label() + " is null.");
      }
      double lab = r.getDouble(labelIdx);
      if (lab != Math.rint(lab) || lab < 0 || (t.numClasses() > 0 && lab >= t.numClasses())) {
        throw new BadInputException(where + ": label " + (lab == Math.rint(lab)
            ? String.valueOf((long) lab) : String.valueOf(lab)) + " in column " + t.label()
            + " is not a class in [0, " + (t.numClasses() > 0 ? t.numClasses() : "∞") + ").");
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
          throw new BadInputException(where + ": split column " + t.split() + " is \"" + sp
              + "\"; it must be train or eval.");
        }
        splitOf[i] = sp;
      }
    }
    int classes = t.numClasses() > 0 ? t.numClasses()
        : Arrays.stream(labels).max().getAsInt() + 1;
    if (classes < 2) {
      throw new BadInputException("Table " + t.path() + " has a single class (label 0); a"
          + " classification task needs at least two (or set task.table.num-classes).");
    }
    List<String> names = new ArrayList<>(new TreeSet<>(Arrays.asList(subtaskOf)));
    boolean[] eval = new boolean[n];
    if (hasSplit) {
      for (int i = 0; i < n; i++) {
        eval[i] = splitOf[i].equals("eval");
      }
    } else {
      SplittableRandom rng = Seeds.stream(seed, "task/table/split");
      for (int i = 0; i < n; i++) {
        eval[i] = rng.nextDouble() < t.evalFraction();
      }
    }
    org.subnetlab.task.Dataset train = dataset(feats, labels, subtaskOf, names, eval, false, d,
        classes);
    org.subnetlab.task.Dataset test = dataset(feats, labels, subtaskOf, names, eval, true, d,
        classes);
    for (String st : names) {
      if (train.subtask(st).size() == 0) {
        throw new BadInputException("Subtask " + st + " of table " + t.path()
            + " has no training rows.");
      }
      if (test.subtask(st).size() == 0) {
        throw new BadInputException("Subtask " + st + " of table " + t.path()
            + " has no eval rows.");
      }
    }
    LOG.info("Read table {}: {} rows ({} train, {} eval), {} features, {} classes, subtasks {}",
        t.path(), n, train.size(), test.size(), d, classes, names);
    return new TableTask(train, test);
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

  private static StructField column(Dataset<Row> df, TaskSettings.Table t, String name,
      String role) {
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new BadInputException("Table " + t.path() + " has no " + role + " column " + name
        + " (its columns: " + String.join(", ", df.columns()) + ").");
  }

  private static org.subnetlab.task.Dataset dataset(List<float[]> feats, int[] labels,
      String[] subtaskOf, List<String> names, boolean[] eval, boolean wantEval, int d,
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
