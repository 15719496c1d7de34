package org.subnetlab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.subnetlab.jobs.output.SparkPaths;
import org.subnetlab.jobs.spark.SparkSessions;

/** Fault-injection cases: spaces, non-ASCII and odd paths (issue 23 defects 1, 6, 8, 11). */
final class PathFaults implements FaultCases {
  /** The acceptance path of issue 23: a space and a non-ASCII character. */
  static final String SPACED = "out/with space/ü";

  /** The characters Hadoop's Path or Spark's readers treat specially. */
  static final String ODD_CHARS = "% # : = [ ] { } * ?";

  /** A config name with a space, non-ASCII and each of {@link #ODD_CHARS}. */
  static final String ODD_NAME = "my conf ü 100% #1 a:b=c [x] {y,z} *?";

  /**
   * Issue 23's acceptance: a whole sweep in {@link #SPACED} has the tables of the plain sweep. Two
   * sweeps, so it runs on its own ({@link SpacedOutputSweepTest}), not in the suite.
   */
  static FaultCase spacedSweep() {
    return FaultCase.of(
            "a sweep in --out \"" + SPACED + "\" has the tables of the plain sweep", "23.1")
        .args(
            ws ->
                List.of(
                    "run", ws.conf("tiny.conf").toString(), "--out", ws.path(SPACED).toString()))
        .exit(0)
        .timeout(600)
        .then(
            (ws, r) -> {
              Path spaced = ws.path(SPACED);
              assertThat(spaced.resolve("report/index.html")).isRegularFile();
              assertThat(Workspace.files(spaced.resolve("masks")))
                  .filteredOn(f -> f.endsWith(".parquet"))
                  .hasSize(8);
              assertSameTables(spaced, Workspace.finished());
              assertThat(ws.path("out")).isDirectory();
              try (Stream<Path> s = Files.list(ws.path("out"))) {
                assertThat(s.map(f -> f.getFileName().toString())).containsExactly("with space");
              }
            });
  }

