package org.subnetlab.jobs.report;

import static org.subnetlab.jobs.report.Stat.col;
import static org.subnetlab.jobs.report.Stat.str;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.BadInputException;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.Reports;
import org.subnetlab.jobs.output.Table;
import org.subnetlab.jobs.output.Tables;
import org.subnetlab.metrics.Intervals;
import org.subnetlab.model.ModelStore;
import org.subnetlab.sweep.GridPoints;

/**
 * {@code report/index.html}: the figures of the papers from the result tables of an output
 * directory — per-layer density, Jaccard heatmaps (subtasks, seeds, methods), the ablation matrix
 * with its random controls, training curves, the regularisation path of every method swept over
 * more than one grid point, and clustering and composition when those tables exist. Runs are
 * grouped by grid point ({@link GridPoints}), never pooled across hyperparameters; every figure
 * carries its numbers as JSON ({@link Charts#data}). Self-contained (inline SVG); replaced
 * atomically. The tables are small: each is read once and grouped on the driver ({@link Stat}), one
 * Spark job per table instead of one or more per figure (a cold report took 27 s on the demo's
 * output, 12 s this way).
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

  /** The mask tables' rows the sections share, read once. */
  private List<Row> sparsity;

  private List<Row> ablation;

  /**
   * run_id to its grid-point label ({@link GridPoints}: "method" or "method (matched)", and the
   * hyperparameters that differ within the sweep): every figure groups runs by it.
   */
  private final Map<String, String> labelOf = new HashMap<>();

  private final Map<String, String> familyOf = new HashMap<>();
  private GridPoints points;

  /** run_id to its base model's seed ({@code model.seeds}); 0 for tables without the column. */
  private final Map<String, Long> modelOf = new HashMap<>();

  /**
   * Whether the runs are on more than one base model: then every label carries " · model N" and
   * every figure is per (grid point, base model), as the summary's rows are.
   */
  private boolean severalModels;

  private List<String> labels;
  private List<String> subtasks;

  private ReportJob(SparkSession spark, OutputLayout out) {
    this.spark = spark;
    this.out = out;
    this.page =
        new HtmlPage(
            "subnetlab report: " + out.root().getFileName(),
            out.root()
                + " — generated "
                + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")));
  }

  /**
   * Refuses, before any Spark work, an output the report cannot be made from: no result tables, an
   * incomplete generation of {@code aggregate}'s tables, or a damaged part file of a table it
   * reads. Incomplete generations of other stages only leave their sections out.
   */
  public static void check(OutputLayout out) {
    if (!Tables.exists(out, Table.SPARSITY) && !Tables.exists(out, Table.CLUSTERS)) {
      throw new BadInputException(
          "Cannot report on "
              + out.root()
              + ": it has no result tables"
              + " (run `subnetlab run`, or `aggregate`, with --out "
              + out.root()
              + " first).");
    }
    if (Tables.incompleteStages(out).contains(Table.AGGREGATE)) {
      // every figure but clustering and composition needs them
      throw new BadInputException(
          "Cannot report on " + out.root() + ": " + Tables.incompleteNote(out, Table.AGGREGATE));
    }
    for (String t : org.subnetlab.jobs.output.TableExport.tables(out)) {
      if (Tables.complete(out, t)) {
        Tables.check(out, t);
      }
    }
  }

  /** Writes report/index.html from the tables under {@code out}; returns its path. */
  public static Path run(SparkSession spark, OutputLayout out) {
    check(out);
    ReportJob r = new ReportJob(spark, out);
    for (String stage : Tables.incompleteStages(out)) {
      String note = Tables.incompleteNote(out, stage);
      LOG.warn("{} The report leaves them out.", note);
      r.page.paragraph("Left out: " + note);
    }
    r.build();
    Reports.write(out, "index.html", r.page.render());
    Path index = out.report().resolve("index.html");
    LOG.info("Wrote {} ({} figures)", index, r.page.figures());
    return index;
  }

  /**
   * The report as the last step of a stage: the stage's tables are already committed, so a failure
   * here says so and names the command that retries only the report.
   */
  public static Path afterStage(SparkSession spark, OutputLayout out) {
    try {
      return run(spark, out);
    } catch (BadInputException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "The tables under "
              + out.tables()
              + " are complete, but"
              + " writing the report failed ("
              + e
              + "); run `subnetlab report --out "
              + out.root()
              + "` to retry it.",
          e);
    }
  }

  /** Whether the table exists and is of a complete generation (else its section is left out). */
  private boolean has(Table table) {
    return Tables.complete(out, table);
  }

  /** A result table, read once: the report groups its small tables on the driver. */
  private Dataset<Row> table(Table table) {
    return Tables.read(spark, out, table);
  }

  private void build() {
    if (has(Table.SPARSITY)) {
      Dataset<Row> sp = table(Table.SPARSITY);
      if (!Arrays.asList(sp.columns()).contains("model_seed")) {
        sp = sp.withColumn("model_seed", org.apache.spark.sql.functions.lit(0L));
      }
      sparsity =
          sp.select(
                  "run_id",
                  "method",
                  "hyperparameters",
                  "subtask",
                  "layer",
                  "density",
                  "model_seed")
              .collectAsList();
      List<GridPoints.Run> runs = new ArrayList<>();
      for (Row r : sparsity) {
        if ("ALL".equals(str(r, "layer"))) {
          runs.add(new GridPoints.Run(str(r, "run_id"), str(r, "method"), hp(r)));
          modelOf.put(str(r, "run_id"), (Long) col(r, "model_seed"));
        }
      }
      severalModels = new TreeSet<>(modelOf.values()).size() > 1;
      points = GridPoints.of(runs);
      for (GridPoints.Run r : runs) {
        labelOf.put(r.runId(), points.label(r.runId()) + modelTag(modelOf.get(r.runId())));
        familyOf.put(r.runId(), points.family(r.runId()));
      }
      labels = new ArrayList<>(new TreeSet<>(labelOf.values()));
      subtasks =
          new ArrayList<>(new TreeSet<>(sparsity.stream().map(r -> str(r, "subtask")).toList()));
      ablation =
          table(Table.ABLATION)
              .select(
                  "run_id",
                  "mode",
                  "mask_subtask",
                  "eval_subtask",
                  "accuracy",
                  "random_mean",
                  "random_std")
              .collectAsList();

      summarySection();
      pathSection();
      densitySection();
      overlapSection();
      ablationSection();
      if (has(Table.TRAINING_CURVES)) {
        curvesSection();
      }
    }
    if (has(Table.CLUSTERABILITY)) {
      clusterSection();
    }
    if (has(Table.COMPOSITION)) {
      compositionSection();
    }
  }

  /** The grid-point label of a table row's method and hyperparameters. */
  private String label(Row r) {
    return points.label(str(r, "method"), hp(r));
  }

  /** " · model N" with several base models, "" with one (labels as they were). */
  private String modelTag(Long modelSeed) {
    return severalModels ? " · model " + modelSeed : "";
  }

  /**
   * The base model a summary row is about: " · model N", or " · over base models" on a row over the
   * per-base-model means; "" with one base model.
   */
  private String summaryModel(Row r) {
    if (!severalModels || !hasColumn(r, "model_seed")) {
      return "";
    }
    Object seed = col(r, "model_seed");
    return seed == null ? " · over base models" : " · model " + seed;
  }

  /** The row's base model, null on a row over base models, 0 without the column. */
  private static Long summarySeed(Row r) {
    return Arrays.asList(r.schema().fieldNames()).contains("model_seed")
        ? (Long) col(r, "model_seed")
        : Long.valueOf(0);
  }

  private static Map<String, String> hp(Row r) {
    return r.getJavaMap(r.fieldIndex("hyperparameters"));
  }

  private boolean sameFamily(Row pair) {
    return familyOf.get(str(pair, "run_a")).equals(familyOf.get(str(pair, "run_b")));
  }

  private boolean hasColumn(Row r, String column) {
    return Arrays.asList(r.schema().fieldNames()).contains(column);
  }

  private String labelA(Row pair) {
    return labelOf.get(str(pair, "run_a"));
  }

  private String labelB(Row pair) {
    return labelOf.get(str(pair, "run_b"));
  }

  private static boolean sameSeed(Row pair) {
    return col(pair, "seed_a").equals(col(pair, "seed_b"));
  }

  private static boolean sameSubtask(Row pair) {
    return str(pair, "subtask_a").equals(str(pair, "subtask_b"));
  }

  // ---------------------------------------------------------------- summary

  /**
   * The base models' accuracies, one column per base model ({@code model/} is model seed 0, {@code
   * model-seed-<n>/} model seed n), so that a sweep over {@code model.seeds} shows all.
   */
  private void baseModelTable() {
    // The base models the runs were trained on (model seed 0 when the tables have no model_seed).
    TreeSet<Long> seeds = new TreeSet<>(modelOf.values());
    if (seeds.isEmpty()) {
      seeds.add(0L);
    }
    TreeMap<Long, com.typesafe.config.Config> evals = new TreeMap<>();
    for (long seed : seeds) {
      com.typesafe.config.Config meta = ModelStore.metadataOf(out.model(seed));
      if (meta != null && meta.hasPath("eval")) {
        evals.put(seed, meta.getConfig("eval"));
      }
    }
    if (evals.isEmpty()) {
      return;
    }
    TreeSet<String> subtasks = new TreeSet<>();
    evals.values().forEach(e -> subtasks.addAll(e.root().keySet()));
    List<String[]> base = new ArrayList<>();
    String[] header = new String[evals.size() + 1];
    header[0] = "subtask";
    int c = 1;
    for (long seed : evals.keySet()) {
      header[c++] = evals.size() == 1 ? "base model accuracy" : "model " + seed;
    }
    base.add(header);
    for (String k : subtasks) {
      String[] row = new String[evals.size() + 1];
      row[0] = k;
      int i = 1;
      for (var e : evals.values()) {
        String path = "\"" + k + "\".accuracy";
        row[i++] = e.hasPath(path) ? f3(e.getDouble(path)) : "—";
      }
      base.add(row);
    }
    page.subheading(evals.size() == 1 ? "Base model" : "Base models (accuracy per model seed)")
        .table(base);
  }

  private void summarySection() {
    page.section(
        "summary",
        "Summary",
        "Whole model, one row per grid point (a method and the hyperparameters that differ within"
            + " the sweep), mean over that grid point's seeds with a 95% interval in brackets: "
            + INTERVALS
            + " Subnetwork accuracy: the mask alone on its subtask; removal drop:"
            + " full-model accuracy minus accuracy with the mask removed.");
    baseModelTable();
    List<Row> all = table(Table.SUMMARY).where("layer = 'ALL'").collectAsList();
    boolean withSelection = !all.isEmpty() && hasColumn(all.get(0), "selection");
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "method",
          "subtask",
          "seeds",
          "density",
          "subnetwork accuracy",
          "removal drop",
          "Jaccard across seeds",
          "across subtasks",
          "across methods",
          "interval"
        });
    Comparator<Row> order =
        Comparator.comparing((Row r) -> List.of(label(r), str(r, "subtask")), Stat.STRINGS)
            .thenComparing(
                ReportJob::summarySeed, Comparator.nullsLast(Comparator.<Long>naturalOrder()));
    for (Row r :
        all.stream()
            .filter(r -> !withSelection || "grid".equals(str(r, "selection")))
            .sorted(order)
            .toList()) {
      rows.add(
          new String[] {
            label(r),
            str(r, "subtask") + summaryModel(r),
            String.valueOf(col(r, "n_seeds")),
            ci((Row) col(r, "density")),
            ci((Row) col(r, "subnetwork_accuracy")),
            ci((Row) col(r, "removal_drop")),
            num(r, "jaccard_across_seeds"),
            num(r, "jaccard_across_subtasks"),
            num(r, "jaccard_across_methods"),
            withSelection ? str(r, "interval") : "bootstrap-percentile"
          });
    }
    page.subheading("Masks, per grid point").table(rows);
    if (!withSelection) {
      return;
    }
    // by method family: the selected masks' hyperparameters may differ between base models
    List<Row> selected =
        all.stream()
            .filter(r -> "selected".equals(str(r, "selection")))
            .sorted(
                Comparator.comparing(
                        (Row r) ->
                            List.of(GridPoints.family(str(r, "method"), hp(r)), str(r, "subtask")),
                        Stat.STRINGS)
                    .thenComparing(
                        ReportJob::summarySeed,
                        Comparator.nullsLast(Comparator.<Long>naturalOrder())))
            .toList();
    if (selected.isEmpty()) {
      return;
    }
    List<String[]> sel = new ArrayList<>();
    sel.add(
        new String[] {
          "method",
          "subtask",
          "most often selected",
          "selected",
          "within" + " tolerance",
          "density",
          "subnetwork accuracy",
          "removal drop",
          "Jaccard across seeds",
          "across subtasks",
          "across methods",
          "interval"
        });
    for (Row r : selected) {
      String point = str(r, "grid_point");
      sel.add(
          new String[] {
            GridPoints.family(str(r, "method"), hp(r)),
            str(r, "subtask") + summaryModel(r),
            point.isEmpty() ? "(single grid point)" : point,
            str(r, "selected_points"),
            // of the row's masks: its seeds, or every base model's masks on a row over models
            col(r, "n_within_tolerance") + " of " + r.getList(r.fieldIndex("run_ids")).size(),
            ci((Row) col(r, "density")),
            ci((Row) col(r, "subnetwork_accuracy")),
            ci((Row) col(r, "removal_drop")),
            num(r, "jaccard_across_seeds"),
            num(r, "jaccard_across_subtasks"),
            num(r, "jaccard_across_methods"),
            str(r, "interval")
          });
    }
    page.subheading("Selected masks (" + str(selected.get(0), "selection_rule") + ")")
        .paragraph(
            "One mask per method, subtask, seed and base model, chosen among all grid"
                + " points of the method on that base model; Jaccards among the selected masks only."
                + (severalModels
                    ? " A \"model N\" row counts and describes the masks of base"
                        + " model N; an \"over base models\" row counts every base model's selected masks,"
                        + " with statistics over the per-base-model means."
                    : ""))
        .table(sel);
    for (String w :
        new TreeSet<>(
            selected.stream()
                .map(r -> str(r, "warning"))
                .filter(java.util.Objects::nonNull)
                .toList())) {
      page.paragraph("WARNING: " + w);
    }
  }

  /** What the report's intervals are. */
  static final String INTERVALS =
      "Student-t (mean ± t(0.975, n−1)·s/√n) below "
          + Intervals.STUDENT_T_BELOW
          + " seeds, percentile bootstrap from "
          + Intervals.STUDENT_T_BELOW
          + " seeds on, none for one seed (column interval).";

  // ---------------------------------------------------------------- regularisation path

  /**
   * Per method family with more than one grid point and per subtask, the density–accuracy trade-off
   * of its grid points, with the full model's accuracy and the selected point.
   */
  private void pathSection() {
    List<String> families =
        new ArrayList<>(new TreeSet<>(familyOf.values()))
            .stream().filter(f -> points.pointsInFamily(f) > 1).toList();
    if (families.isEmpty()) {
      return;
    }
    page.section(
        "path",
        "Regularisation path",
        "Whole-model density against subnetwork accuracy on the mask's own subtask, one point per"
            + " grid point (mean ± one std over seeds, both directions), for every method swept"
            + " over more than one grid point; dashed: the full model's accuracy on that subtask;"
            + " ringed: the grid point selected most often (summary table, selection = selected).");
    Map<String, Double> density = new HashMap<>();
    for (Row r : sparsity) {
      if ("ALL".equals(str(r, "layer"))) {
        density.put(str(r, "run_id"), (Double) col(r, "density"));
      }
    }
    Map<String, Double> sub = new HashMap<>();
    Map<String, Double> full = new HashMap<>();
    for (Row r : ablation) {
      if (str(r, "mask_subtask").equals(str(r, "eval_subtask"))) {
        if ("subnetwork".equals(str(r, "mode"))) {
          sub.put(str(r, "run_id"), (Double) col(r, "accuracy"));
        } else if ("full".equals(str(r, "mode"))) {
          full.put(str(r, "run_id"), (Double) col(r, "accuracy"));
        }
      }
    }
    Map<List<String>, String> chosen = new HashMap<>();
    List<Row> summary = table(Table.SUMMARY).where("layer = 'ALL'").collectAsList();
    if (!summary.isEmpty() && hasColumn(summary.get(0), "selection")) {
      for (Row r : summary) {
        // per base model: the point selected most often on that base model
        if ("selected".equals(str(r, "selection")) && summarySeed(r) != null) {
          chosen.put(
              List.of(
                  GridPoints.family(str(r, "method"), hp(r)),
                  str(r, "subtask"),
                  String.valueOf(summarySeed(r))),
              str(r, "grid_point"));
        }
      }
    }
    Map<String, String> subtaskOf = new HashMap<>();
    for (Row r : sparsity) {
      subtaskOf.put(str(r, "run_id"), str(r, "subtask"));
    }
    for (String family : families) {
      for (Long model : new TreeSet<>(modelOf.values())) {
        String name = family + modelTag(model);
        for (String subtask : subtasks) {
          Map<String, List<String>> runsByPoint = new TreeMap<>();
          labelOf.keySet().stream()
              .sorted()
              .filter(
                  id ->
                      familyOf.get(id).equals(family)
                          && model.equals(modelOf.get(id))
                          && subtask.equals(subtaskOf.get(id))
                          && sub.containsKey(id))
              .forEach(
                  id ->
                      runsByPoint
                          .computeIfAbsent(points.pointLabel(id), k -> new ArrayList<>())
                          .add(id));
          if (runsByPoint.size() < 2) {
            continue;
          }
          List<Charts.PathPoint> path = new ArrayList<>();
          Stat fullAcc = new Stat();
          runsByPoint.forEach(
              (point, ids) -> {
                Stat d = new Stat();
                Stat a = new Stat();
                ids.forEach(
                    id -> {
                      d.add(density.get(id));
                      a.add(sub.get(id));
                      fullAcc.add(full.get(id));
                    });
                path.add(
                    new Charts.PathPoint(
                        point,
                        d.avg(),
                        d.sdOrZero(),
                        a.avg(),
                        a.sdOrZero(),
                        point.equals(chosen.get(List.of(family, subtask, String.valueOf(model))))));
              });
          page.figure(
              "path-" + slug(name) + "-" + slug(subtask),
              Charts.regularisationPath(
                  "Regularisation path: " + name + ", " + subtask, path, fullAcc.avg()),
              W,
              H,
              name
                  + " on "
                  + subtask
                  + ": density vs subnetwork accuracy per grid point (mean"
                  + " ± std over seeds"
                  + (severalModels ? " of this base model" : "")
                  + "); dashed: full model; ringed: selected most often.");
        }
      }
    }
  }

  // ---------------------------------------------------------------- density

  private void densitySection() {
    page.section(
        "density",
        "Density per layer",
        "Fraction of each layer's parameters a mask keeps, mean over seeds.");
    List<String> layers =
        table(Table.MASKS).select("layer_index", "layer").distinct().collectAsList().stream()
            .sorted(Comparator.comparingInt((Row r) -> r.getInt(0)))
            .map(r -> r.getString(1))
            .toList();
    DefaultStatisticalCategoryDataset whole = new DefaultStatisticalCategoryDataset();
    Stat.group(
            sparsity.stream().filter(r -> "ALL".equals(str(r, "layer"))).toList(),
            r -> List.of(labelOf.get(str(r, "run_id")), str(r, "subtask")),
            "density")
        .forEach((k, v) -> whole.add((double) v[0].avg(), v[0].sdOrZero(), k.get(1), k.get(0)));
    page.figure(
        "density-all",
        Charts.meanStdBars("Whole-model density", "method", "density", whole, null, false),
        W,
        H,
        "Density of the whole model per method and subtask; error bars: ± one"
            + " standard deviation over seeds.");
    perLayerDensity(layers, "layer", "Density per layer: ", "density-", "each layer's mask");
    // a transformer's attention heads (rows of the sparsity table that are no tensor)
    List<String> heads =
        sparsity.stream()
            .map(r -> str(r, "layer"))
            .filter(l -> !"ALL".equals(l) && !layers.contains(l))
            .distinct()
            .sorted()
            .toList();
    if (!heads.isEmpty()) {
      perLayerDensity(
          heads,
          "attention head",
          "Density per attention head: ",
          "density-heads-",
          "each attention head's parameters (its q, k, v columns, biases and output rows)");
    }
  }

  private void perLayerDensity(
      List<String> layers, String axis, String title, String id, String what) {
    Map<String, DefaultCategoryDataset> perLabel = new LinkedHashMap<>();
    Stat.group(
            sparsity.stream()
                .filter(
                    r -> layers.contains(str(r, "layer")) && labelOf.containsKey(str(r, "run_id")))
                .toList(),
            r -> List.of(labelOf.get(str(r, "run_id")), str(r, "subtask"), str(r, "layer")),
            "density")
        .forEach(
            (k, v) -> {
              DefaultCategoryDataset d =
                  perLabel.computeIfAbsent(
                      k.get(0),
                      x -> {
                        DefaultCategoryDataset ds = new DefaultCategoryDataset();
                        for (String layer : layers) {
                          ds.addValue((Number) null, k.get(1), layer);
                        }
                        return ds;
                      });
              d.addValue(v[0].avg(), k.get(1), k.get(2));
            });
    for (Map.Entry<String, DefaultCategoryDataset> e : perLabel.entrySet()) {
      page.figure(
          id + slug(e.getKey()),
          Charts.bars(title + e.getKey(), axis, "density", e.getValue(), null),
          W,
          H,
          e.getKey() + ": density of " + what + " per subtask (mean over seeds).");
    }
  }

  // ---------------------------------------------------------------- overlap

  private void overlapSection() {
    page.section(
        "overlap", "Overlap (Jaccard)", "Jaccard index |A∩B| / |A∪B| of whole-model masks.");
    // The overlap table's whole-model rows, streamed (it has N(N - 1)/2 of them): only pairs of a
    // subtask or of a seed are in a figure, and pairs of masks of one base model only (no figure
    // pools masks of two base models). Each figure's means are summed in the table's row order.
    Stat.Groups subtaskPairs = new Stat.Groups("jaccard");
    Stat.Groups seedPairs = new Stat.Groups("jaccard");
    Stat.Groups seedPairsByLabel = new Stat.Groups("jaccard");
    Stat.Groups methodPairs = new Stat.Groups("jaccard");
    java.util.Iterator<Row> it =
        table(Table.OVERLAP)
            .where("layer = 'ALL' AND (seed_a = seed_b OR subtask_a = subtask_b)")
            .select("run_a", "run_b", "subtask_a", "subtask_b", "seed_a", "seed_b", "jaccard")
            .toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      if (!labelOf.containsKey(str(r, "run_a"))
          || !labelOf.containsKey(str(r, "run_b"))
          || !modelOf.get(str(r, "run_a")).equals(modelOf.get(str(r, "run_b")))) {
        continue;
      }
      boolean sameLabel = labelA(r).equals(labelB(r));
      if (sameLabel && sameSeed(r) != sameSubtask(r)) {
        subtaskPairs.add(List.of(labelA(r), str(r, "subtask_a"), str(r, "subtask_b")), r);
      }
      if (sameLabel && sameSubtask(r) && !sameSeed(r)) {
        seedPairs.add(List.of(labelA(r), str(r, "subtask_a")), r);
        seedPairsByLabel.add(List.of(labelA(r)), r);
      }
      if (!sameFamily(r) && sameSubtask(r) && sameSeed(r)) {
        methodPairs.add(List.of(labelA(r), labelB(r)), r);
      }
    }
    Map<String, double[][]> bySubtask = new LinkedHashMap<>();
    for (String l : labels) {
      bySubtask.put(l, nan(subtasks.size(), subtasks.size()));
    }
    subtaskPairs
        .result()
        .forEach(
            (k, v) -> {
              double[][] m = bySubtask.get(k.get(0));
              int a = subtasks.indexOf(k.get(1));
              int b = subtasks.indexOf(k.get(2));
              m[a][b] = v[0].avg();
              m[b][a] = v[0].avg();
            });
    for (Map.Entry<String, double[][]> e : bySubtask.entrySet()) {
      page.figure(
          "jaccard-subtasks-" + slug(e.getKey()),
          Charts.heatmap(
              "Jaccard between subtasks: " + e.getKey(),
              "subtask",
              subtasks,
              "subtask",
              subtasks,
              e.getValue(),
              null,
              0,
              1),
          HW,
          HH,
          e.getKey()
              + ": mean Jaccard between the masks of two"
              + " subtasks with the same seed; the diagonal is the same subtask across seeds.");
    }
    double[][] stability = nan(labels.size(), subtasks.size());
    seedPairs
        .result()
        .forEach(
            (k, v) -> stability[labels.indexOf(k.get(0))][subtasks.indexOf(k.get(1))] = v[0].avg());
    page.figure(
        "jaccard-seeds",
        Charts.heatmap(
            "Seed stability", "method", labels, "subtask", subtasks, stability, null, 0, 1),
        W,
        H,
        "Mean Jaccard between masks of the same method"
            + " and subtask trained with different seeds (blank: a single seed).");
    if (labels.size() > 1) {
      double[][] agree = nan(labels.size(), labels.size());
      methodPairs
          .result()
          .forEach(
              (k, v) -> {
                int a = labels.indexOf(k.get(0));
                int b = labels.indexOf(k.get(1));
                agree[a][b] = v[0].avg();
                agree[b][a] = v[0].avg();
              });
      seedPairsByLabel
          .result()
          .forEach(
              (k, v) -> agree[labels.indexOf(k.get(0))][labels.indexOf(k.get(0))] = v[0].avg());
      page.figure(
          "jaccard-methods",
          Charts.heatmap(
              "Agreement between methods", "method", labels, "method", labels, agree, null, 0, 1),
          W + 80,
          H + 60,
          "Mean Jaccard between"
              + " the masks of two methods' grid points (named on both axes) for the same subtask and"
              + " seed; the diagonal is a grid point with itself across seeds.");
    }
  }

  // ---------------------------------------------------------------- ablation

  private void ablationSection() {
    page.section(
        "ablation",
        "Functional ablation",
        "Accuracy on each evaluated subtask (columns) of the model restricted to a subtask's mask"
            + " (subnetwork), with the mask removed (removed), or with only the mask's exclusive"
            + " weights removed (removed_exclusive); mean over seeds. Second line: mean accuracy"
            + " of random masks of the same per-layer size, where computed.");
    List<String> evalSubtasks =
        new ArrayList<>(new TreeSet<>(ablation.stream().map(r -> str(r, "eval_subtask")).toList()));
    List<Row> labelled =
        ablation.stream().filter(r -> labelOf.containsKey(str(r, "run_id"))).toList();
    Map<List<String>, Map<List<String>, Stat[]>> byLabelMode = new HashMap<>();
    Stat.group(
            labelled.stream().filter(r -> ABLATION_MODES.contains(str(r, "mode"))).toList(),
            r ->
                List.of(
                    labelOf.get(str(r, "run_id")),
                    str(r, "mode"),
                    str(r, "mask_subtask"),
                    str(r, "eval_subtask")),
            "accuracy",
            "random_mean")
        .forEach(
            (k, v) ->
                byLabelMode
                    .computeIfAbsent(k.subList(0, 2), x -> new HashMap<>())
                    .put(k.subList(2, 4), v));
    for (String label : labels) {
      for (String mode : ABLATION_MODES) {
        double[][] acc = nan(subtasks.size(), evalSubtasks.size());
        String[][] notes = new String[subtasks.size()][evalSubtasks.size()];
        Map<List<String>, Stat[]> cells = byLabelMode.getOrDefault(List.of(label, mode), Map.of());
        if (cells.isEmpty()) {
          continue;
        }
        cells.forEach(
            (k, v) -> {
              int i = subtasks.indexOf(k.get(0));
              int j = evalSubtasks.indexOf(k.get(1));
              acc[i][j] = v[0].avg();
              notes[i][j] = v[1].avg() == null ? null : "rnd " + f2(v[1].avg());
            });
        page.figure(
            "ablation-" + slug(label) + "-" + mode,
            Charts.heatmap(
                label + ": " + mode,
                "mask of subtask",
                subtasks,
                "evaluated on",
                evalSubtasks,
                acc,
                notes,
                0,
                1),
            HW,
            HH,
            label
                + ", "
                + mode
                + ": accuracy by mask subtask (rows) and"
                + " evaluated subtask (columns).");
      }
      DefaultStatisticalCategoryDataset controls = new DefaultStatisticalCategoryDataset();
      boolean any = false;
      Map<List<String>, Stat[]> own =
          Stat.group(
              labelled.stream()
                  .filter(
                      r ->
                          label.equals(labelOf.get(str(r, "run_id")))
                              && str(r, "eval_subtask").equals(str(r, "mask_subtask")))
                  .toList(),
              r -> List.of(str(r, "mode"), str(r, "mask_subtask")),
              "accuracy",
              "accuracy",
              "random_mean",
              "random_std");
      for (String mode : List.of("subnetwork", "removed")) {
        for (Map.Entry<List<String>, Stat[]> e : own.entrySet()) {
          if (!e.getKey().get(0).equals(mode)) {
            continue;
          }
          String subtask = e.getKey().get(1);
          Stat[] v = e.getValue();
          controls.add((double) v[0].avg(), v[1].sdOrZero(), "mask " + mode, subtask);
          if (v[2].avg() != null) {
            any = true;
            Double randomStd = v[3].avg();
            controls.add(
                (double) v[2].avg(), randomStd == null ? 0 : randomStd, "random " + mode, subtask);
          }
        }
      }
      page.figure(
          "controls-" + slug(label),
          Charts.meanStdBars(
              label + ": masks vs random" + " masks",
              "subtask (own)",
              "accuracy",
              controls,
              1.0,
              true),
          W,
          H,
          label
              + ": accuracy on"
              + " the mask's own subtask, mask vs "
              + (any
                  ? "random masks of the same per-layer size"
                      + " (error bars: ± one std over seeds for masks, mean std of the random controls for"
                      + " random)"
                  : "(no random controls computed)")
              + ".");
    }
  }

  // ---------------------------------------------------------------- training curves

  private void curvesSection() {
    page.section(
        "curves",
        "Training curves",
        "Loss and density (fraction of parameters the current hard mask keeps) against the"
            + " training step; each point is the mean over a window of steps.");
    Map<String, XYSeriesCollection[]> byLabel = new LinkedHashMap<>();
    Map<String, XYSeries[]> series = new LinkedHashMap<>();
    List<Row> curves =
        table(Table.TRAINING_CURVES)
            .select(
                "method", "hyperparameters", "subtask", "seed", "run_id", "step", "loss", "density")
            .collectAsList()
            .stream()
            .filter(r -> labelOf.containsKey(str(r, "run_id")))
            .sorted(
                Comparator.comparing(
                        (Row r) -> List.of(labelOf.get(str(r, "run_id")), str(r, "subtask")),
                        Stat.STRINGS)
                    .thenComparingLong(r -> (Long) col(r, "seed"))
                    .thenComparing(r -> str(r, "run_id"))
                    .thenComparingInt(r -> (Integer) col(r, "step")))
            .toList();
    for (Row r : curves) {
      String label = labelOf.get(str(r, "run_id"));
      String run = str(r, "run_id");
      XYSeries[] s =
          series.computeIfAbsent(
              run,
              k -> {
                String key = str(r, "subtask") + " seed " + col(r, "seed");
                XYSeries[] pair = {new XYSeries(key, false, true), new XYSeries(key, false, true)};
                XYSeriesCollection[] cols =
                    byLabel.computeIfAbsent(
                        label,
                        x ->
                            new XYSeriesCollection[] {
                              new XYSeriesCollection(), new XYSeriesCollection()
                            });
                if (cols[0].getSeriesIndex(key) < 0) {
                  cols[0].addSeries(pair[0]);
                  cols[1].addSeries(pair[1]);
                }
                return pair;
              });
      int step = (Integer) col(r, "step");
      s[0].add(step, (Double) col(r, "loss"));
      s[1].add(step, (Double) col(r, "density"));
    }
    for (Map.Entry<String, XYSeriesCollection[]> e : byLabel.entrySet()) {
      String l = e.getKey();
      page.figure(
          "curve-loss-" + slug(l),
          Charts.lines(l + ": loss", "step", "loss", e.getValue()[0], null),
          W,
          H,
          l + ": training loss (the method's objective," + " regulariser included) per run.");
      page.figure(
          "curve-density-" + slug(l),
          Charts.lines(l + ": density", "step", "density", e.getValue()[1], 1.0),
          W,
          H,
          l + ": density of the current mask per run.");
    }
  }

  // ---------------------------------------------------------------- clustering

  private void clusterSection() {
    page.section(
        "clustering",
        "Clustering",
        "Spectral clustering of the network's weight graph (Filan et al.; Casper et al."
            + " 2022): normalised cut of the trained network vs networks with shuffled weights"
            + " (lower is more clusterable), cluster sizes, and the accuracy drop when a"
            + " cluster's units are ablated.");
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "backend", "k", "units", "n-cut", "shuffles", "shuffled mean", "shuffled std", "z", "p"
        });
    DefaultStatisticalCategoryDataset cut = new DefaultStatisticalCategoryDataset();
    for (Row r :
        table(Table.CLUSTERABILITY)
            .select(
                "backend",
                "k",
                "n_units",
                "n_cut",
                "n_shuffles",
                "shuffled_mean",
                "shuffled_std",
                "z_score",
                "p_value")
            .collectAsList()
            .stream()
            .sorted(Comparator.comparing((Row r) -> r.getString(0)))
            .toList()) {
      rows.add(
          new String[] {
            r.getString(0),
            String.valueOf(r.getInt(1)),
            String.valueOf(r.getInt(2)),
            f3(r.getDouble(3)),
            String.valueOf(r.getInt(4)),
            f3(r.getDouble(5)),
            num(r, 6),
            num(r, 7),
            f3(r.getDouble(8))
          });
      String category = "spectral, k = " + r.getInt(1) + " (" + r.getString(0) + ")";
      cut.add(r.getDouble(3), 0, "trained network", category);
      cut.add(
          r.getDouble(5),
          r.isNullAt(6) ? 0 : r.getDouble(6),
          "shuffled (" + r.getInt(4) + " networks)",
          category);
    }
    page.table(rows);
    page.figure(
        "clusterability",
        Charts.meanStdBars("Normalised cut", "clustering", "n-cut", cut, null, true),
        W,
        H,
        "n-cut of the trained network and of its weight-shuffled copies"
            + " (mean ± std); lower is more clusterable.");
    // units per (method, cluster, layer), in ascending order of each
    Map<String, Map<List<Integer>, Long>> units = new TreeMap<>();
    Comparator<List<Integer>> byClusterLayer =
        Comparator.comparing((List<Integer> k) -> k.get(0)).thenComparing(k -> k.get(1));
    for (Row r : table(Table.CLUSTERS).select("method", "cluster", "layer").collectAsList()) {
      units
          .computeIfAbsent(r.getString(0), m -> new TreeMap<>(byClusterLayer))
          .merge(List.of(r.getInt(1), r.getInt(2)), 1L, Long::sum);
    }
    List<Row> specialisation =
        table(Table.CLUSTER_SPECIALISATION)
            .select("cluster", "eval_subtask", "drop", "z_score", "method")
            .collectAsList();
    for (Map.Entry<String, Map<List<Integer>, Long>> m : units.entrySet()) {
      String method = m.getKey();
      DefaultCategoryDataset sizes = new DefaultCategoryDataset();
      m.getValue().forEach((k, n) -> sizes.addValue(n, "layer " + k.get(1), "c" + k.get(0)));
      page.figure(
          "cluster-sizes-" + slug(method),
          Charts.bars("Cluster sizes: " + method, "cluster", "units", sizes, null),
          W,
          H,
          method + ": units per cluster and layer.");
      List<Row> spec = specialisation.stream().filter(r -> method.equals(r.getString(4))).toList();
      if (!spec.isEmpty()) {
        List<String> clusters =
            new ArrayList<>(new TreeSet<>(spec.stream().map(r -> r.getInt(0)).toList()))
                .stream().map(c -> "c" + c).toList();
        List<String> evals =
            new ArrayList<>(new TreeSet<>(spec.stream().map(r -> r.getString(1)).toList()));
        double[][] drop = nan(clusters.size(), evals.size());
        String[][] notes = new String[clusters.size()][evals.size()];
        double hi = 0.05;
        for (Row r : spec) {
          int i = clusters.indexOf("c" + r.getInt(0));
          int j = evals.indexOf(r.getString(1));
          drop[i][j] = r.getDouble(2);
          hi = Math.max(hi, r.getDouble(2));
          notes[i][j] =
              r.isNullAt(3) ? null : "z " + String.format(Locale.ROOT, "%.1f", r.getDouble(3));
        }
        page.figure(
            "cluster-ablation-" + slug(method),
            Charts.heatmap(
                "Cluster ablation: " + method,
                "ablated cluster",
                clusters,
                "evaluated on",
                evals,
                drop,
                notes,
                0,
                hi),
            W,
            Math.max(H, 60 + 28 * clusters.size()),
            method
                + ": accuracy drop when a"
                + " cluster's units are ablated; z against random unit sets of the same size.");
      }
    }
  }

  // ---------------------------------------------------------------- composition

  private void compositionSection() {
    page.section(
        "composition",
        "Composition",
        "Set algebra on subtask masks, subroutine ablation and sparse-difference composition;"
            + " accuracy by evaluated subtask, mean over seeds; second line: random masks of the"
            + " same per-layer size.");
    // Ablation modes and the random-init control stay apart: "ablate[reinit] a", "[random-init]"
    // (tables written before those columns existed hold zero ablation of the trained model).
    Dataset<Row> comp = table(Table.COMPOSITION);
    if (!Arrays.asList(comp.columns()).contains("ablation")) {
      comp =
          comp.withColumn("base", org.apache.spark.sql.functions.lit("trained"))
              .withColumn("ablation", org.apache.spark.sql.functions.lit("zero"));
    }
    if (!Arrays.asList(comp.columns()).contains("model_seed")) {
      comp = comp.withColumn("model_seed", org.apache.spark.sql.functions.lit(0L));
    }
    boolean several = comp.select("model_seed").distinct().count() > 1;
    // per method and base model ("method · model N" with several base models)
    Map<List<String>, Stat[]> cells =
        Stat.group(
            comp.select(
                    "method",
                    "operation",
                    "operands",
                    "eval_subtask",
                    "accuracy",
                    "random_mean",
                    "base",
                    "ablation",
                    "model_seed")
                .collectAsList(),
            r ->
                Arrays.asList(
                    r.getString(0) + (several ? " · model " + r.getLong(8) : ""),
                    r.isNullAt(2)
                        ? null
                        : r.getString(1)
                            + (r.getString(7).equals("zero") || r.getString(7).equals("none")
                                ? ""
                                : "[" + r.getString(7) + "]")
                            + " "
                            + r.getString(2)
                            + (r.getString(6).equals("trained") ? "" : " [" + r.getString(6) + "]"),
                    r.getString(3)),
            "accuracy",
            "random_mean");
    for (String method : new TreeSet<>(cells.keySet().stream().map(k -> k.get(0)).toList())) {
      Map<List<String>, Stat[]> rows = new LinkedHashMap<>();
      cells.forEach(
          (k, v) -> {
            if (k.get(0).equals(method)) {
              rows.put(k.subList(1, 3), v);
            }
          });
      List<String> ops =
          new ArrayList<>(new TreeSet<>(rows.keySet().stream().map(k -> k.get(0)).toList()));
      List<String> evals =
          new ArrayList<>(new TreeSet<>(rows.keySet().stream().map(k -> k.get(1)).toList()));
      double[][] acc = nan(ops.size(), evals.size());
      String[][] notes = new String[ops.size()][evals.size()];
      rows.forEach(
          (k, v) -> {
            int i = ops.indexOf(k.get(0));
            int j = evals.indexOf(k.get(1));
            acc[i][j] = v[0].avg();
            notes[i][j] = v[1].avg() == null ? null : "rnd " + f2(v[1].avg());
          });
      page.figure(
          "composition-" + slug(method),
          Charts.heatmap(
              "Composition: " + method, "operation", ops, "evaluated on", evals, acc, notes, 0, 1),
          W + 160,
          Math.max(H, 80 + 34 * ops.size()),
          method
              + ": accuracy of composed masks or"
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

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String num(Row r, int i) {
    return r.isNullAt(i) ? "–" : f3(r.getDouble(i));
  }

  private static String num(Row r, String column) {
    return num(r, r.fieldIndex(column));
  }

  private static String ci(Row stat) {
    if (stat == null || stat.isNullAt(0)) {
      return "–";
    }
    return stat.isNullAt(2)
        ? f3(stat.getDouble(0))
        : f3(stat.getDouble(0)) + " [" + f3(stat.getDouble(2)) + ", " + f3(stat.getDouble(3)) + "]";
  }
}
