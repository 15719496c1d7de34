package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.TableExport;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.model.ModelStore;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/** The whole pipeline on a real local SparkSession, real Parquet files and real DL4J models. */
class PipelineTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Settings settings;
  static OutputLayout out;

  @BeforeAll
  static void runPipeline() {
    spark = SparkSessions.local("pipeline-test", "local[2]");
    settings = ConfigLoader.load(TestConfigs.copy("tiny.conf", dir), List.of());
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings, out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static List<Row> table(String name) {
    return spark.read().parquet(out.table(name).toString()).collectAsList();
  }

  @Test
  void writesAllFourTablesWithTheDocumentedColumns() {
    assertThat(spark.read().parquet(out.table("masks").toString()).columns())
        .contains(
            "run_id",
            "method",
            "subtask",
            "seed",
            "hyperparameters",
            "layer",
            "n_params",
            "n_kept",
            "bits",
            "train_steps",
            "final_loss",
            "wall_ms");
    assertThat(spark.read().parquet(out.table("sparsity").toString()).columns())
        .contains(
            "run_id",
            "method",
            "subtask",
            "seed",
            "layer",
            "n_params",
            "n_kept",
            "density",
            "sparsity");
    assertThat(spark.read().parquet(out.table("overlap").toString()).columns())
        .contains(
            "run_a",
            "run_b",
            "method_a",
            "method_b",
            "subtask_a",
            "subtask_b",
            "seed_a",
            "seed_b",
            "layer",
            "intersection",
            "union",
            "jaccard",
            "share_a_in_b",
            "share_b_in_a");
    assertThat(spark.read().parquet(out.table("ablation").toString()).columns())
        .contains(
            "run_id",
            "method",
            "mask_subtask",
            "seed",
            "eval_subtask",
            "mode",
            "accuracy",
            "loss",
            "n_examples");
    // 8 runs, 4 parameter blocks (0_W, 0_b, 1_W, 1_b).
    assertThat(table("masks")).hasSize(8 * 4);
    assertThat(table("sparsity")).hasSize(8 * 5);
    assertThat(table("overlap")).hasSize(8 * 7 / 2 * 5);
    // 8 masks x 2 eval subtasks x (full, subnetwork, removed, removed_exclusive, 3 x 2 random).
    assertThat(table("ablation")).hasSize(8 * 2 * 10);
    // 2 methods x 2 subtasks x 5 layers (4 blocks + ALL), once per grid point and once over the
    // selected masks.
    assertThat(table("summary")).hasSize(2 * 2 * 5 * 2);
    assertThat(Files.exists(out.report().resolve("summary.md"))).isTrue();
  }

  @Test
  void overlapTableEqualsCountsOfTheMaskBitsUnpackedOneByOne() {
    // Independent of PackedBits / OverlapCounts (which the table's UDFs call): every mask bit is
    // unpacked as documented (little-endian, bit i of the layer = bit i % 8 of byte i / 8) and the
    // pairs are counted bit by bit.
    Map<String, boolean[]> bits = new HashMap<>();
    for (Row r : table("masks")) {
      byte[] packed = r.getAs("bits");
      boolean[] b = new boolean[(int) (long) r.<Long>getAs("n_params")];
      for (int i = 0; i < b.length; i++) {
        b[i] = ((packed[i / 8] >> (i % 8)) & 1) == 1;
      }
      bits.put(r.getAs("run_id") + "/" + r.getAs("layer"), b);
    }
    Map<String, long[]> all = new HashMap<>();
    List<Row> overlap = table("overlap");
    for (Row r : overlap) {
      if (r.getAs("layer").equals("ALL")) {
        continue;
      }
      String a = r.getAs("run_a");
      String b = r.getAs("run_b");
      boolean[] x = bits.get(a + "/" + r.getAs("layer"));
      boolean[] y = bits.get(b + "/" + r.getAs("layer"));
      long[] c = new long[4]; // intersection, union, kept a, kept b
      for (int i = 0; i < x.length; i++) {
        c[0] += x[i] && y[i] ? 1 : 0;
        c[1] += x[i] || y[i] ? 1 : 0;
        c[2] += x[i] ? 1 : 0;
        c[3] += y[i] ? 1 : 0;
      }
      assertThat((long) r.getAs("intersection")).isEqualTo(c[0]);
      assertThat((long) r.getAs("union")).isEqualTo(c[1]);
      assertThat((double) r.getAs("jaccard")).isEqualTo(c[1] == 0 ? 0.0 : (double) c[0] / c[1]);
      assertThat((double) r.getAs("share_a_in_b"))
          .isEqualTo(c[2] == 0 ? 0.0 : (double) c[0] / c[2]);
      long[] sum = all.computeIfAbsent(a + "|" + b, k -> new long[4]);
      for (int i = 0; i < 4; i++) {
        sum[i] += c[i];
      }
    }
    assertThat(all).isNotEmpty();
    for (Row r : overlap) {
      if (r.getAs("layer").equals("ALL")) {
        long[] c = all.get(r.getAs("run_a") + "|" + r.getAs("run_b"));
        assertThat((double) r.getAs("jaccard"))
            .isCloseTo((double) c[0] / c[1], org.assertj.core.data.Offset.offset(1e-12));
        assertThat((double) r.getAs("share_b_in_a"))
            .isCloseTo((double) c[0] / c[3], org.assertj.core.data.Offset.offset(1e-12));
      }
    }
  }

  @Test
  void sparsityAndAblationAgreeWithTheMasks() {
    Map<String, Long> kept = new HashMap<>();
    long params = 0;
    for (Row r : table("masks")) {
      kept.merge(r.getAs("run_id"), (Long) r.getAs("n_kept"), Long::sum);
    }
    for (Row r : table("sparsity")) {
      if (r.getAs("layer").equals("ALL")) {
        assertThat((long) r.getAs("n_kept")).isEqualTo(kept.get((String) r.getAs("run_id")));
        params = r.getAs("n_params");
      }
      assertThat((double) r.getAs("density"))
          .isEqualTo((double) (long) r.getAs("n_kept") / (long) r.getAs("n_params"));
    }
    for (Row r : table("ablation")) {
      long n = r.getAs("n_kept");
      long k = kept.get((String) r.getAs("run_id"));
      switch ((String) r.getAs("mode")) {
        case "full" -> assertThat(n).isEqualTo(params);
        case "subnetwork", "random_subnetwork" -> assertThat(n).isEqualTo(k);
        case "removed", "random_removed" -> assertThat(n).isEqualTo(params - k);
        case "removed_exclusive" -> assertThat(n).isBetween(params - k, params);
        default -> throw new AssertionError(r);
      }
      if (r.getAs("mode").equals("full")) {
        assertThat((double) r.getAs("accuracy")).isGreaterThan(0.9);
      }
    }
  }

  @Test
  void sparkRunsGiveTheSameBitsAsALocalRun() {
    org.subnetlab.model.Network model =
        new ModelStore(out.model()).load(settings.modelFingerprint());
    Task task = Tasks.create(settings);
    RunSpec spec = SweepGrid.expand(settings, task.subtasks()).get(5);
    MaskRunner.Finished local =
        MaskRunner.run(spec, model, new ModelStore(out.model()).initialParams(), task);
    for (Row r : table("masks")) {
      if (r.getAs("run_id").equals(spec.runId())) {
        int l = r.getAs("layer_index");
        assertThat((byte[]) r.getAs("bits")).isEqualTo(local.result().mask().bits(l));
      }
    }
  }

  @Test
  void exportsTablesAsCsvAndJsonLines() {
    java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
    TableExport.print(
        spark,
        out,
        "masks",
        TableExport.Format.CSV,
        new java.io.PrintStream(csv, true, java.nio.charset.StandardCharsets.UTF_8));
    String[] lines = csv.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(1 + 8 * 4);
    assertThat(lines[0]).startsWith("run_id,method,subtask,seed,hyperparameters,layer");
    // The hyperparameter map is JSON text, quoted because it holds commas and quotes.
    assertThat(lines[1]).contains("\"{\"\"");
    java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
    TableExport.print(
        spark,
        out,
        "sparsity",
        TableExport.Format.JSON,
        new java.io.PrintStream(json, true, java.nio.charset.StandardCharsets.UTF_8));
    String[] rows = json.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
    assertThat(rows).hasSize(8 * 5);
    assertThat(rows[0]).startsWith("{\"run_id\":").contains("\"density\":");
    assertThat(TableExport.csvLine(new String[] {"a", "b,c", "say \"hi\""}))
        .isEqualTo("a,\"b,c\",\"say \"\"hi\"\"\"");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TableExport.print(spark, out, "nope", TableExport.Format.CSV, System.out))
        .isInstanceOf(org.subnetlab.config.BadInputException.class)
        .hasMessageContaining("No table nope in")
        .hasMessageContaining("ablation, masks, overlap, sparsity, summary");
  }

  @Test
  void maskDirectoryHoldsOnlyTheCommittedFiles() throws IOException {
    List<String> names;
    try (var files = Files.list(out.masks())) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    List<String> expected = new java.util.ArrayList<>();
    for (String id : MaskFiles.committed(out.masks())) {
      expected.add(id + MaskFiles.SUFFIX);
    }
    expected.add(".tmp");
    assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
    try (var tmp = Files.list(out.masks().resolve(".tmp"))) {
      assertThat(tmp.toList()).as("files left in .tmp (no checksum files either)").isEmpty();
    }
  }

  @Test
  void rerunSkipsFinishedRunsAndChangesNoMaskFile() throws IOException {
    Map<String, FileTime> before = new HashMap<>();
    for (String id : MaskFiles.committed(out.masks())) {
      before.put(id, Files.getLastModifiedTime(MaskFiles.file(out.masks(), id)));
    }
    org.subnetlab.model.Network model = TrainModelJob.run(spark, settings, out);
    TrainMasksJob.SweepOutcome o = TrainMasksJob.sweep(spark, settings, out, model);
    assertThat(o).isEqualTo(new TrainMasksJob.SweepOutcome(8, 8, 0));
    for (String id : MaskFiles.committed(out.masks())) {
      assertThat(Files.getLastModifiedTime(MaskFiles.file(out.masks(), id)))
          .isEqualTo(before.get(id));
    }
    assertThat(before).hasSize(8);
  }
}
