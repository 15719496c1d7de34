package org.subnetlab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Fault-injection cases: data, labels, config values and messages (issue 23 defects 4, 5, 7, 8,
 * 11).
 */
final class InputFaults implements FaultCases {
  /** What an interrupted command prints (org.subnetlab.cli.Interrupts). */
  static final String INTERRUPTED =
      "subnetlab: interrupted; finished runs are kept, run the same" + " command again to resume.";

  @Override
  public List<FaultCase> cases() {
    return List.of(
        FaultCase.of("a truncated Parquet table is named with its reason, before Spark", "23.4")
            .setup(
                ws -> {
                  Path whole = parquetTable(ws.path("whole.parquet"), 40);
                  byte[] b = Files.readAllBytes(whole);
                  ws.write("table/part-0.parquet", Arrays.copyOf(b, b.length / 2));
                  ws.write("t.conf", tableConf(ws.path("table"), "parquet", ""));
                })
            .args(ws -> run(ws, "t.conf"))
            .message(
                "Cannot read table ",
                "part-0.parquet is truncated: it does not end with" + " the Parquet footer (PAR1)")
            .then(
                (ws, r) -> {
                  assertThat(r.output()).contains(ws.path("table/part-0.parquet").toString());
                  assertThat(ws.path("out/.subnetlab.lock"))
                      .as("stopped before the lock and Spark")
                      .doesNotExist();
                }),
        FaultCase.of("a folder of mixed files as task.table.path names the odd file", "23.4")
            .setup(
                ws -> {
                  parquetTable(ws.path("table/a.parquet"), 40);
                  ws.write("table/notes.txt", "the labels are xor\n");
                  ws.write("table/_SUCCESS", "");
                  ws.write("t.conf", tableConf(ws.path("table"), "parquet", ""));
                })
            .args(ws -> run(ws, "t.conf"))
            .message(
                "notes.txt is not a Parquet file (it does not start with PAR1)",
                "move other files away")
            .then((ws, r) -> assertThat(r.output()).doesNotContain("a.parquet")),
        FaultCase.of("a label beyond the int range is named with its 1-based row", "23.5")
            .setup(
                ws -> {
                  ws.write("t.csv", csv(40, 7, "3000000000"));
                  ws.write("t.conf", tableConf(ws.path("t.csv"), "csv", ""));
                })
            .args(ws -> run(ws, "t.conf"))
            // Data row 7 (line 8 of the file, after the header).
            .message(
                "row 7 of ",
                "t.csv: label 3000000000 in column y is not a class: a table"
                    + " task has at most 1000000 classes (labels 0 to 999999).")
            .then(
                (ws, r) -> {
                  assertThat(r.output()).doesNotContain("single class").doesNotContain("bad_alloc");
                  assertThat(ws.path("out/model")).doesNotExist();
                }),
        FaultCase.of("masks.subtasks naming an unknown subtask is rejected before training", "23.7")
            .args(
                ws ->
                    List.of(
                        "run",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--set",
                        "masks.subtasks=[add, div]"))
            .message(
                "Cannot set masks.subtasks to [add, div]: div is not a subtask of task"
                    + " arithmetic (it has [add, mul])")
            .then(
                (ws, r) -> {
                  assertThat(ws.path("out/model")).doesNotExist();
                  assertThat(r.output()).doesNotContain("Training the base model");
                }),
        FaultCase.of("a zero-byte .zip model says it is empty, not a DL4J model", "23.11")
            .setup(
                ws -> {
                  ws.write("empty.zip", new byte[0]);
                  ws.write(
                      "m.conf",
                      "include \"tiny.conf\"\nmodel.import = \"" + ws.path("empty.zip") + "\"\n");
                  ws.conf("tiny.conf");
                })
            .args(ws -> run(ws, "m.conf"))
            .message(
                "Cannot import model ",
                "empty.zip (model.import) as a DL4J model: the"
                    + " file is empty (0 bytes), not a DL4J model.")
            .then((ws, r) -> assertThat(r.output()).doesNotContain("stream may have been closed")),
        FaultCase.of("a text file as a .h5 model is no HDF5 file, with no native dump", "23.11")
            .setup(
                ws -> {
                  ws.write("model.h5", "this is not a keras model\n");
                  ws.write(
                      "m.conf",
                      "include \"tiny.conf\"\nmodel.import = \"" + ws.path("model.h5") + "\"\n");
                  ws.conf("tiny.conf");
                })
            .args(ws -> run(ws, "m.conf"))
            .message(
                "model.h5 (model.import) as a Keras HDF5 model: it is not an HDF5 file (no"
                    + " HDF5 signature).")
            .then(
                (ws, r) -> {
                  assertThat(r.output()).doesNotContain("HDF5-DIAG");
                  assertThat(r.output().lines().count()).as(r.output()).isLessThan(5);
                }),
        FaultCase.of("a header-only CSV says it has no data rows, before Spark", "23.11")
            .setup(
                ws -> {
                  ws.write("t.csv", "x0,x1,y\n");
                  ws.write("t.conf", tableConf(ws.path("t.csv"), "csv", ""));
                })
            .args(ws -> run(ws, "t.conf"))
            .message("t.csv has no data rows (its files are empty or hold only a header line).")
            .then(
                (ws, r) -> {
                  assertThat(r.output()).doesNotContain("has type string");
                  assertThat(ws.path("out/.subnetlab.lock"))
                      .as("stopped before the lock and Spark")
                      .doesNotExist();
                }),
        FaultCase.of("a gzipped IDX file cut inside its data says so", "23.11")
            .setup(
                ws -> {
                  images(ws, new int[] {0, 1, 2, 1, 0, 2, 1, 0}, new int[] {0, 1, 2});
                  byte[] labels = new byte[3000];
                  new java.util.Random(23).nextBytes(labels); // incompressible: half the file is
                  byte[] gz = gzip(idx(new int[] {3000}, labels)); // about half the labels
                  ws.write("images/train-labels.gz", Arrays.copyOf(gz, gz.length / 2));
                  ws.write(
                      "images/train-images.gz", gzip(idx(new int[] {3000, 2, 2}, new byte[12000])));
                })
            .args(ws -> run(ws, "i.conf"))
            .message(
                "train-labels.gz is truncated: it ends inside its data (its header announces"
                    + " 3000 elements, [3000], the file holds ",
                "its gzip stream is cut off.")
            .then((ws, r) -> assertThat(r.output()).doesNotContain("inside its header")),
        FaultCase.of(
                "an IDX label far beyond the others, without class names, is out of range", "23.11")
            .setup(ws -> images(ws, new int[] {0, 1, 2, 200, 0, 2, 1, 0}, new int[] {0, 1, 2}))
            .args(ws -> run(ws, "i.conf"))
            .message(
                "Label 200 of item 4 in ",
                "train-labels.gz is out of range of the classes:",
                "no image has label 3 to 199")
            .then((ws, r) -> assertThat(r.output()).doesNotContain("has no training examples")),
        FaultCase.of("a repeated value in a swept list says the values must be distinct", "23.11")
            .args(
                ws ->
                    List.of(
                        "run",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--set",
                        "masks.csordas.alpha=[1e-5, 1e-5]"))
            .message(
                "Cannot set masks.csordas.alpha to [1.0E-5,1.0E-5]: the values must be"
                    + " distinct (each is one point of the sweep); value 2 (1.0E-5) repeats value 1")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()),
        FaultCase.of("SIGTERM during the sweep: one line, exit 143, and the sweep resumes", "23.11")
            .args(
                ws ->
                    List.of(
                        "run", ws.conf("tiny.conf").toString(), "--out", ws.path("out").toString()))
            .signalWhen("Mask sweep:", "TERM")
            .exit(143)
            .message(INTERRUPTED)
            .then(
                (ws, r) -> {
                  assertQuietInterrupt(r);
                  // Resumes: the lock is free, the model is reused, the missing runs are trained
                  // (train-masks: the sweep only; KillResumeTest runs the whole `run` again).
                  Workspace.Result again =
                      ws.cli(
                          "train-masks",
                          ws.conf("tiny.conf").toString(),
                          "--out",
                          ws.path("out").toString());
                  assertThat(again.exit()).as(again.output()).isZero();
                  assertThat(again.output()).contains("Mask sweep: 8 runs");
                  try (var masks = Files.list(ws.path("out/masks"))) {
                    assertThat(masks.filter(f -> f.toString().endsWith(".parquet")).count())
                        .isEqualTo(8);
                  }
                }),
        FaultCase.of("Ctrl-C (SIGINT) during the sweep: one line and exit 130", "23.11")
            .setup(ws -> assumeSigintNotIgnored())
            .args(
                ws ->
                    List.of(
                        "run", ws.conf("tiny.conf").toString(), "--out", ws.path("out").toString()))
            .signalWhen("Mask sweep:", "INT")
            .exit(130)
            .message(INTERRUPTED)
            .then((ws, r) -> assertQuietInterrupt(r)));
  }

  private static List<String> run(Workspace ws, String conf) {
    return List.of("run", ws.path(conf).toString(), "--out", ws.path("out").toString());
  }

  /** No trace, no Spark error about the cancelled job: the one line and the log before it. */
  static void assertQuietInterrupt(Workspace.Result r) {
    assertThat(FaultSuiteTest.TRACE.matcher(r.output()).find()).as(r.output()).isFalse();
    assertThat(r.output())
        .as(r.output())
        .doesNotContain("cancelled", " ERROR ", "SparkContext was shut down");
    String tail = r.output().strip();
    assertThat(tail.substring(tail.lastIndexOf('\n') + 1)).isEqualTo(INTERRUPTED);
  }

  /**
   * A process started with SIGINT ignored (a background job of a shell without job control) passes
   * that on: the CLI then keeps ignoring Ctrl-C, as it should, and the case cannot run.
   */
  static void assumeSigintNotIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      throw new org.opentest4j.TestAbortedException("no /proc/self/status to read SigIgn from");
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        if ((mask & (1L << 1)) != 0) {
          throw new org.opentest4j.TestAbortedException("SIGINT is ignored by this test JVM");
        }
      }
    }
  }

  /** A table task on {@code table}: features x0, x1, label y (xor of the two). */
  static String tableConf(Path table, String format, String extra) {
    return "task { name = table, table { path = \""
        + table
        + "\", format = "
        + format
        + ", feature-columns = [x0, x1], label = y } }\nmodel { hidden = [8], epochs = 2 }\n"
        + extra;
  }

  /**
   * A CSV of {@code n} data rows (x0, x1, y = x0 xor x1); data row {@code row} (1-based) gets label
   * {@code label}.
   */
  static String csv(int n, int row, String label) {
    StringBuilder sb = new StringBuilder("x0,x1,y\n");
    for (int i = 1; i <= n; i++) {
      int a = i % 2;
      int b = (i / 2) % 2;
      sb.append(a)
          .append(',')
          .append(b)
          .append(',')
          .append(i == row ? label : (a ^ b))
          .append('\n');
    }
    return sb.toString();
  }

  static final MessageType TABLE =
      MessageTypeParser.parseMessageType(
          "message t { required double x0; required double x1; required int64 y; }");

  /** A Parquet table file of {@code n} rows of the xor task, written with parquet-java. */
  static Path parquetTable(Path file, int n) throws IOException {
    Files.createDirectories(file.getParent());
    SimpleGroupFactory rows = new SimpleGroupFactory(TABLE);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(TABLE)
            .build()) {
      for (int i = 0; i < n; i++) {
        int a = i % 2;
        int b = (i / 2) % 2;
        w.write(
            rows.newGroup()
                .append("x0", (double) a)
                .append("x1", (double) b)
                .append("y", (long) (a ^ b)));
      }
    }
    return file;
  }

  /** IDX files of 2×2 images with these labels (gzipped train, plain eval), and i.conf. */
  static void images(Workspace ws, int[] train, int[] eval) throws IOException {
    ws.write(
        "images/train-images.gz",
        gzip(idx(new int[] {train.length, 2, 2}, new byte[train.length * 4])));
    ws.write("images/train-labels.gz", gzip(idx(new int[] {train.length}, bytes(train))));
    ws.write("images/eval-images", idx(new int[] {eval.length, 2, 2}, new byte[eval.length * 4]));
    ws.write("images/eval-labels", idx(new int[] {eval.length}, bytes(eval)));
    ws.write(
        "i.conf",
        "task { name = images, images { dir = \""
            + ws.path("images")
            + "\", train-images = train-images.gz, train-labels = train-labels.gz,"
            + " eval-images = eval-images, eval-labels = eval-labels } }\n"
            + "model { hidden = [8], epochs = 2 }\n");
  }

  private static byte[] bytes(int[] labels) {
    byte[] b = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      b[i] = (byte) labels[i];
    }
    return b;
  }

  /** An IDX file of unsigned bytes. */
  static byte[] idx(int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(0x0800 | dims.length);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    return b.toByteArray();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write(data);
    }
    return b.toByteArray();
  }
}
