package org.subnetlab.jobs.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.Reports;
import org.subnetlab.jobs.output.Table;
import org.subnetlab.jobs.output.Tables;
import org.subnetlab.metrics.Intervals;
import org.subnetlab.model.ModelStore;
import org.subnetlab.sweep.GridPoints;

/**
 * The summary saved as {@code report/summary.md}: base-model accuracy, per grid point (method and
 * the hyperparameters that differ within the sweep, {@link GridPoints}) and subtask the mean
 * density and ablation accuracies over seeds, mean Jaccard overlaps, the summary table, and the
 * same over the selected masks (one per method, subtask and seed; see the {@code summary} table's
 * {@code selection} column), with the selection's warnings. Its first part ({@link #compact}) is
 * printed at the end of {@code run}.
 */
public final class Summary {
  private Summary() {}

  /** The text of {@code report/summary.md}, and its first part ({@link #compact}). */
  public record Text(String full, String compact) {}

  public static String build(SparkSession spark, OutputLayout out) {
    return buildText(spark, out).full();
  }

  /** The summary and its compact first part, from one set of views and queries. */
  public static Text buildText(SparkSession spark, OutputLayout out) {
    View v = views(spark, out);
    GridPoints points = v.points;
    StringBuilder sb =
        new StringBuilder("# subnetlab summary: " + out.root().getFileName() + "\n\n");
    sb.append(
            "Every row is one grid point (a method and the hyperparameters that differ within the"
                + " sweep); statistics are over mask seeds of that grid point only. ")
        .append(intervalNote());
    String compact = compact(spark, out, v);
    sb.append(compact);
    sb.append("\n## Overlap (mean Jaccard of whole-model masks)\n\n");
    sb.append("Pairs of runs of the same grid point (and base model) only.\n\n");
    sb.append(
        "| method | between subtasks, same seed | same subtask, across seeds |\n|---|---|---|\n");
    for (Row r :
        spark
            .sql(
                "SELECT "
                    + withModel(v, "label_a")
                    + " m,"
                    + " avg(CASE WHEN subtask_a<>subtask_b AND seed_a=seed_b THEN jaccard END),"
                    + " avg(CASE WHEN subtask_a=subtask_b AND seed_a<>seed_b THEN jaccard END)"
                    + " FROM overlap_labelled WHERE layer='ALL' AND key_a=key_b GROUP BY m"
                    + " ORDER BY m")
            .collectAsList()) {
      sb.append(
          String.format(Locale.ROOT, "| %s | %s | %s |%n", r.getString(0), num(r, 1), num(r, 2)));
    }
    subtaskOverlap(
        spark,
        v,
        sb,
        "Overlap between subtasks (same grid point and seed, whole model," + " mean over seeds)",
        "key_a=key_b",
        "label_a");
    sb.append(
        "\n## Summary table (whole model; mean [95% interval] over mask seeds, or over base"
            + " models where the row says so)\n\n");
    sb.append(intervalNote());
    sb.append(
        "| method | subtask | seeds | density | subnetwork accuracy | removal drop "
            + "| Jaccard across seeds | across subtasks | across methods | interval |\n"
            + "|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : summaryRows(spark, points, "grid")) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |%n",
              labelOf(points, r),
              r.getAs("subtask") + baseModel(v, r),
              (Integer) r.getAs("n_seeds"),
              ci(r.getAs("density")),
              ci(r.getAs("subnetwork_accuracy")),
              ci(r.getAs("removal_drop")),
              num(r, "jaccard_across_seeds"),
              num(r, "jaccard_across_subtasks"),
              num(r, "jaccard_across_methods"),
              r.getAs("interval")));
    }
    methodAgreement(
        spark,
        v,
        sb,
        "\n## Agreement between methods (same subtask, seed and base" + " model, mean Jaccard)\n\n",
        "label",
        "");
    selected(spark, v, sb);
    return new Text(sb.toString(), compact);
  }

  /** The selected masks: which grid points, their statistics, overlaps and ablation. */
  private static void selected(SparkSession spark, View v, StringBuilder sb) {
    GridPoints points = v.points;
    List<Row> rows = summaryRows(spark, points, "selected");
    if (rows.isEmpty()) {
      return;
    }
    sb.append("\n## Selected masks (")
        .append(rows.get(0).<String>getAs("selection_rule"))
        .append(")\n\n");
    sb.append(
        "One mask per method, subtask, seed and base model, chosen among all grid points of"
            + " the method on that base model (`selection = selected` rows of the `summary` table)."
            + " `selected` counts how often each grid point was chosen over the row's masks;"
            + " `within tolerance` for how many of them a grid point was within the tolerance. A"
            + " `model N` row counts the mask seeds of base model N; an `over base models` row counts"
            + " the masks of every base model, and its statistics are over the per-base-model"
            + " means.\n\n");
    sb.append(
        "| method | subtask | most often selected | selected | within tolerance | density "
            + "| subnetwork accuracy | removal drop | Jaccard across seeds | across subtasks "
            + "| across methods | interval |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      String point = r.getAs("grid_point");
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %d of %d | %s | %s | %s | %s | %s | %s | %s |%n",
              GridPoints.family(r.getAs("method"), hp(r)),
              r.getAs("subtask") + baseModel(v, r),
              point.isEmpty() ? "(single grid point)" : point,
              r.getAs("selected_points"),
              // of the row's masks: its seeds, or every base model's masks on a row over models
              (Integer) r.getAs("n_within_tolerance"),
              r.getList(r.fieldIndex("run_ids")).size(),
              ci(r.getAs("density")),
              ci(r.getAs("subnetwork_accuracy")),
              ci(r.getAs("removal_drop")),
              num(r, "jaccard_across_seeds"),
              num(r, "jaccard_across_subtasks"),
              num(r, "jaccard_across_methods"),
              r.getAs("interval")));
    }
    subtaskOverlap(
        spark,
        v,
        sb,
        "Overlap between subtasks, selected masks (same method, seed and"
            + " base model, whole model, mean over seeds)",
        "family_a=family_b AND sel_a AND sel_b",
        "family_a");
    methodAgreement(
        spark,
        v,
        sb,
        "\n### Agreement between methods, selected masks (same"
            + " subtask, seed and base model)\n\n",
        "family",
        " AND sel_a AND sel_b");
    sb.append("\n### Ablation, selected masks (mean ± std over seeds)\n\n");
    masksTable(spark, sb, "family", "r.selected");
  }

  /**
   * Mean Jaccard of masks of different methods on the same subtask, seed and base model, one row
   * per pair of {@code label} values ({@code label_a}/{@code label_b}: grid points, or {@code
   * family_a}/{@code family_b}: methods), restricted by {@code extraFilter}.
   */
  private static void methodAgreement(
      SparkSession spark,
      View v,
      StringBuilder sb,
      String heading,
      String label,
      String extraFilter) {
    sb.append(heading);
    sb.append("| method A | method B | Jaccard |\n|---|---|---|\n");
    for (Row r :
        spark
            .sql(
                "SELECT "
                    + withModel(v, "least(" + label + "_a, " + label + "_b)")
                    + " ma, "
                    + withModel(v, "greatest(" + label + "_a, " + label + "_b)")
                    + " mb, avg(jaccard)"
                    + " FROM overlap_labelled WHERE layer='ALL' AND family_a<>family_b AND seed_a=seed_b"
                    + " AND subtask_a=subtask_b"
                    + extraFilter
                    + " GROUP BY ma, mb ORDER BY ma, mb")
            .collectAsList()) {
      sb.append(
          String.format(
              Locale.ROOT, "| %s | %s | %s |%n", r.getString(0), r.getString(1), num(r, 2)));
    }
  }

  private static void subtaskOverlap(
      SparkSession spark,
      View v,
      StringBuilder sb,
      String heading,
      String filter,
      String labelColumn) {
    sb.append("\n## ").append(heading).append("\n\n");
    sb.append(
        "| method | subtask A | subtask B | Jaccard | share of A in B | share of B in A |\n"
            + "|---|---|---|---|---|---|\n");
    for (Row r :
        spark
            .sql(
                "SELECT "
                    + labelColumn
                    + ", "
                    + withModel(v, "least(subtask_a, subtask_b)")
                    + " sa,"
                    + " "
                    + withModel(v, "greatest(subtask_a, subtask_b)")
                    + " sb, avg(jaccard),"
                    + " avg(CASE WHEN subtask_a < subtask_b THEN share_a_in_b ELSE share_b_in_a END),"
                    + " avg(CASE WHEN subtask_a < subtask_b THEN share_b_in_a ELSE share_a_in_b END)"
                    + " FROM overlap_labelled WHERE layer='ALL' AND "
                    + filter
                    + " AND seed_a=seed_b"
                    + " AND subtask_a<>subtask_b GROUP BY "
                    + labelColumn
                    + ", sa, sb ORDER BY "
                    + labelColumn
                    + ", sa, sb")
            .collectAsList()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s |%n",
              r.getString(0),
              r.getString(1),
              r.getString(2),
              num(r, 3),
              num(r, 4),
              num(r, 5)));
    }
  }

  /** What the summary's intervals are, for headers. */
  static String intervalNote() {
    return "Intervals: 95% Student-t interval of the mean (mean ± t(0.975, n−1)·s/√n) below "
        + Intervals.STUDENT_T_BELOW
        + " seeds, 95% percentile bootstrap from "
        + Intervals.STUDENT_T_BELOW
        + " seeds on; none for one seed. The `interval` column says"
        + " which.\n\n";
  }

  /**
   * The compact part printed at the end of {@code run}: base-model accuracy, per grid point and
   * subtask density and ablation accuracies (mean ± std over seeds), and the selection's warnings.
   */
  public static String compact(SparkSession spark, OutputLayout out) {
    return compact(spark, out, views(spark, out));
  }

  private static String compact(SparkSession spark, OutputLayout out, View v) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Base model (eval accuracy)\n\n| subtask | accuracy |\n|---|---|\n");
    var meta = ModelStore.metadataOf(out.model());
    var eval =
        meta != null && meta.hasPath("eval")
            ? meta.getConfig("eval")
            : com.typesafe.config.ConfigFactory.empty(); // a model stored without its accuracies
    eval.root().keySet().stream()
        .sorted()
        .forEach(
            k ->
                sb.append(
                    String.format(
                        Locale.ROOT,
                        "| %s | %.4f |%n",
                        k,
                        eval.getDouble("\"" + k + "\".accuracy"))));
    sb.append("\n## Masks (mean ± std over mask seeds, per grid point and base model)\n\n");
    sb.append(
        "A method's rows are its grid points, named by the hyperparameters that differ"
            + " within the sweep. Accuracies are on the mask's own subtask; `excl. own` / `excl. others`"
            + " are the removed_exclusive accuracy on the mask's subtask and the mean on the other"
            + " subtasks.\n\n");
    masksTable(spark, sb, "label", "true");
    List<String> warnings = warnings(spark);
    if (!warnings.isEmpty()) {
      sb.append("\n## Warnings (regularisation)\n\n");
      warnings.forEach(w -> sb.append("- WARNING: ").append(w).append('\n'));
    }
    return sb.toString();
  }

  /** Density and ablation accuracies per {@code group} (a column of {@code runs}) and subtask. */
  private static void masksTable(
      SparkSession spark, StringBuilder sb, String group, String filter) {
    sb.append(
        "| method | subtask | seeds | density | subnetwork | removed | excl. own | excl. others "
            + "| random subnetwork |\n|---|---|---|---|---|---|---|---|---|\n");
    List<Row> rows =
        spark
            .sql(
                "WITH d AS (SELECT s.run_id, r."
                    + group
                    + " AS method, CASE WHEN (SELECT"
                    + " count(DISTINCT model_seed) FROM "
                    + Table.SPARSITY.id()
                    + ") > 1 THEN concat(subtask, ' · model ',"
                    + " s.model_seed) ELSE subtask END AS subtask, density FROM "
                    + Table.SPARSITY.id()
                    + " s"
                    + " JOIN runs r ON s.run_id = r.run_id WHERE layer = 'ALL' AND "
                    + filter
                    + "),"
                    + " a AS (SELECT run_id,"
                    + "  avg(CASE WHEN mode='subnetwork' AND eval_subtask=mask_subtask THEN accuracy END) sub,"
                    + "  avg(CASE WHEN mode='removed' AND eval_subtask=mask_subtask THEN accuracy END) rem,"
                    + "  avg(CASE WHEN mode='removed_exclusive' AND eval_subtask=mask_subtask THEN accuracy END) xo,"
                    + "  avg(CASE WHEN mode='removed_exclusive' AND eval_subtask<>mask_subtask THEN accuracy END) xn,"
                    + "  avg(CASE WHEN mode='random_subnetwork' AND eval_subtask=mask_subtask THEN accuracy END) rnd"
                    + "  FROM "
                    + Table.ABLATION.id()
                    + " GROUP BY run_id)"
                    + " SELECT d.method, d.subtask, count(*), avg(density), stddev_samp(density), avg(sub),"
                    + "  stddev_samp(sub), avg(rem), stddev_samp(rem), avg(xo), stddev_samp(xo), avg(xn),"
                    + "  stddev_samp(xn), avg(rnd), stddev_samp(rnd)"
                    + " FROM d JOIN a ON d.run_id = a.run_id GROUP BY d.method, d.subtask"
                    + " ORDER BY d.method, d.subtask")
            .collectAsList();
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT, "| %s | %s | %d |", r.getString(0), r.getString(1), r.getLong(2)));
      for (int i = 3; i < 15; i += 2) {
        sb.append(' ').append(pm(r, i)).append(" |");
      }
      sb.append('\n');
    }
  }

  /**
   * The selected rows' warnings, one line each, sorted; with several base models, one line per
   * warning with the base models it is about ("[base models 0, 1]").
   */
  private static List<String> warnings(SparkSession spark) {
    Map<String, List<String>> models = new java.util.TreeMap<>();
    if (hasSelection(spark)) {
      java.util.regex.Pattern suffix =
          java.util.regex.Pattern.compile("(.*) \\[base model (\\d+)\\]$");
      for (Row r :
          spark
              .sql(
                  "SELECT DISTINCT warning FROM "
                      + Table.SUMMARY.id()
                      + " WHERE selection = 'selected'"
                      + " AND layer = 'ALL' AND warning IS NOT NULL")
              .collectAsList()) {
        java.util.regex.Matcher m = suffix.matcher(r.getString(0));
        if (m.matches()) {
          models.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
        } else {
          models.computeIfAbsent(r.getString(0), k -> new ArrayList<>());
        }
      }
    }
    List<String> out = new ArrayList<>();
    models.forEach(
        (w, seeds) -> {
          seeds.sort(java.util.Comparator.comparingLong(Long::parseLong));
          out.add(
              seeds.isEmpty()
                  ? w
                  : w
                      + (seeds.size() == 1 ? " [base model " : " [base models ")
                      + String.join(", ", seeds)
                      + "]");
        });
    return out;
  }

  /**
   * An SQL expression: {@code column} of {@code overlap_labelled}, with " · model N" (the pair's
   * base model) appended when the sweep has several base models, so that grouping by it keeps base
   * models apart; the column itself with one base model.
   */
  private static String withModel(View v, String column) {
    return !v.severalModels() ? column : "concat(" + column + ", ' · model ', model_seed_a)";
  }

  private static boolean hasSelection(SparkSession spark) {
    return Arrays.asList(spark.table(Table.SUMMARY.id()).columns()).contains("selection");
  }

  /**
   * With several base models, the base model a summary row is about (" · model 1", or " · over base
   * models" for the row over per-base-model means); "" with one base model, so the single-model
   * output stays as it was.
   */
  private static String baseModel(View v, Row r) {
    if (!v.overBaseModels()) {
      return "";
    }
    Object seed = r.getAs("model_seed");
    return seed == null ? " · over base models" : " · model " + seed;
  }

  private static List<Row> summaryRows(SparkSession spark, GridPoints points, String selection) {
    String sql =
        hasSelection(spark)
            ? "SELECT * FROM "
                + Table.SUMMARY.id()
                + " WHERE layer = 'ALL' AND selection = '"
                + selection
                + "'"
            : "grid".equals(selection) // a summary table written before selection existed
                ? "SELECT *, '' AS interval FROM " + Table.SUMMARY.id() + " WHERE layer = 'ALL'"
                : null;
    // Selected rows by method family (their hyperparameters may differ between base models),
    // grid rows by grid point; then subtask, and base models in order, the row over base
    // models last.
    java.util.function.Function<Row, String> name =
        "selected".equals(selection)
            ? r -> GridPoints.family(r.getAs("method"), hp(r))
            : r -> labelOf(points, r);
    return sql == null
        ? List.of()
        : spark.sql(sql).collectAsList().stream()
            .sorted(
                java.util.Comparator.comparing((Row r) -> name.apply(r) + "|" + r.getAs("subtask"))
                    .thenComparing(
                        r -> modelSeedOf(r),
                        java.util.Comparator.nullsLast(java.util.Comparator.<Long>naturalOrder())))
            .toList();
  }

  /** The row's base model (null on a row over base models); 0 for tables without the column. */
  private static Long modelSeedOf(Row r) {
    return Arrays.asList(r.schema().fieldNames()).contains("model_seed")
        ? (Long) r.getAs("model_seed")
        : Long.valueOf(0);
  }

  private static String labelOf(GridPoints points, Row summaryRow) {
    return points.label(summaryRow.getAs("method"), hp(summaryRow));
  }

  private static Map<String, String> hp(Row r) {
    return r.getJavaMap(r.fieldIndex("hyperparameters"));
  }

  /**
   * The temporary views of one summary (the tables, {@code runs}, {@code overlap_labelled}) and
   * what its sections ask of them, each asked of Spark once (a query costs about a second on a
   * small sweep, and the sections asked the same ones again and again).
   */
  private static final class View {
    final SparkSession spark;
    final GridPoints points;
    private Boolean severalModels;
    private Boolean overBaseModels;

    View(SparkSession spark, GridPoints points) {
      this.spark = spark;
      this.points = points;
    }

    /** Whether the sweep has several base models (model seeds in {@code sparsity}). */
    boolean severalModels() {
      if (severalModels == null) {
        severalModels =
            spark
                    .sql("SELECT count(DISTINCT model_seed) FROM " + Table.SPARSITY.id())
                    .first()
                    .getLong(0)
                >= 2;
      }
      return severalModels;
    }

    /** Whether the summary table has rows over base models. */
    boolean overBaseModels() {
      if (overBaseModels == null) {
        overBaseModels =
            Arrays.asList(spark.table(Table.SUMMARY.id()).columns()).contains("over")
                && !spark
                    .sql(
                        "SELECT 1 FROM "
                            + Table.SUMMARY.id()
                            + " WHERE over = 'base models' LIMIT 1")
                    .isEmpty();
      }
      return overBaseModels;
    }
  }

  private static View views(SparkSession spark, OutputLayout out) {
    // The queries of this class name these views by the catalog's ids (Table.id()).
    for (Table t :
        List.of(Table.MASKS, Table.SPARSITY, Table.OVERLAP, Table.ABLATION, Table.SUMMARY)) {
      Tables.read(spark, out, t).createOrReplaceTempView(t.id());
    }
    // One grid point per run (GridPoints: the one definition of what may be pooled), and whether
    // the run is one of the selected masks.
    List<Row> all =
        spark
            .sql(
                "SELECT run_id, method, hyperparameters FROM "
                    + Table.SPARSITY.id()
                    + " WHERE layer = 'ALL'")
            .collectAsList();
    List<GridPoints.Run> runs = new ArrayList<>();
    for (Row r : all) {
      runs.add(new GridPoints.Run(r.getString(0), r.getString(1), r.getJavaMap(2)));
    }
    GridPoints points = GridPoints.of(runs);
    TreeSet<String> selected = new TreeSet<>();
    if (hasSelection(spark)) {
      for (Row r :
          spark
              .sql(
                  "SELECT explode(run_ids) FROM "
                      + Table.SUMMARY.id()
                      + " WHERE selection = 'selected'"
                      + " AND layer = 'ALL'")
              .collectAsList()) {
        selected.add(r.getString(0));
      }
    }
    List<Row> labelled = new ArrayList<>();
    for (GridPoints.Run r : runs) {
      labelled.add(
          RowFactory.create(
              r.runId(),
              points.label(r.runId()),
              points.key(r.runId()),
              points.family(r.runId()),
              selected.contains(r.runId())));
    }
    StructType schema =
        new StructType()
            .add("run_id", DataTypes.StringType)
            .add("label", DataTypes.StringType)
            .add("key", DataTypes.StringType)
            .add("family", DataTypes.StringType)
            .add("selected", DataTypes.BooleanType);
    spark.createDataFrame(labelled, schema).createOrReplaceTempView("runs");
    spark
        .sql(
            "SELECT o.*, ra.label AS label_a, rb.label AS label_b, ra.key AS key_a,"
                + " rb.key AS key_b, ra.family AS family_a, rb.family AS family_b,"
                + " ra.selected AS sel_a, rb.selected AS sel_b FROM "
                + Table.OVERLAP.id()
                + " o"
                + " JOIN runs ra ON o.run_a = ra.run_id JOIN runs rb ON o.run_b = rb.run_id"
                // overlaps between masks of different base models are not pooled with any figure
                // here
                + " WHERE o.model_seed_a = o.model_seed_b")
        .createOrReplaceTempView("overlap_labelled");
    return new View(spark, points);
  }

  /** Builds the summary and writes it to report/summary.md; returns it. */
  public static String write(SparkSession spark, OutputLayout out) {
    return writeText(spark, out).full();
  }

  /** {@link #write}, returning the compact part too (what {@code run} prints at its end). */
  public static Text writeText(SparkSession spark, OutputLayout out) {
    Text text = buildText(spark, out);
    Reports.write(out, "summary.md", text.full());
    return text;
  }

  private static String pm(Row r, int i) {
    if (r.isNullAt(i)) {
      return "–";
    }
    double sd = r.isNullAt(i + 1) ? 0 : r.getDouble(i + 1);
    return String.format(Locale.ROOT, "%.3f ± %.3f", r.getDouble(i), sd);
  }

  private static String ci(Row stat) {
    if (stat == null || stat.isNullAt(0)) {
      return "–";
    }
    return stat.isNullAt(2)
        ? String.format(Locale.ROOT, "%.3f", stat.getDouble(0))
        : String.format(
            Locale.ROOT,
            "%.3f [%.3f, %.3f]",
            stat.getDouble(0),
            stat.getDouble(2),
            stat.getDouble(3));
  }

  private static String num(Row r, int i) {
    return r.isNullAt(i) ? "–" : String.format(Locale.ROOT, "%.3f", r.getDouble(i));
  }

  private static String num(Row r, String column) {
    return num(r, r.fieldIndex(column));
  }
}
