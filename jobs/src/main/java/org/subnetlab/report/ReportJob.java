package org.subnetlab.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.BadInputException;
import org.subnetlab.jobs.OutputLayout;
import org.subnetlab.jobs.Reports;
import org.subnetlab.model.ModelStore;

/**
 * {@code report/index.html}: the figures of the papers from the result tables of an output
 * directory — per-layer density, Jaccard heatmaps (subtasks, seeds, methods), the ablation matrix
 * with its random controls, training curves, and clustering and composition when those tables
 * exist. Self-contained (inline SVG); replaced atomically.
 */
public final class ReportJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReportJob.class);
  static final int W = 640;
  static final int H = 400;
  /** Heatmaps of a few subtasks need less room. */
  static final int HW = 520;
  static final int HH = 380;
  static final List<String> ABLATION_MODES = List.of("subnetwork", "removed", "removed_exclusive");

  private final SparkSession spark;
  private final OutputLayout out;
  private final HtmlPage page;

  private ReportJob(SparkSession spark, OutputLayout out) {
    this.spark = spark;
    this.out = out;
    this.page = new HtmlPage("subnetlab report: " + out.root().getFileName(),
        out.root() + " — generated "
            + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")));
  }

  /** Writes report/index.html from the tables under {@code out}; returns its path. */
  public static Path run(SparkSession spark, OutputLayout out) {
    if (!Files.isDirectory(out.table("sparsity")) && !Files.isDirectory(out.table("clusters"))) {
      throw new BadInputException("Cannot report on " + out.root() + ": it has no result tables"
          + " (run `subnetlab run`, or `aggregate`, with --out " + out.root() + " first).");
    }
    ReportJob r = new ReportJob(spark, out);
    r.build();
    Reports.write(out, "index.html", r.page.render());
    Path index = out.report().resolve("index.html");
    LOG.info("Wrote {} ({} figures)", index, r.page.figures());
    return index;
  }

  /**
   * The report as the last step of a stage: the stage's tables are already committed, so a
   * failure here says so and names the command that retries only the report.
   */
  public static Path afterStage(SparkSession spark, OutputLayout out) {
    try {
      return run(spark, out);
    } catch (BadInputException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException("The tables under " + out.tables() + " are complete, but"
          + " writing the report failed (" + e + "); run `subnetlab report --out " + out.root()
          + "` to retry it.", e);
    }
  }

  private boolean has(String table) {
    return Files.isDirectory(out.table(table));
  }

  /** The table as a temporary view. */
  private void view(String table) {
    spark.read().parquet(out.table(table).toString()).createOrReplaceTempView(table);
  }

  private List<Row> q(String sql) {
    return spark.sql(sql).collectAsList();
  }

  private void build() {
    if (has("sparsity")) {
      for (String t : List.of("masks", "sparsity", "overlap", "ablation", "summary")) {
        view(t);
      }
      spark.sql("SELECT run_id, concat(method, CASE WHEN hyperparameters['matched'] = '1'"
          + " THEN ' (matched)' ELSE '' END) AS label FROM sparsity WHERE layer = 'ALL'")
          .createOrReplaceTempView("runs");
      spark.sql("SELECT o.*, ra.label AS label_a, rb.label AS label_b FROM overlap o"
          + " JOIN runs ra ON o.run_a = ra.run_id JOIN runs rb ON o.run_b = rb.run_id"
          + " WHERE o.layer = 'ALL'").createOrReplaceTempView("pairs");

      summarySection();
      densitySection();
      overlapSection();
      ablationSection();
      if (has("training_curves")) {
        view("training_curves");
        curvesSection();
      }
    }
    if (has("clusterability")) {
      clusterSection();
    }
    if (has("composition")) {
      view("composition");
      compositionSection();
    }
  }

  private List<String> labels() {
    return q("SELECT DISTINCT label FROM runs ORDER BY label").stream()
        .map(r -> r.getString(0)).toList();
  }

  private List<String> subtasks() {
    return q("SELECT DISTINCT subtask FROM sparsity ORDER BY subtask").stream()
        .map(r -> r.getString(0)).toList();
  }

  // ---------------------------------------------------------------- summary

  private void summarySection() {
    page.section("summary", "Summary",
        "Whole model, mean over seeds with the 95% bootstrap interval in brackets. Subnetwork"
            + " accuracy: the mask alone on its subtask; removal drop: full-model accuracy minus"
            + " accuracy with the mask removed.");
    Path modelDir = out.model();
    if (Files.isRegularFile(modelDir.resolve("model.json"))) {
      var eval = new ModelStore(modelDir).metadata().getConfig("eval");
      List<String[]> base = new ArrayList<>();
      base.add(new String[] {"subtask", "base model accuracy"});
      eval.root().keySet().stream().sorted().forEach(k -> base.add(new String[] {k,
          f3(eval.getDouble("\"" + k + "\".accuracy"))}));
      page.subheading("Base model").table(base);
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"method", "subtask", "seeds", "density", "subnetwork accuracy",
        "removal drop", "Jaccard across seeds", "across subtasks", "across methods"});
    for (Row r : q("SELECT concat(method, CASE WHEN hyperparameters['matched'] = '1'"
        + " THEN ' (matched)' ELSE '' END) m, subtask, n_seeds, density, subnetwork_accuracy,"
        + " removal_drop, jaccard_across_seeds, jaccard_across_subtasks, jaccard_across_methods"
        + " FROM summary WHERE layer = 'ALL' ORDER BY m, subtask")) {
      rows.add(new String[] {r.getString(0), r.getString(1), String.valueOf(r.getInt(2)),
          ci(r.getStruct(3)), ci(r.getStruct(4)), ci(r.getStruct(5)), num(r, 6), num(r, 7),
          num(r, 8)});
    }
    page.subheading("Masks").table(rows);
  }

  // ---------------------------------------------------------------- density

  private void densitySection() {
    page.section("density", "Density per layer",
        "Fraction of each layer's parameters a mask keeps, mean over seeds.");
    List<String> layers = q("SELECT DISTINCT layer_index, layer FROM masks ORDER BY layer_index")
        .stream().map(r -> r.getString(1)).toList();
    DefaultStatisticalCategoryDataset whole = new DefaultStatisticalCategoryDataset();
    for (Row r : q("SELECT r.label, s.subtask, avg(density), stddev_samp(density) FROM sparsity s"
        + " JOIN runs r ON s.run_id = r.run_id WHERE s.layer = 'ALL'"
        + " GROUP BY r.label, s.subtask ORDER BY r.label, s.subtask")) {
      whole.add(r.getDouble(2), r.isNullAt(3) ? 0 : r.getDouble(3), r.getString(1),
          r.getString(0));
    }
    page.figure("density-all", Charts.meanStdBars("Whole-model density", "method", "density",
        whole, null, false), W, H, "Density of the whole model per method and subtask; error bars: ± one"
        + " standard deviation over seeds.");
    Map<String, DefaultCategoryDataset> perLabel = new LinkedHashMap<>();
    for (Row r : q("SELECT r.label, s.subtask, s.layer, avg(density) FROM sparsity s"
        + " JOIN runs r ON s.run_id = r.run_id WHERE s.layer <> 'ALL'"
        + " GROUP BY r.label, s.subtask, s.layer ORDER BY r.label, s.subtask")) {
      DefaultCategoryDataset d = perLabel.computeIfAbsent(r.getString(0), k -> {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (String layer : layers) {
          ds.addValue((Number) null, r.getString(1), layer);
        }
        return ds;
      });
      d.addValue(r.getDouble(3), r.getString(1), r.getString(2));
    }
    for (Map.Entry<String, DefaultCategoryDataset> e : perLabel.entrySet()) {
      page.figure("density-" + slug(e.getKey()), Charts.bars("Density per layer: " + e.getKey(),
          "layer", "density", e.getValue(), null), W, H,
          e.getKey() + ": density of each layer's mask per subtask (mean over seeds).");
    }
  }

  // ---------------------------------------------------------------- overlap

  private void overlapSection() {
    page.section("overlap", "Overlap (Jaccard)",
        "Jaccard index |A∩B| / |A∪B| of whole-model masks.");
    List<String> subtasks = subtasks();
    List<String> labels = labels();
    Map<String, double[][]> bySubtask = new LinkedHashMap<>();
    for (String l : labels) {
      bySubtask.put(l, nan(subtasks.size(), subtasks.size()));
    }
    for (Row r : q("SELECT label_a, subtask_a, subtask_b, avg(jaccard) FROM pairs"
        + " WHERE label_a = label_b AND ((seed_a = seed_b AND subtask_a <> subtask_b)"
        + " OR (seed_a <> seed_b AND subtask_a = subtask_b))"
        + " GROUP BY label_a, subtask_a, subtask_b")) {
      double[][] m = bySubtask.get(r.getString(0));
      int a = subtasks.indexOf(r.getString(1));
      int b = subtasks.indexOf(r.getString(2));
      m[a][b] = r.getDouble(3);
      m[b][a] = r.getDouble(3);
    }
    for (Map.Entry<String, double[][]> e : bySubtask.entrySet()) {
      page.figure("jaccard-subtasks-" + slug(e.getKey()), Charts.heatmap(
          "Jaccard between subtasks: " + e.getKey(), "subtask", subtasks, "subtask", subtasks,
          e.getValue(), null, 0, 1), HW, HH, e.getKey() + ": mean Jaccard between the masks of two"
          + " subtasks with the same seed; the diagonal is the same subtask across seeds.");
    }
    double[][] stability = nan(labels.size(), subtasks.size());
    for (Row r : q("SELECT label_a, subtask_a, avg(jaccard) FROM pairs WHERE label_a = label_b"
        + " AND subtask_a = subtask_b AND seed_a <> seed_b GROUP BY label_a, subtask_a")) {
      stability[labels.indexOf(r.getString(0))][subtasks.indexOf(r.getString(1))] =
          r.getDouble(2);
    }
    page.figure("jaccard-seeds", Charts.heatmap("Seed stability", "method", labels, "subtask",
        subtasks, stability, null, 0, 1), W, H, "Mean Jaccard between masks of the same method"
        + " and subtask trained with different seeds (blank: a single seed).");
    if (labels.size() > 1) {
      double[][] agree = nan(labels.size(), labels.size());
      for (Row r : q("SELECT label_a, label_b, avg(jaccard) FROM pairs WHERE label_a <> label_b"
          + " AND subtask_a = subtask_b AND seed_a = seed_b GROUP BY label_a, label_b")) {
        int a = labels.indexOf(r.getString(0));
        int b = labels.indexOf(r.getString(1));
        agree[a][b] = r.getDouble(2);
        agree[b][a] = r.getDouble(2);
      }
      for (Row r : q("SELECT label_a, avg(jaccard) FROM pairs WHERE label_a = label_b"
          + " AND subtask_a = subtask_b AND seed_a <> seed_b GROUP BY label_a")) {
        int a = labels.indexOf(r.getString(0));
        agree[a][a] = r.getDouble(1);
      }
      page.figure("jaccard-methods", Charts.heatmap("Agreement between methods", "method",
          labels, "method", labels, agree, null, 0, 1), W + 80, H + 60, "Mean Jaccard between"
          + " two methods' masks of the same subtask and seed; the diagonal is the method with"
          + " itself across seeds.");
    }
  }

  // ---------------------------------------------------------------- ablation

  private void ablationSection() {
    page.section("ablation", "Functional ablation",
        "Accuracy on each evaluated subtask (columns) of the model restricted to a subtask's mask"
            + " (subnetwork), with the mask removed (removed), or with only the mask's exclusive"
            + " weights removed (removed_exclusive); mean over seeds. Second line: mean accuracy"
            + " of random masks of the same per-layer size, where computed.");
    List<String> subtasks = subtasks();
    List<String> evalSubtasks = q("SELECT DISTINCT eval_subtask FROM ablation"
        + " ORDER BY eval_subtask").stream().map(r -> r.getString(0)).toList();
    Map<String, List<Row>> byLabelMode = new LinkedHashMap<>();
    for (Row r : q("SELECT r.label, a.mode, a.mask_subtask, a.eval_subtask, avg(a.accuracy),"
        + " avg(a.random_mean) FROM ablation a JOIN runs r ON a.run_id = r.run_id"
        + " WHERE a.mode IN ('subnetwork', 'removed', 'removed_exclusive')"
        + " GROUP BY r.label, a.mode, a.mask_subtask, a.eval_subtask")) {
      byLabelMode.computeIfAbsent(r.getString(0) + "\u0000" + r.getString(1),
          k -> new ArrayList<>()).add(r);
    }
    for (String label : labels()) {
      for (String mode : ABLATION_MODES) {
        double[][] acc = nan(subtasks.size(), evalSubtasks.size());
        String[][] notes = new String[subtasks.size()][evalSubtasks.size()];
        List<Row> rows = byLabelMode.getOrDefault(label + "\u0000" + mode, List.of());
        if (rows.isEmpty()) {
          continue;
        }
        for (Row r : rows) {
          int i = subtasks.indexOf(r.getString(2));
          int j = evalSubtasks.indexOf(r.getString(3));
          acc[i][j] = r.getDouble(4);
          notes[i][j] = r.isNullAt(5) ? null : "rnd " + f2(r.getDouble(5));
        }
        page.figure("ablation-" + slug(label) + "-" + mode, Charts.heatmap(
            label + ": " + mode, "mask of subtask", subtasks, "evaluated on", evalSubtasks, acc,
            notes, 0, 1), HW, HH, label + ", " + mode + ": accuracy by mask subtask (rows) and"
            + " evaluated subtask (columns).");
      }
      DefaultStatisticalCategoryDataset controls = new DefaultStatisticalCategoryDataset();
      boolean any = false;
      for (Row r : q("SELECT a.mask_subtask, a.mode, avg(a.accuracy), stddev_samp(a.accuracy),"
          + " avg(a.random_mean), avg(a.random_std) FROM ablation a JOIN runs r"
          + " ON a.run_id = r.run_id WHERE r.label = '" + sqlString(label) + "'"
          + " AND a.mode IN ('subnetwork', 'removed') AND a.eval_subtask = a.mask_subtask"
          + " GROUP BY a.mask_subtask, a.mode ORDER BY a.mode DESC, a.mask_subtask")) {
        String mode = r.getString(1);
        controls.add(r.getDouble(2), r.isNullAt(3) ? 0 : r.getDouble(3), "mask " + mode,
            r.getString(0));
        if (!r.isNullAt(4)) {
          any = true;
          controls.add(r.getDouble(4), r.isNullAt(5) ? 0 : r.getDouble(5), "random " + mode,
              r.getString(0));
        }
      }
      page.figure("controls-" + slug(label), Charts.meanStdBars(label + ": masks vs random"
          + " masks", "subtask (own)", "accuracy", controls, 1.0, true), W, H, label + ": accuracy on"
          + " the mask's own subtask, mask vs " + (any ? "random masks of the same per-layer size"
          + " (error bars: ± one std over seeds for masks, mean std of the random controls for"
          + " random)" : "(no random controls computed)") + ".");
    }
  }

  // ---------------------------------------------------------------- training curves

  private void curvesSection() {
    page.section("curves", "Training curves",
        "Loss and density (fraction of parameters the current hard mask keeps) against the"
            + " training step; each point is the mean over a window of steps.");
    Map<String, XYSeriesCollection[]> byLabel = new LinkedHashMap<>();
    Map<String, XYSeries[]> series = new LinkedHashMap<>();
    for (Row r : q("SELECT concat(method, CASE WHEN hyperparameters['matched'] = '1'"
        + " THEN ' (matched)' ELSE '' END) label, subtask, seed, run_id, step, loss, density"
        + " FROM training_curves ORDER BY label, subtask, seed, run_id, step")) {
      String label = r.getString(0);
      String run = r.getString(3);
      XYSeries[] s = series.computeIfAbsent(run, k -> {
        String key = r.getString(1) + " seed " + r.getLong(2);
        XYSeries[] pair = {new XYSeries(key, false, true), new XYSeries(key, false, true)};
        XYSeriesCollection[] cols = byLabel.computeIfAbsent(label,
            x -> new XYSeriesCollection[] {new XYSeriesCollection(), new XYSeriesCollection()});
        if (cols[0].getSeriesIndex(key) < 0) {
          cols[0].addSeries(pair[0]);
          cols[1].addSeries(pair[1]);
        }
        return pair;
      });
      s[0].add(r.getInt(4), r.getDouble(5));
      s[1].add(r.getInt(4), r.getDouble(6));
    }
    for (Map.Entry<String, XYSeriesCollection[]> e : byLabel.entrySet()) {
      String l = e.getKey();
      page.figure("curve-loss-" + slug(l), Charts.lines(l + ": loss", "step", "loss",
          e.getValue()[0], null), W, H, l + ": training loss (the method's objective,"
          + " regulariser included) per run.");
      page.figure("curve-density-" + slug(l), Charts.lines(l + ": density", "step", "density",
          e.getValue()[1], 1.0), W, H, l + ": density of the current mask per run.");
    }
  }

  // ---------------------------------------------------------------- clustering

  private void clusterSection() {
    for (String t : List.of("clusterability", "clusters", "cluster_specialisation")) {
      view(t);
    }
    page.section("clustering", "Clustering",
        "Spectral clustering of the network's weight graph (Filan et al.; Casper et al."
            + " 2022): normalised cut of the trained network vs networks with shuffled weights"
            + " (lower is more clusterable), cluster sizes, and the accuracy drop when a"
            + " cluster's units are ablated.");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"backend", "k", "units", "n-cut", "shuffles", "shuffled mean",
        "shuffled std", "z", "p"});
    DefaultStatisticalCategoryDataset cut = new DefaultStatisticalCategoryDataset();
    for (Row r : q("SELECT backend, k, n_units, n_cut, n_shuffles, shuffled_mean, shuffled_std,"
        + " z_score, p_value FROM clusterability ORDER BY backend")) {
      rows.add(new String[] {r.getString(0), String.valueOf(r.getInt(1)),
          String.valueOf(r.getInt(2)), f3(r.getDouble(3)), String.valueOf(r.getInt(4)),
          f3(r.getDouble(5)), num(r, 6), num(r, 7), f3(r.getDouble(8))});
      String category = "spectral, k = " + r.getInt(1) + " (" + r.getString(0) + ")";
      cut.add(r.getDouble(3), 0, "trained network", category);
      cut.add(r.getDouble(5), r.isNullAt(6) ? 0 : r.getDouble(6),
          "shuffled (" + r.getInt(4) + " networks)", category);
    }
    page.table(rows);
    page.figure("clusterability", Charts.meanStdBars("Normalised cut", "clustering", "n-cut",
        cut, null, true), W, H, "n-cut of the trained network and of its weight-shuffled copies"
        + " (mean ± std); lower is more clusterable.");
    for (String method : q("SELECT DISTINCT method FROM clusters ORDER BY method").stream()
        .map(r -> r.getString(0)).toList()) {
      DefaultCategoryDataset sizes = new DefaultCategoryDataset();
      for (Row r : q("SELECT cluster, layer, count(*) FROM clusters WHERE method = '"
          + sqlString(method) + "' GROUP BY cluster, layer ORDER BY cluster, layer")) {
        sizes.addValue(r.getLong(2), "layer " + r.getInt(1), "c" + r.getInt(0));
      }
      page.figure("cluster-sizes-" + slug(method), Charts.bars("Cluster sizes: " + method,
          "cluster", "units", sizes, null), W, H, method + ": units per cluster and layer.");
      List<Row> spec = q("SELECT cluster, eval_subtask, drop, z_score FROM cluster_specialisation"
          + " WHERE method = '" + sqlString(method) + "' ORDER BY cluster, eval_subtask");
      if (!spec.isEmpty()) {
        List<String> clusters = new ArrayList<>(new TreeSet<>(spec.stream()
            .map(r -> r.getInt(0)).toList())).stream().map(c -> "c" + c).toList();
        List<String> evals = new ArrayList<>(new TreeSet<>(spec.stream()
            .map(r -> r.getString(1)).toList()));
        double[][] drop = nan(clusters.size(), evals.size());
        String[][] notes = new String[clusters.size()][evals.size()];
        double hi = 0.05;
        for (Row r : spec) {
          int i = clusters.indexOf("c" + r.getInt(0));
          int j = evals.indexOf(r.getString(1));
          drop[i][j] = r.getDouble(2);
          hi = Math.max(hi, r.getDouble(2));
          notes[i][j] = r.isNullAt(3) ? null : "z " + String.format(Locale.ROOT, "%.1f",
              r.getDouble(3));
        }
        page.figure("cluster-ablation-" + slug(method), Charts.heatmap("Cluster ablation: "
            + method, "ablated cluster", clusters, "evaluated on", evals, drop, notes, 0, hi),
            W, Math.max(H, 60 + 28 * clusters.size()), method + ": accuracy drop when a"
            + " cluster's units are ablated; z against random unit sets of the same size.");
      }
    }
  }

  // ---------------------------------------------------------------- composition

  private void compositionSection() {
    page.section("composition", "Composition",
        "Set algebra on subtask masks, subroutine ablation and sparse-difference composition;"
            + " accuracy by evaluated subtask, mean over seeds; second line: random masks of the"
            + " same per-layer size.");
    for (String method : q("SELECT DISTINCT method FROM composition ORDER BY method").stream()
        .map(r -> r.getString(0)).toList()) {
      List<Row> rows = q("SELECT concat(operation, ' ', operands) op, eval_subtask,"
          + " avg(accuracy), avg(random_mean) FROM composition WHERE method = '"
          + sqlString(method) + "' GROUP BY op, eval_subtask ORDER BY op, eval_subtask");
      List<String> ops = new ArrayList<>(new TreeSet<>(rows.stream()
          .map(r -> r.getString(0)).toList()));
      List<String> evals = new ArrayList<>(new TreeSet<>(rows.stream()
          .map(r -> r.getString(1)).toList()));
      double[][] acc = nan(ops.size(), evals.size());
      String[][] notes = new String[ops.size()][evals.size()];
      for (Row r : rows) {
        int i = ops.indexOf(r.getString(0));
        int j = evals.indexOf(r.getString(1));
        acc[i][j] = r.getDouble(2);
        notes[i][j] = r.isNullAt(3) ? null : "rnd " + f2(r.getDouble(3));
      }
      page.figure("composition-" + slug(method), Charts.heatmap("Composition: " + method,
          "operation", ops, "evaluated on", evals, acc, notes, 0, 1), W + 160,
          Math.max(H, 80 + 34 * ops.size()), method + ": accuracy of composed masks or"
          + " parameters (rows) on each subtask (columns).");
    }
  }

  // ---------------------------------------------------------------- helpers

  static double[][] nan(int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] r : m) {
      java.util.Arrays.fill(r, Double.NaN);
    }
    return m;
  }

  static String slug(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }

  private static String sqlString(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String num(Row r, int i) {
    return r.isNullAt(i) ? "–" : f3(r.getDouble(i));
  }

  private static String ci(Row stat) {
    if (stat == null || stat.isNullAt(0)) {
      return "–";
    }
    return stat.isNullAt(2) ? f3(stat.getDouble(0))
        : f3(stat.getDouble(0)) + " [" + f3(stat.getDouble(2)) + ", " + f3(stat.getDouble(3)) + "]";
  }
}
