package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;

/**
 * A sweep over two values of continuous sparsification's λ with one seed, through the real
 * pipeline: summary.md, the console summary and the report's figure data keep the two λ apart,
 * each with the numbers recomputed here from the Parquet tables, and the selected mask is the one
 * the rule picks from those tables.
 */
class GridSweepReportTest {
  static final String CS = "continuous-sparsification";
  static final Map<String, String> LABEL = Map.of("5.0E-5", CS + " lambda=5.0E-5",
      "0.005", CS + " lambda=0.005");
  @TempDir static Path dir;
  static SparkSession spark;
  static OutputLayout out;
  static String summary;
  static String html;
  /** Per run: lambda, subtask, density (ALL), subnetwork and full accuracy on its subtask. */
  static final Map<String, Object[]> RUNS = new HashMap<>();

  @BeforeAll
  static void runSweep() throws Exception {
    spark = SparkSessions.local("grid-sweep-test", "local[2]");
    Settings s = ConfigLoader.load(TestConfigs.copy("tiny.conf", dir), List.of(
        "masks.methods=[" + CS + "]", "masks.seeds=[0]",
        "masks." + CS + ".lambda=[5e-5, 5e-3]"));
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, s, out);
    summary = Files.readString(out.report().resolve("summary.md"));
    html = Files.readString(out.report().resolve("index.html"));
    // kept for reading after the test, like the browser test's screenshot
    Files.createDirectories(Path.of("target", "grid-sweep-test"));
    Files.writeString(Path.of("target", "grid-sweep-test", "summary.md"), summary);
    Files.writeString(Path.of("target", "grid-sweep-test", "index.html"), html);
    for (Row r : spark.read().parquet(out.table("sparsity").toString())
        .where("layer = 'ALL'").collectAsList()) {
      Map<String, String> hp = r.getJavaMap(r.fieldIndex("hyperparameters"));
      RUNS.put(r.getAs("run_id"), new Object[] {hp.get("lambda"), r.getAs("subtask"),
          r.getAs("density"), null, null});
    }
    for (Row r : spark.read().parquet(out.table("ablation").toString())
        .where("eval_subtask = mask_subtask AND mode IN ('subnetwork', 'full')")
        .collectAsList()) {
      RUNS.get((String) r.getAs("run_id"))["full".equals(r.getAs("mode")) ? 4 : 3] =
          r.getAs("accuracy");
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static String f3(Object v) {
    return String.format(Locale.ROOT, "%.3f", (Double) v);
  }

  @Test
  void summaryMarkdownHasOneRowPerLambdaWithItsOwnNumbers() {
    assertThat(RUNS).hasSize(4); // 2 λ × 2 subtasks × 1 seed
    for (Object[] run : RUNS.values()) {
      String label = LABEL.get((String) run[0]);
      // Masks (console part): method, subtask, seeds, density ± std, subnetwork ± std.
      assertThat(summary).contains("| " + label + " | " + run[1] + " | 1 | " + f3(run[2])
          + " ± 0.000 | " + f3(run[3]) + " ± 0.000 |");
      // Summary table: one seed, so no interval.
      assertThat(summary).contains("| " + label + " | " + run[1] + " | 1 | " + f3(run[2]) + " | "
          + f3(run[3]) + " | ");
    }
    // No per-grid-point row pools the two λ under the bare method name (only the selected-mask
    // tables, after their heading, name the method alone).
    assertThat(summary.substring(0, summary.indexOf("## Selected masks")))
        .doesNotContain("| " + CS + " |");
    assertThat(summary).contains("Student-t").contains("## Selected masks (sparsest with");
  }

  @Test
  void reportFigureDataKeepsBothLambdasApart() throws Exception {
    JsonNode density = figureData("density-all");
    int seen = 0;
    for (JsonNode series : density.get("datasets").get(0).get("series")) {
      for (JsonNode p : series.get("points")) {
        Object[] run = find(p.get("category").asText(), series.get("name").asText());
        assertThat(p.get("value").asDouble()).isCloseTo((Double) run[2], within(1e-12));
        seen++;
      }
    }
    assertThat(seen).isEqualTo(4);
    for (String subtask : List.of("add", "mul")) {
      JsonNode path = figureData("path-continuous-sparsification-" + subtask);
      JsonNode points = path.get("datasets").get(0).get("series").get(0).get("points");
      assertThat(points).hasSize(2);
      Map<Double, Double> accByDensity = new HashMap<>();
      double full = 0;
      for (Object[] run : RUNS.values()) {
        if (run[1].equals(subtask)) {
          accByDensity.put((Double) run[2], (Double) run[3]);
          full = (Double) run[4];
        }
      }
      for (JsonNode p : points) {
        assertThat(accByDensity).containsKey(p.get("x").asDouble());
        assertThat(p.get("y").asDouble()).isEqualTo(accByDensity.get(p.get("x").asDouble()));
      }
      JsonNode fullLine = path.get("datasets").get(1).get("series").get(1);
      assertThat(fullLine.get("name").asText()).isEqualTo("full model");
      assertThat(fullLine.get("points").get(0).get("y").asDouble()).isEqualTo(full);
      assertThat(path.get("datasets").get(2).get("labels").findValuesAsText("text"))
          .containsExactlyInAnyOrder("lambda=5.0E-5", "lambda=0.005");
    }
    // The ablation heatmaps: one per λ.
    assertThat(html).contains("id=\"fig-ablation-continuous-sparsification-lambda-5-0e-5-"
        + "subnetwork\"").contains("id=\"fig-ablation-continuous-sparsification-lambda-0-005-"
        + "subnetwork\"");
  }

  @Test
  void selectedMaskIsTheSparsestWithinFivePercentOfTheFullModel() {
    for (String subtask : List.of("add", "mul")) {
      String expected = null;
      double best = Double.POSITIVE_INFINITY;
      String mostAccurate = null;
      double bestAcc = -1;
      for (Map.Entry<String, Object[]> e : RUNS.entrySet()) {
        Object[] run = e.getValue();
        if (!run[1].equals(subtask)) {
          continue;
        }
        if ((Double) run[3] >= 0.95 * (Double) run[4] && (Double) run[2] < best) {
          best = (Double) run[2];
          expected = e.getKey();
        }
        if ((Double) run[3] > bestAcc) {
          bestAcc = (Double) run[3];
          mostAccurate = e.getKey();
        }
      }
      Row sel = spark.read().parquet(out.table("summary").toString())
          .where("selection = 'selected' AND layer = 'ALL' AND subtask = '" + subtask + "'")
          .first();
      assertThat(sel.getList(sel.fieldIndex("run_ids")))
          .containsExactly(expected != null ? expected : mostAccurate);
      assertThat((Integer) sel.getAs("n_within_tolerance")).isEqualTo(expected != null ? 1 : 0);
      String point = "lambda=" + RUNS.get(expected != null ? expected : mostAccurate)[0];
      assertThat((String) sel.getAs("grid_point")).isEqualTo(point);
      assertThat(summary).contains("| " + CS + " | " + subtask + " | " + point + " | " + point
          + " x1 | ");
    }
  }

  static Object[] find(String label, String subtask) {
    return RUNS.values().stream().filter(r -> LABEL.get((String) r[0]).equals(label)
        && r[1].equals(subtask)).findFirst().orElseThrow();
  }

  static JsonNode figureData(String id) throws Exception {
    Matcher m = Pattern.compile("<figure class=\"chart\" id=\"fig-" + Pattern.quote(id)
        + "\">.*?<script type=\"application/json\" class=\"figure-data\">(.*?)</script>",
        Pattern.DOTALL).matcher(html);
    assertThat(m.find()).as("figure %s in the report", id).isTrue();
    return new ObjectMapper().readTree(m.group(1));
  }
}
