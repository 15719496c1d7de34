package org.subnetlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --aggregation} at a tiny size (6 runs of a 34-16-16 MLP, one random control): the
 * popcount line, then one aggregation line with every field present, positive and finite, the pair
 * count of all pairs, N(N − 1)/2, and the rates the quotients of the figures they come from.
 */
class AggregationBenchTest {
  @Test
  void printsTheAggregationFiguresOfATinySweep() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      AggregationBench.run(List.of(6), 1, List.of(16), out);
    }
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String l : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(json.readTree(l));
    }
    assertThat(lines).hasSize(2);
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
  }

  @Test
  void rejectsAnOddSweepSize() {
    assertThatThrownBy(() -> AggregationBench.run(List.of(5), 1, List.of(16), System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot bench aggregation of 5 runs: must be even and at least 2");
  }
}
