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
import java.util.TreeMap;
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
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * A sweep over two values of continuous sparsification's λ with one seed, through the real
 * pipeline: summary.md, the console summary and the report's figure data keep the two λ apart, each
 * with the numbers recomputed here from the Parquet tables, and the selected mask is the one the
 * rule picks from those tables. A second sweep, two mask seeds on each of two base models with
 * composition, checks that summary.md's selected-masks table counts per base model, and that the
 * figure data and composition.md keep base models apart, against the Parquet tables.
 */
class GridSweepReportTest {
  static final String CS = "continuous-sparsification";
  static final Map<String, String> LABEL =
      Map.of("5.0E-5", CS + " lambda=5.0E-5", "0.005", CS + " lambda=0.005");
  @TempDir static Path dir;
  static SparkSession spark;
  static OutputLayout out;
  static String summary;
  static String html;

  /** Per run: lambda, subtask, density (ALL), subnetwork and full accuracy on its subtask. */
  static final Map<String, Object[]> RUNS = new HashMap<>();

  /** The second sweep: 2 λ × 2 subtasks × 2 mask seeds × 2 base models, with composition. */
  static OutputLayout out2;

  static String summary2;
  static String html2;
  static String composition2;
  static final Map<String, Run> RUNS2 = new TreeMap<>();

  /** A run of the second sweep, from the Parquet tables. */
  record Run(
      String id,
      String lambda,
      String subtask,
      long seed,
      long model,
      double density,
      double sub,
      double full) {
    String point() {
      return "lambda=" + lambda;
    }
  }

