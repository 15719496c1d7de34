package org.subnetlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.AggregateJob;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.Table;
import org.subnetlab.jobs.output.Tables;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * {@code bench --aggregation} at a tiny size (6 runs of a 34-16-16 MLP, one random control): the
 * popcount line, then one aggregation line with every field present, positive and finite, the pair
 * count of all pairs, N(N − 1)/2, and the rates the quotients of the figures they come from; then
 * one counting-pass line per block size, its task count and best round by hand. A prepared sweep is
 * kept and aggregates from its own config.
 */
class AggregationBenchTest {
  @Test
  void printsTheAggregationFiguresOfATinySweep() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      AggregationBench.run(List.of(6), 1, List.of(16), List.of(AggregationBench.AUTO, 64), out);
    }
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String l : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(json.readTree(l));
    }
    assertThat(lines).hasSize(4);
    JsonNode pop = lines.get(0);
    assertThat(pop.get("name").asText()).isEqualTo("popcount_bits_per_s/one_core");
    assertThat(pop.get("value").asDouble()).isPositive().isFinite();
    JsonNode a = lines.get(1);
    assertThat(a.get("name").asText()).isEqualTo("aggregation");
    assertThat(a.get("runs").asInt()).isEqualTo(6);
    assertThat(a.get("pairs").asLong()).isEqualTo(6 * 5 / 2);
    assertThat(a.get("random_controls").asInt()).isEqualTo(1);
    // 34 inputs (two one-hot operands of 16, two operations) -> 16 hidden -> 16 classes
    assertThat(a.get("params").asLong()).isEqualTo(34 * 16 + 16 + 16 * 16 + 16);
    for (String f :
        List.of(
            "seconds_total",
            "seconds_overlap",
            "seconds_ablation",
            "seconds_summary",
            "pairs_per_s",
            "bit_ops_per_s",
            "popcount_bits_per_s_one_core",
            "overlap_vs_popcount",
            "driver_peak_heap_mb",
            "driver_peak_heap_after_gc_mb",
            "driver_max_heap_mb",
            "seconds_overlap_counts_only",
            "bit_ops_per_s_counts_only",
            "counts_only_vs_popcount")) {
      assertThat(a.has(f)).as(f).isTrue();
      assertThat(a.get(f).asDouble()).as(f).isPositive().isFinite();
    }
    double overlap = a.get("seconds_overlap").asDouble();
    assertThat(a.get("pairs_per_s").asDouble())
        .isCloseTo(15 / overlap, org.assertj.core.data.Percentage.withPercentage(0.01));
    assertThat(a.get("bit_ops_per_s").asDouble())
        .isCloseTo(
            15.0 * a.get("params").asLong() / overlap,
            org.assertj.core.data.Percentage.withPercentage(0.01));
    assertThat(a.get("overlap_vs_popcount").asDouble())
        .isCloseTo(
            a.get("bit_ops_per_s").asDouble() / pop.get("value").asDouble(),
            org.assertj.core.data.Percentage.withPercentage(0.01));
    assertThat(a.get("seconds_total").asDouble()).isGreaterThanOrEqualTo(overlap);
    // auto on local[2]: at least 4 block pairs per core, 8; 4 blocks give 10 -> ceil(6 / 4) = 2
    // runs per block (3 blocks, 3 + 2 + 1 block pairs); blocks of 64: one block, one task
    assertThat(a.get("overlap_block").asInt()).isEqualTo(2);
    assertThat(a.get("overlap_block_auto").asBoolean()).isTrue();
    int[][] expected = {{2, 6}, {64, 1}};
    for (int b = 0; b < 2; b++) {
      JsonNode c = lines.get(2 + b);
      assertThat(c.get("name").asText()).isEqualTo("aggregation_counting_pass");
      assertThat(c.get("runs").asInt()).isEqualTo(6);
      assertThat(c.get("overlap_block").asInt()).isEqualTo(expected[b][0]);
      assertThat(c.get("block_pairs").asInt()).isEqualTo(expected[b][1]);
      assertThat(c.get("overlap_block_auto").asBoolean()).isEqualTo(b == 0);
      JsonNode rounds = c.get("seconds_rounds");
      assertThat(rounds.size()).isEqualTo(AggregationBench.COUNT_ROUNDS);
      double best = Double.POSITIVE_INFINITY;
      for (JsonNode r : rounds) {
        assertThat(r.asDouble()).isPositive().isFinite();
        best = Math.min(best, r.asDouble());
      }
      assertThat(c.get("seconds_best").asDouble())
          .isCloseTo(best, org.assertj.core.data.Percentage.withPercentage(0.01));
      assertThat(c.get("best_vs_popcount").asDouble())
          .isCloseTo(
              15.0 * a.get("params").asLong() / best / pop.get("value").asDouble(),
              org.assertj.core.data.Percentage.withPercentage(0.01));
    }
    assertThat(a.get("seconds_overlap_counts_only").asDouble())
        .isCloseTo(
            lines.get(2).get("seconds_best").asDouble(),
            org.assertj.core.data.Percentage.withPercentage(0.01));
  }

  @Test
  void preparesASweepThatAggregatesFromItsOwnConfig(@TempDir Path dir) throws Exception {
    Path sweep = dir.resolve("sweep");
    Files.createDirectories(sweep);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      AggregationBench.prepare(6, 1, List.of(16), 2, sweep);
    } finally {
      System.setOut(stdout);
    }
    Path conf = sweep.resolve("bench.conf");
    Path outDir = sweep.resolve("out");
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains(
            "Sweep of 6 runs ready; aggregate it with: AggregateJob " + conf.toAbsolutePath());
    assertThat(MaskFiles.committed(outDir.resolve("masks"))).hasSize(6);
    assertThat(outDir.resolve("tables")).doesNotExist();

    Settings s = ConfigLoader.load(conf, List.of());
    assertThat(s.overlapBlock()).hasValue(2);
    assertThat(s.randomControls()).isEqualTo(1);
    SparkSession spark = SparkSessions.local("AggregationBenchTest", "local[2]");
    try {
      AggregateJob.run(spark, s, OutputLayout.prepare(outDir));
      Dataset<Row> overlap = Tables.read(spark, OutputLayout.prepare(outDir), Table.OVERLAP);
      assertThat(overlap.filter("layer = 'ALL'").count()).isEqualTo(6 * 5 / 2);
    } finally {
      spark.stop();
    }
  }

  @Test
  void rejectsAnOddSweepSize() {
    assertThatThrownBy(() -> AggregationBench.run(List.of(5), 1, List.of(16), System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot bench aggregation of 5 runs: must be even and at least 2");
  }
}