  @Override
  public List<FaultCase> cases() {
    return List.of(
        FaultCase.of(
                "a config named with a space and "
                    + ODD_CHARS
                    + " runs end to end into"
                    + " out/<name>",
                "23.1")
            .setup(
                ws -> {
                  Path out = ws.finishedSweep("out/" + ODD_NAME);
                  Files.copy(ws.conf("tiny.conf"), ws.path(ODD_NAME + ".conf"));
                  delete(out.resolve("tables"));
                  delete(out.resolve("report"));
                })
            .args(ws -> List.of("run", ODD_NAME + ".conf"))
            .exit(0)
            .timeout(600)
            .then(
                (ws, r) -> {
                  Path out = ws.path("out/" + ODD_NAME);
                  for (String t : List.of("masks", "sparsity", "overlap", "ablation", "summary")) {
                    assertThat(out.resolve("tables").resolve(t).resolve("_SUCCESS"))
                        .isRegularFile();
                  }
                  assertThat(out.resolve("report/index.html")).isRegularFile();
                  // glob characters in the path: every mask file read once (SPARK-58518)
                  assertSameTables(out, Workspace.finished());
                  try (Stream<Path> s = Files.list(ws.path("out"))) {
                    assertThat(s.map(f -> f.getFileName().toString())).containsExactly(ODD_NAME);
                  }
                }),
        FaultCase.of("--out \"\" is refused, nothing is written in the current directory", "23.6")
            .args(ws -> List.of("run", ws.conf("tiny.conf").toString(), "--out", ""))
            .message("Cannot use --out \"\": it names no directory")
            .then((ws, r) -> assertOnly(ws, "tiny.conf")),
        FaultCase.of("report --out \"\" is refused", "23.6")
            .args(ws -> List.of("report", "--out", ""))
            .message("Cannot use --out \"\": it names no directory")
            .then((ws, r) -> assertOnly(ws)),
        FaultCase.of("export --to \"\" is refused before Spark starts", "23.6")
            .setup(ws -> ws.write("some-out/tables/.keep", ""))
            .args(ws -> List.of("export", "--out", ws.path("some-out").toString(), "--to", ""))
            .message("Cannot use --to \"\": it names no directory")
            .then((ws, r) -> assertOnly(ws, "some-out/tables/.keep")),
        FaultCase.of("--master foo names the value and the accepted forms", "23.8")
            .args(
                ws ->
                    List.of(
                        "run",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--master",
                        "foo"))
            .message("Cannot use --master foo:", "local[N]", "local[*]", "spark://HOST:PORT")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()),
        FaultCase.of("a directory as the config file is said to be one", "23.11")
            .setup(ws -> Files.createDirectories(ws.path("conf.d")))
            .args(
                ws ->
                    List.of(
                        "run", ws.path("conf.d").toString(), "--out", ws.path("out").toString()))
            .message("Cannot read config file ", "conf.d: it is a directory.")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()),
        FaultCase.of("a FIFO as the config file is not opened, and said to be one", "23.11")
            .setup(ws -> mkfifo(ws.path("pipe.conf")))
            .args(
                ws ->
                    List.of(
                        "run", ws.path("pipe.conf").toString(), "--out", ws.path("out").toString()))
            .message("pipe.conf: it is a FIFO (named pipe), not a regular file.")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()),
        FaultCase.of("/dev/null as the config file is said to be a device", "23.11")
            .args(ws -> List.of("run", "/dev/null", "--out", ws.path("out").toString()))
            .message(
                "Cannot read config file /dev/null: it is a character device, not a "
                    + "regular file.")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()),
        FaultCase.of("a directory as model.import is said to be one", "23.11")
            .setup(ws -> Files.createDirectories(ws.path("model.zip")))
            .args(
                ws ->
                    List.of(
                        "train-model",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--set",
                        "model.import=\"" + ws.path("model.zip") + "\""))
            .message("Cannot set model.import to ", "model.zip: it is a directory.")
            .then((ws, r) -> assertThat(ws.path("out/model")).doesNotExist()),
        FaultCase.of("a FIFO as model.import is not opened, and said to be one", "23.11")
            .setup(ws -> mkfifo(ws.path("model.h5")))
            .args(
                ws ->
                    List.of(
                        "train-model",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--set",
                        "model.import=\"" + ws.path("model.h5") + "\""))
            .message("model.h5: it is a FIFO (named pipe), not a regular file.")
            .then((ws, r) -> assertThat(ws.path("out/model")).doesNotExist()),
        FaultCase.of("/proc/x as --out gives the file system's reason", "23.11")
            .args(ws -> List.of("run", ws.conf("tiny.conf").toString(), "--out", "/proc/x"))
            .message(
                "Cannot write to output directory /proc/x: no such file or directory",
                "/proc (a proc file system) does not allow creating it")
            .then((ws, r) -> assertOnly(ws, "tiny.conf")),
        FaultCase.of("/proc/x as export --to gives the reason, before Spark starts", "23.11")
            .setup(ws -> ws.write("some-out/tables/.keep", ""))
            .args(
                ws -> List.of("export", "--out", ws.path("some-out").toString(), "--to", "/proc/x"))
            .message(
                "Cannot write to --to directory /proc/x: no such file or directory",
                "/proc (a proc file system) does not allow creating it")
            .then((ws, r) -> assertThat(r.output()).doesNotContain("SparkContext")),
        FaultCase.of("a bad --set key is blamed on the --set option, not the config file", "23.11")
            .args(
                ws ->
                    List.of(
                        "run",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--set",
                        "masks.sedes=[1]"))
            .message(
                "Invalid --set option:",
                "unknown key masks.sedes (--set masks.sedes=[1]); see reference.conf")
            .then(
                (ws, r) -> {
                  assertThat(r.output()).doesNotContain("tiny.conf").doesNotContain("String: 1");
                  assertThat(ws.path("out")).doesNotExist();
                }),
        FaultCase.of("bad keys of the file and of --set are each blamed on their origin", "23.11")
            .setup(ws -> ws.write("bad.conf", "seed = 1\nmasks.foo = 2\n"))
            .args(
                ws ->
                    List.of(
                        "run",
                        ws.path("bad.conf").toString(),
                        "--out",
                        ws.path("out").toString(),
                        "--set",
                        "masks.sedes=[1]",
                        "--set",
                        "seed=3"))
            .message(
                "Invalid config ",
                "bad.conf:",
                "unknown key masks.foo (",
                "bad.conf: 2)",
                "unknown key masks.sedes (--set masks.sedes=[1])")
            .then((ws, r) -> assertThat(ws.path("out")).doesNotExist()));
  }

  /** Every table of {@code a} equals that of {@code b}: same tables, same rows (as JSON). */
  static void assertSameTables(Path a, Path b) throws Exception {
    List<String> names = tableNames(b);
    assertThat(names).contains("masks", "sparsity", "overlap", "ablation", "summary");
    assertThat(tableNames(a)).isEqualTo(names);
    SparkSession spark = SparkSessions.local("path-faults", "local[2]");
    try {
      Map<String, Integer> sizes = new LinkedHashMap<>();
      for (String t : names) {
        List<String> rowsA = rows(spark, a.resolve("tables").resolve(t));
        List<String> rowsB = rows(spark, b.resolve("tables").resolve(t));
        assertThat(rowsA).as("table " + t).isNotEmpty().isEqualTo(rowsB);
        sizes.put(t, rowsA.size());
      }
      System.out.println("Same tables in " + a + " and " + b + ": " + sizes);
    } finally {
      spark.stop();
    }
  }

  /** Wall-clock columns, which differ between two runs of the same sweep. */
  static final List<String> WALL_CLOCK = List.of("wall_ms");

  /**
   * A table's rows as JSON lines (binary columns in base64), without wall-clock columns, sorted.
   */
  static List<String> rows(SparkSession spark, Path table) {
    List<String> rows =
        new ArrayList<>(
            SparkPaths.parquet(spark, table)
                .drop(WALL_CLOCK.toArray(String[]::new))
                .toJSON()
                .collectAsList());
    rows.sort(null);
    return rows;
  }

  static List<String> tableNames(Path out) throws Exception {
    try (Stream<Path> s = Files.list(out.resolve("tables"))) {
      return s.filter(Files::isDirectory)
          .map(f -> f.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    }
  }

  /** The case's directory holds only these files (relative), and no directory but theirs. */
  static void assertOnly(Workspace ws, String... files) {
    assertThat(Workspace.files(ws.dir())).containsExactlyInAnyOrder(files);
    try (Stream<Path> s = Files.walk(ws.dir())) {
      List<String> dirs =
          s.filter(Files::isDirectory)
              .filter(d -> !d.equals(ws.dir()))
              .map(d -> ws.dir().relativize(d).toString())
              .toList();
      assertThat(dirs)
          .allMatch(
              d -> Stream.of(files).anyMatch(f -> f.startsWith(d + "/")),
              "directories of the listed files only");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void mkfifo(Path p) throws Exception {
    Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertThat(mk.waitFor()).isZero();
  }

  static void delete(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
