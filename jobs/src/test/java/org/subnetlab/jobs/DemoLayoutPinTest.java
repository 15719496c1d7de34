package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * Pins the output layout of a demo-like sweep ({@code pin/demo-pin.conf}: conf/demo.conf shrunk) to
 * what an earlier version wrote: the run ids, the SHA-256 of each run's mask bits, and every value
 * of the sparsity, overlap and ablation tables, doubles compared exactly (as hex). The expected
 * file {@code pin/demo-layout.txt} was recorded before a restructuring (its header names the
 * commit); a restructuring that changes a run id, a mask bit or a table value fails here.
 *
 * <p>To record it again (only when a change of results is intended, and said in CHANGELOG.md):
 *
 * <pre>
 * mvn -B -o -q -pl jobs -am test -Dtest=DemoLayoutPinTest -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dsubnetlab.pin.record=$PWD/jobs/src/test/resources/pin/demo-layout.txt
 * </pre>
 */
class DemoLayoutPinTest {
  private static final String RECORD = "subnetlab.pin.record";
  private static final List<String> TABLES = List.of("sparsity", "overlap", "ablation");

  @TempDir Path dir;

  @Test
  void runIdsMaskBitsAndTablesAreThoseOfThePinnedLayout() throws IOException {
    SparkSession spark = SparkSessions.local("demo-layout-pin", "local[2]");
    List<String> lines;
    try {
      Settings s = ConfigLoader.load(copy("pin/demo-pin.conf"), List.of());
      OutputLayout out = OutputLayout.prepare(dir.resolve("out"));
      // the stages of `run` that make the tables (the summary text and the report only read them)
      TrainMasksJob.sweep(spark, s, out, TrainModelJob.run(spark, s, out));
      AggregateJob.run(spark, s, out);
      lines = layout(spark, out);
    } finally {
      spark.stop();
    }
    String record = System.getProperty(RECORD, "");
    if (!record.isEmpty()) {
      List<String> file = new ArrayList<>();
      file.add("# DemoLayoutPinTest's expected layout; recorded at commit " + commit() + ".");
      file.add("# Regenerate: see DemoLayoutPinTest's Javadoc (-D" + RECORD + "=<this file>).");
      file.addAll(lines);
      Files.write(Path.of(record), file, StandardCharsets.UTF_8);
      return;
    }
    List<String> expected = new ArrayList<>();
    try (InputStream in = getClass().getResourceAsStream("/pin/demo-layout.txt")) {
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!l.isEmpty() && !l.startsWith("#")) {
          expected.add(l);
        }
      }
    }
    // 8 runs: the pin is not empty, and each table contributed rows.
    assertThat(expected.stream().filter(l -> l.startsWith("run\t"))).hasSize(8);
    for (String t : TABLES) {
      assertThat(expected.stream().filter(l -> l.startsWith(t + "\t"))).isNotEmpty();
    }
    assertThat(lines).containsExactlyElementsOf(expected);
  }

  /**
   * The layout as sorted lines: "run" lines (run id, method, subtask, seed, model seed,
   * hyperparameters, SHA-256 of the run's bits over its layers in order, from its committed mask
   * file's table rows), "bits" lines per layer, and one line per row of each pinned table.
   */
  static List<String> layout(SparkSession spark, OutputLayout out) {
    List<String> lines = new ArrayList<>();
    Map<String, TreeMap<Integer, byte[]>> bits = new TreeMap<>();
    Map<String, String> runs = new TreeMap<>();
    for (Row r : spark.read().parquet(out.table("masks").toString()).collectAsList()) {
      String id = r.getAs("run_id");
      byte[] b = r.getAs("bits");
      bits.computeIfAbsent(id, k -> new TreeMap<>()).put(r.<Integer>getAs("layer_index"), b);
      runs.put(
          id,
          r.getAs("method")
              + "\t"
              + r.getAs("subtask")
              + "\tseed="
              + r.getAs("seed")
              + "\tmodel_seed="
              + r.getAs("model_seed")
              + "\t"
              + new TreeMap<>(r.<String, String>getJavaMap(r.fieldIndex("hyperparameters"))));
      lines.add(
          "bits\t"
              + id
              + "\t"
              + r.getAs("layer")
              + "\tn_params="
              + r.getAs("n_params")
              + "\tn_kept="
              + r.getAs("n_kept")
              + "\t"
              + sha256(b));
    }
    assertThat(MaskFiles.committed(out.masks())).isEqualTo(runs.keySet());
    for (Map.Entry<String, String> e : runs.entrySet()) {
      MessageDigest md = digest();
      bits.get(e.getKey()).values().forEach(md::update);
      lines.add(
          "run\t"
              + e.getKey()
              + "\t"
              + e.getValue()
              + "\t"
              + HexFormat.of().formatHex(md.digest()));
    }
    for (String t : TABLES) {
      var table = spark.read().parquet(out.table(t).toString());
      StructField[] fields = table.schema().fields();
      for (Row r : table.collectAsList()) {
        StringBuilder sb = new StringBuilder(t);
        for (int i = 0; i < fields.length; i++) {
          sb.append('\t').append(fields[i].name()).append('=').append(value(r.get(i)));
        }
        lines.add(sb.toString());
      }
    }
    lines.sort(null);
    return lines;
  }

  private static String value(Object v) {
    if (v instanceof Double d) {
      return Double.toHexString(d);
    }
    if (v instanceof Float f) {
      return Float.toHexString(f);
    }
    if (v instanceof byte[] b) {
      return sha256(b);
    }
    return String.valueOf(v);
  }

  private static String sha256(byte[] b) {
    return HexFormat.of().formatHex(digest().digest(b));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path copy(String resource) throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/" + resource)) {
      Path f = dir.resolve(Path.of(resource).getFileName());
      Files.copy(in, f);
      return f;
    }
  }

  /** The commit of the working tree, for the recorded file's header. */
  private static String commit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String h = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? h : "(unknown)";
    } catch (IOException | InterruptedException e) {
      return "(unknown)";
    }
  }
}