  @BeforeAll
  static void runSweep() throws Exception {
    spark = SparkSessions.local("grid-sweep-test", "local[2]");
    Settings s =
        ConfigLoader.load(
            TestConfigs.copy("tiny.conf", dir),
            List.of(
                "masks.methods=[" + CS + "]",
                "masks.seeds=[0]",
                "masks." + CS + ".lambda=[5e-5, 5e-3]"));
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, s, out);
    summary = Files.readString(out.report().resolve("summary.md"));
    html = Files.readString(out.report().resolve("index.html"));
    // kept for reading after the test, like the browser test's screenshot
    Files.createDirectories(Path.of("target", "grid-sweep-test"));
    Files.writeString(Path.of("target", "grid-sweep-test", "summary.md"), summary);
    Files.writeString(Path.of("target", "grid-sweep-test", "index.html"), html);
    for (Row r :
        spark
            .read()
            .parquet(out.table("sparsity").toString())
            .where("layer = 'ALL'")
            .collectAsList()) {
      Map<String, String> hp = r.getJavaMap(r.fieldIndex("hyperparameters"));
      RUNS.put(
          r.getAs("run_id"),
          new Object[] {hp.get("lambda"), r.getAs("subtask"), r.getAs("density"), null, null});
    }
    for (Row r :
        spark
            .read()
            .parquet(out.table("ablation").toString())
            .where("eval_subtask = mask_subtask AND mode IN ('subnetwork', 'full')")
            .collectAsList()) {
      RUNS.get((String) r.getAs("run_id"))["full".equals(r.getAs("mode")) ? 4 : 3] =
          r.getAs("accuracy");
    }
    Path dir2 = Files.createDirectories(dir.resolve("two"));
    Settings s2 =
        ConfigLoader.load(
            TestConfigs.copy("tiny.conf", dir2),
            List.of(
                "masks.methods=[" + CS + "]",
                "masks.seeds=[0, 1]",
                "masks." + CS + ".lambda=[5e-5, 5e-3]",
                "model.seeds=[0, 1]",
                "pipeline.compose=true"));
    out2 = OutputLayout.prepare(dir.resolve("out2"));
    PipelineJob.run(spark, s2, out2);
    summary2 = Files.readString(out2.report().resolve("summary.md"));
    html2 = Files.readString(out2.report().resolve("index.html"));
    composition2 = Files.readString(out2.report().resolve("composition.md"));
    Files.writeString(Path.of("target", "grid-sweep-test", "summary-two-models.md"), summary2);
    Files.writeString(Path.of("target", "grid-sweep-test", "index-two-models.html"), html2);
    Files.writeString(
        Path.of("target", "grid-sweep-test", "composition-two-models.md"), composition2);
    Map<String, double[]> acc = new HashMap<>();
    for (Row r :
        spark
            .read()
            .parquet(out2.table("ablation").toString())
            .where("eval_subtask = mask_subtask AND mode IN ('subnetwork', 'full')")
            .collectAsList()) {
      acc.computeIfAbsent(r.getAs("run_id"), k -> new double[2])[
              "full".equals(r.getAs("mode")) ? 1 : 0] =
          r.getAs("accuracy");
    }
    for (Row r :
        spark
            .read()
            .parquet(out2.table("sparsity").toString())
            .where("layer = 'ALL'")
            .collectAsList()) {
      String id = r.getAs("run_id");
      Map<String, String> hp = r.getJavaMap(r.fieldIndex("hyperparameters"));
      RUNS2.put(
          id,
          new Run(
              id,
              hp.get("lambda"),
              r.getAs("subtask"),
              r.getAs("seed"),
              r.getAs("model_seed"),
              r.getAs("density"),
              acc.get(id)[0],
              acc.get(id)[1]));
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
      assertThat(summary)
          .contains(
              "| "
                  + label
                  + " | "
                  + run[1]
                  + " | 1 | "
                  + f3(run[2])
                  + " ± 0.000 | "
                  + f3(run[3])
                  + " ± 0.000 |");
      // Summary table: one seed, so no interval.
      assertThat(summary)
          .contains(
              "| " + label + " | " + run[1] + " | 1 | " + f3(run[2]) + " | " + f3(run[3]) + " | ");
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
    assertThat(html)
        .contains("id=\"fig-ablation-continuous-sparsification-lambda-5-0e-5-" + "subnetwork\"")
        .contains("id=\"fig-ablation-continuous-sparsification-lambda-0-005-" + "subnetwork\"");
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
      Row sel =
          spark
              .read()
              .parquet(out.table("summary").toString())
              .where("selection = 'selected' AND layer = 'ALL' AND subtask = '" + subtask + "'")
              .first();
      assertThat(sel.getList(sel.fieldIndex("run_ids")))
          .containsExactly(expected != null ? expected : mostAccurate);
      assertThat((Integer) sel.getAs("n_within_tolerance")).isEqualTo(expected != null ? 1 : 0);
      String point = "lambda=" + RUNS.get(expected != null ? expected : mostAccurate)[0];
      assertThat((String) sel.getAs("grid_point")).isEqualTo(point);
      assertThat(summary)
          .contains("| " + CS + " | " + subtask + " | " + point + " | " + point + " x1 | ");
    }
  }

  // ------------------------------------------------------------ two base models

  /** The second sweep's runs of one (subtask, base model, mask seed). */
  static List<Run> runs2(String subtask, long model, long seed) {
    return RUNS2.values().stream()
        .filter(r -> r.subtask().equals(subtask) && r.model() == model && r.seed() == seed)
        .toList();
  }

  /** The rule recomputed: sparsest within 5% of the full model, else the most accurate. */
  static Run select(List<Run> candidates) {
    java.util.Comparator<Run> moreAccurate =
        java.util.Comparator.comparingDouble((Run r) -> -r.sub()).thenComparing(Run::id);
    return candidates.stream()
        .filter(r -> r.sub() >= (1 - 0.05) * r.full())
        .min(java.util.Comparator.comparingDouble(Run::density).thenComparing(moreAccurate))
        .orElseGet(() -> candidates.stream().min(moreAccurate).orElseThrow());
  }

  static boolean isWithin(Run r) {
    return r.sub() >= (1 - 0.05) * r.full();
  }

  /** "lambda=0.005 x1, lambda=5.0E-5 x1" and the most often selected point of {@code chosen}. */
  static String[] counts(List<Run> chosen) {
    Map<String, Integer> n = new TreeMap<>();
    chosen.forEach(r -> n.merge(r.point(), 1, Integer::sum));
    StringBuilder listed = new StringBuilder();
    n.forEach(
        (k, v) -> listed.append(listed.length() == 0 ? "" : ", ").append(k).append(" x").append(v));
    int max = java.util.Collections.max(n.values());
    String most =
        n.entrySet().stream()
            .filter(e -> e.getValue() == max)
            .findFirst()
            .orElseThrow()
            .getKey(); // ties: the lexically smaller
    return new String[] {listed.toString(), most};
  }

  static double mean(List<Double> x) {
    return x.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  static double std(List<Double> x) {
    double m = mean(x);
    return Math.sqrt(x.stream().mapToDouble(v -> (v - m) * (v - m)).sum() / (x.size() - 1));
  }

  @Test
  void twoBaseModelsSelectedMasksAreCountedPerBaseModel() {
    assertThat(RUNS2).hasSize(16); // 2 λ × 2 subtasks × 2 seeds × 2 base models
    List<Row> table =
        spark
            .read()
            .parquet(out2.table("summary").toString())
            .where("selection = 'selected' AND layer = 'ALL'")
            .collectAsList();
    assertThat(table).hasSize(6); // per subtask: model 0, model 1, over base models
    for (String subtask : List.of("add", "mul")) {
      List<Run> all = new java.util.ArrayList<>();
      List<Double> modelMeans = new java.util.ArrayList<>();
      for (long model : List.of(0L, 1L)) {
        List<Run> chosen =
            List.of(select(runs2(subtask, model, 0)), select(runs2(subtask, model, 1)));
        all.addAll(chosen);
        String[] c = counts(chosen);
        long within = chosen.stream().filter(GridSweepReportTest::isWithin).count();
        double density = mean(chosen.stream().map(Run::density).toList());
        modelMeans.add(density);
        assertThat(summary2)
            .contains(
                "| "
                    + CS
                    + " | "
                    + subtask
                    + " · model "
                    + model
                    + " | "
                    + c[1]
                    + " | "
                    + c[0]
                    + " | "
                    + within
                    + " of 2 | "
                    + f3(density)
                    + " [");
        Row row =
            table.stream()
                .filter(
                    r ->
                        subtask.equals(r.getAs("subtask"))
                            && Long.valueOf(model).equals(r.getAs("model_seed")))
                .findFirst()
                .orElseThrow();
        assertThat((String) row.getAs("selected_points")).isEqualTo(c[0]);
        assertThat((String) row.getAs("grid_point")).isEqualTo(c[1]);
        assertThat((Integer) row.getAs("n_within_tolerance")).isEqualTo((int) within);
        assertThat((Integer) row.getAs("n_seeds")).isEqualTo(2);
        assertThat(row.getList(row.fieldIndex("run_ids")))
            .containsExactlyInAnyOrderElementsOf(chosen.stream().map(Run::id).toList());
      }
      // The row over base models counts all four selected masks, labelled as such.
      String[] c = counts(all);
      long within = all.stream().filter(GridSweepReportTest::isWithin).count();
      assertThat(summary2)
          .contains(
              "| "
                  + CS
                  + " | "
                  + subtask
                  + " · over base models | "
                  + c[1]
                  + " | "
                  + c[0]
                  + " | "
                  + within
                  + " of 4 | "
                  + f3(mean(modelMeans))
                  + " [");
      Row over =
          table.stream()
              .filter(
                  r -> subtask.equals(r.getAs("subtask")) && r.isNullAt(r.fieldIndex("model_seed")))
              .findFirst()
              .orElseThrow();
      assertThat((String) over.getAs("selected_points")).isEqualTo(c[0]);
      assertThat((Integer) over.getAs("n_within_tolerance")).isEqualTo((int) within);
      assertThat((Integer) over.getAs("n_seeds")).isEqualTo(2); // base models
    }
  }

  @Test
  void twoBaseModelsReportShowsEveryBaseModelsAccuracy() {
    // Read each base model's own model.json (model/ is model seed 0, model-seed-1/ seed 1).
    com.typesafe.config.Config e0 =
        com.typesafe.config.ConfigFactory.parseFile(out2.model(0).resolve("model.json").toFile())
            .getConfig("eval");
    com.typesafe.config.Config e1 =
        com.typesafe.config.ConfigFactory.parseFile(out2.model(1).resolve("model.json").toFile())
            .getConfig("eval");
    int start = html2.indexOf("Base models (accuracy per model seed)");
    assertThat(start).isPositive();
    String table = html2.substring(start, html2.indexOf("</table>", start));
    assertThat(table).contains("<tr><th>subtask</th><th>model 0</th><th>model 1</th></tr>");
    assertThat(e0.root().keySet()).isNotEmpty().isEqualTo(e1.root().keySet());
    for (String k : e0.root().keySet()) {
      String a0 = f3(e0.getDouble("\"" + k + "\".accuracy"));
      String a1 = f3(e1.getDouble("\"" + k + "\".accuracy"));
      assertThat(table)
          .contains("<tr><td>" + k + "</td><td>" + a0 + "</td><td>" + a1 + "</td></tr>");
    }
    // One base model: the single column as before.
    assertThat(html).contains("<tr><th>subtask</th><th>base model accuracy</th></tr>");
  }

  @Test
  void twoBaseModelsFigureDataKeepsBaseModelsApart() throws Exception {
    // Whole-model density: one bar per (grid point, base model) and subtask, mean ± std over
    // that base model's two mask seeds.
    JsonNode density = figureData(html2, "density-all");
    int seen = 0;
    for (JsonNode series : density.get("datasets").get(0).get("series")) {
      String subtask = series.get("name").asText();
      for (JsonNode p : series.get("points")) {
        List<Run> runs = bar(p.get("category").asText(), subtask);
        assertThat(runs).hasSize(2);
        List<Double> d = runs.stream().map(Run::density).toList();
        assertThat(p.get("value").asDouble()).isCloseTo(mean(d), within(1e-12));
        assertThat(p.get("std").asDouble()).isCloseTo(std(d), within(1e-12));
        seen++;
      }
    }
    assertThat(seen).isEqualTo(8);
    // Seed stability: Jaccard of the two mask seeds of one grid point, subtask and base model.
    Map<String, Double> jaccard = new HashMap<>();
    for (Row r :
        spark
            .read()
            .parquet(out2.table("overlap").toString())
            .where("layer = 'ALL'")
            .collectAsList()) {
      jaccard.put(r.getAs("run_a") + "|" + r.getAs("run_b"), r.getAs("jaccard"));
      jaccard.put(r.getAs("run_b") + "|" + r.getAs("run_a"), r.getAs("jaccard"));
    }
    JsonNode cells = figureData(html2, "jaccard-seeds").get("datasets").get(0).get("cells");
    assertThat(cells).hasSize(8);
    for (JsonNode c : cells) {
      List<Run> pair = bar(c.get("row").asText(), c.get("col").asText());
      assertThat(c.get("value").asDouble())
          .isCloseTo(jaccard.get(pair.get(0).id() + "|" + pair.get(1).id()), within(1e-12));
    }
    // The regularisation path of each base model: its own runs' means per λ.
    for (long model : List.of(0L, 1L)) {
      for (String subtask : List.of("add", "mul")) {
        JsonNode points =
            figureData(html2, "path-continuous-sparsification-model-" + model + "-" + subtask)
                .get("datasets")
                .get(0)
                .get("series")
                .get(0)
                .get("points");
        assertThat(points).hasSize(2);
        for (JsonNode p : points) {
          List<Run> runs =
              RUNS2.values().stream()
                  .filter(
                      r ->
                          r.subtask().equals(subtask)
                              && r.model() == model
                              && Math.abs(
                                      mean(List.of(r.density(), other(r).density()))
                                          - p.get("x").asDouble())
                                  < 1e-12)
                  .toList();
          assertThat(runs).as("path point %s", p).hasSize(2);
          assertThat(p.get("y").asDouble())
              .isCloseTo(mean(runs.stream().map(Run::sub).toList()), within(1e-12));
        }
      }
    }
    // The ablation heatmaps: one per (grid point, base model), means over that model's seeds.
    Map<String, Double> subAcc = new HashMap<>();
    for (Row r :
        spark
            .read()
            .parquet(out2.table("ablation").toString())
            .where("mode = 'subnetwork'")
            .collectAsList()) {
      subAcc.put(r.getAs("run_id") + "|" + r.getAs("eval_subtask"), r.getAs("accuracy"));
    }
    for (Run any : List.of(RUNS2.values().iterator().next())) {
      for (long model : List.of(0L, 1L)) {
        String label = LABEL.get(any.lambda()) + " · model " + model;
        JsonNode heat =
            figureData(html2, "ablation-" + slug(label) + "-subnetwork")
                .get("datasets")
                .get(0)
                .get("cells");
        assertThat(heat.size()).isGreaterThanOrEqualTo(4);
        for (JsonNode c : heat) {
          List<Run> runs = bar(label, c.get("row").asText());
          assertThat(c.get("value").asDouble())
              .isCloseTo(
                  mean(
                      runs.stream()
                          .map(r -> subAcc.get(r.id() + "|" + c.get("col").asText()))
                          .toList()),
                  within(1e-12));
        }
      }
    }
  }

  /** The other mask seed's run of {@code r}'s grid point, subtask and base model. */
  static Run other(Run r) {
    return RUNS2.values().stream()
        .filter(
            x ->
                x.lambda().equals(r.lambda())
                    && x.subtask().equals(r.subtask())
                    && x.model() == r.model()
                    && x.seed() != r.seed())
        .findFirst()
        .orElseThrow();
  }

  /** The runs of a figure label "continuous-sparsification lambda=… · model N" and subtask. */
  static List<Run> bar(String label, String subtask) {
    Matcher m = Pattern.compile("(.*) · model (\\d+)").matcher(label);
    assertThat(m.matches()).as("label %s names its base model", label).isTrue();
    return RUNS2.values().stream()
        .filter(
            r ->
                LABEL.get(r.lambda()).equals(m.group(1))
                    && r.model() == Long.parseLong(m.group(2))
                    && r.subtask().equals(subtask))
        .toList();
  }

  static String slug(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }

  @Test
  void twoBaseModelsCompositionMarkdownKeepsBaseModelsApart() {
    List<Row> comp = spark.read().parquet(out2.table("composition").toString()).collectAsList();
    // (lambda, model, base, operation, ablation, operands, eval) -> accuracies over mask seeds
    Map<List<String>, List<Double>> cells = new HashMap<>();
    // (lambda, model, seed, operation, ablation, operands, eval) -> accuracy, trained base
    Map<List<String>, Double> acc = new HashMap<>();
    for (Row r : comp) {
      Map<String, String> hp = r.getJavaMap(r.fieldIndex("hyperparameters"));
      String lambda = hp.get("lambda");
      String model = String.valueOf((Long) r.getAs("model_seed"));
      cells
          .computeIfAbsent(
              List.of(
                  lambda,
                  model,
                  r.getAs("base"),
                  r.getAs("operation"),
                  r.getAs("ablation"),
                  r.getAs("operands"),
                  r.getAs("eval_subtask")),
              k -> new java.util.ArrayList<>())
          .add(r.getAs("accuracy"));
      if ("trained".equals(r.getAs("base"))) {
        acc.put(
            List.of(
                lambda,
                model,
                String.valueOf((Long) r.getAs("seed")),
                r.getAs("operation"),
                r.getAs("ablation"),
                r.getAs("operands"),
                r.getAs("eval_subtask")),
            r.getAs("accuracy"));
      }
    }
    assertThat(cells.keySet().stream().map(k -> k.get(1)).distinct()).hasSize(2);
    cells.forEach(
        (k, v) -> {
          assertThat(v).as("%s: one row per mask seed of one base model", k).hasSize(2);
          assertThat(composition2)
              .contains(
                  String.format(
                      Locale.ROOT,
                      "| %s | lambda=%s | %s | %s | %s | %s | %s | %s | 2 | %.3f |",
                      CS,
                      k.get(0),
                      k.get(1),
                      k.get(2),
                      k.get(3),
                      k.get(4),
                      k.get(5),
                      k.get(6),
                      mean(v)));
        });
    // Lepori et al.'s two differences, per base model, from that model's rows only.
    Matcher cm = Pattern.compile("c = chance = ([0-9.]+)").matcher(composition2);
    assertThat(cm.find()).isTrue();
    double c = Double.parseDouble(cm.group(1));
    int checked = 0;
    for (String lambda : List.of("5.0E-5", "0.005")) {
      for (String model : List.of("0", "1")) {
        for (String[] ab : List.of(new String[] {"add", "mul"}, new String[] {"mul", "add"})) {
          String a = ab[0];
          String b = ab[1];
          List<Double> sub = new java.util.ArrayList<>();
          List<Double> abl = new java.util.ArrayList<>();
          for (String seed : List.of("0", "1")) {
            sub.add(
                Math.max(acc.get(List.of(lambda, model, seed, "subnetwork", "none", a, a)), c)
                    - Math.max(
                        acc.get(List.of(lambda, model, seed, "subnetwork", "none", a, b)), c));
            abl.add(
                Math.max(acc.get(List.of(lambda, model, seed, "ablate", "zero", a, b)), c)
                    - Math.max(acc.get(List.of(lambda, model, seed, "ablate", "zero", a, a)), c));
          }
          assertThat(composition2)
              .contains(
                  String.format(
                      Locale.ROOT,
                      "| %s | lambda=%s | %s | trained | zero | %s | %s | 2 | %+.3f | %+.3f |",
                      CS,
                      lambda,
                      model,
                      a,
                      b,
                      mean(sub),
                      mean(abl)));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(8);
  }

  static Object[] find(String label, String subtask) {
    return RUNS.values().stream()
        .filter(r -> LABEL.get((String) r[0]).equals(label) && r[1].equals(subtask))
        .findFirst()
        .orElseThrow();
  }

  static JsonNode figureData(String id) throws Exception {
    return figureData(html, id);
  }

  static JsonNode figureData(String page, String id) throws Exception {
    Matcher m =
        Pattern.compile(
                "<figure class=\"chart\" id=\"fig-"
                    + Pattern.quote(id)
                    + "\">.*?<script type=\"application/json\" class=\"figure-data\">(.*?)</script>",
                Pattern.DOTALL)
            .matcher(page);
    assertThat(m.find()).as("figure %s in the report", id).isTrue();
    return new ObjectMapper().readTree(m.group(1));
  }
}
