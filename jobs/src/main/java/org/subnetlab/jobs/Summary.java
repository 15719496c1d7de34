package org.subnetlab.jobs;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.subnetlab.model.ModelStore;

/**
 * The summary saved as {@code report/summary.md}: base-model accuracy, per method and subtask the
 * mean density and ablation accuracies over seeds, mean Jaccard overlaps and the bootstrap summary
 * table. Its first part ({@link #compact}) is printed at the end of {@code run}.
 */
public final class Summary {
  private Summary() {}

  public static String build(SparkSession spark, OutputLayout out) {
    StringBuilder sb = new StringBuilder(compact(spark, out));
    sb.append("\n## Overlap (mean Jaccard of whole-model masks)\n\n");
    sb.append("| method | between subtasks, same seed | same subtask, across seeds |\n|---|---|---|\n");
    for (Row r : spark.sql(
        "SELECT label_a, avg(CASE WHEN subtask_a<>subtask_b AND seed_a=seed_b THEN jaccard END),"
        + " avg(CASE WHEN subtask_a=subtask_b AND seed_a<>seed_b THEN jaccard END)"
        + " FROM overlap_labelled WHERE layer='ALL' AND label_a=label_b GROUP BY label_a"
        + " ORDER BY label_a").collectAsList()) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", r.getString(0), num(r, 1),
          num(r, 2)));
    }
    sb.append("\n## Overlap between subtasks (same method and seed, whole model, mean over seeds)\n\n");
    sb.append("| method | subtask A | subtask B | Jaccard | share of A in B | share of B in A |\n"
        + "|---|---|---|---|---|---|\n");
    for (Row r : spark.sql(
        "SELECT label_a, least(subtask_a, subtask_b) sa, greatest(subtask_a, subtask_b) sb,"
        + " avg(jaccard),"
        + " avg(CASE WHEN subtask_a < subtask_b THEN share_a_in_b ELSE share_b_in_a END),"
        + " avg(CASE WHEN subtask_a < subtask_b THEN share_b_in_a ELSE share_a_in_b END)"
        + " FROM overlap_labelled WHERE layer='ALL' AND label_a=label_b AND seed_a=seed_b"
        + " AND subtask_a<>subtask_b GROUP BY label_a, sa, sb ORDER BY label_a, sa, sb")
        .collectAsList()) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.getString(0),
          r.getString(1), r.getString(2), num(r, 3), num(r, 4), num(r, 5)));
    }
    sb.append("\n## Summary table (whole model; mean [95% bootstrap interval] over seeds)\n\n");
    sb.append("| method | subtask | density | subnetwork accuracy | removal drop "
        + "| Jaccard across seeds | across subtasks | across methods |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    for (Row r : spark.sql(
        "SELECT concat(method, CASE WHEN hyperparameters['matched'] = '1' THEN ' (matched)'"
        + " ELSE '' END) m, subtask, density, subnetwork_accuracy, removal_drop,"
        + " jaccard_across_seeds, jaccard_across_subtasks, jaccard_across_methods"
        + " FROM summary WHERE layer = 'ALL' ORDER BY m, subtask").collectAsList()) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
          r.getString(0), r.getString(1), ci(r.getStruct(2)), ci(r.getStruct(3)),
          ci(r.getStruct(4)), num(r, 5), num(r, 6), num(r, 7)));
    }
    sb.append("\n## Agreement between methods (same subtask and seed, mean Jaccard)\n\n");
    sb.append("| method A | method B | Jaccard |\n|---|---|---|\n");
    for (Row r : spark.sql(
        "SELECT least(label_a, label_b) ma, greatest(label_a, label_b) mb, avg(jaccard)"
        + " FROM overlap_labelled WHERE layer='ALL' AND label_a<>label_b AND seed_a=seed_b"
        + " AND subtask_a=subtask_b GROUP BY ma, mb ORDER BY ma, mb").collectAsList()) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", r.getString(0), r.getString(1),
          num(r, 2)));
    }
    return sb.toString();
  }

  /**
   * The compact part printed at the end of {@code run}: base-model accuracy and, per method and
   * subtask, density and ablation accuracies (mean ± std over seeds).
   */
  public static String compact(SparkSession spark, OutputLayout out) {
    views(spark, out);
    StringBuilder sb = new StringBuilder();
    sb.append("## Base model (eval accuracy)\n\n| subtask | accuracy |\n|---|---|\n");
    var eval = new ModelStore(out.model()).metadata().getConfig("eval");
    eval.root().keySet().stream().sorted().forEach(k ->
        sb.append(String.format(Locale.ROOT, "| %s | %.4f |%n", k,
            eval.getDouble("\"" + k + "\".accuracy"))));
    sb.append("\n## Masks (mean ± std over seeds)\n\n");
    sb.append("Accuracies are on the mask's own subtask; `excl. own` / `excl. others` are the "
        + "removed_exclusive accuracy on the mask's subtask and the mean on the other subtasks.\n\n");
    sb.append("| method | subtask | seeds | density | subnetwork | removed | excl. own | excl. others "
        + "| random subnetwork |\n|---|---|---|---|---|---|---|---|---|\n");
    List<Row> rows = spark.sql(
        "WITH d AS (SELECT s.run_id, r.label AS method, subtask, density FROM sparsity s"
        + " JOIN runs r ON s.run_id = r.run_id WHERE layer = 'ALL'),"
        + " a AS (SELECT run_id,"
        + "  avg(CASE WHEN mode='subnetwork' AND eval_subtask=mask_subtask THEN accuracy END) sub,"
        + "  avg(CASE WHEN mode='removed' AND eval_subtask=mask_subtask THEN accuracy END) rem,"
        + "  avg(CASE WHEN mode='removed_exclusive' AND eval_subtask=mask_subtask THEN accuracy END) xo,"
        + "  avg(CASE WHEN mode='removed_exclusive' AND eval_subtask<>mask_subtask THEN accuracy END) xn,"
        + "  avg(CASE WHEN mode='random_subnetwork' AND eval_subtask=mask_subtask THEN accuracy END) rnd"
        + "  FROM ablation GROUP BY run_id)"
        + " SELECT d.method, d.subtask, count(*), avg(density), stddev_samp(density), avg(sub),"
        + "  stddev_samp(sub), avg(rem), stddev_samp(rem), avg(xo), stddev_samp(xo), avg(xn),"
        + "  stddev_samp(xn), avg(rnd), stddev_samp(rnd)"
        + " FROM d JOIN a ON d.run_id = a.run_id GROUP BY d.method, d.subtask"
        + " ORDER BY d.method, d.subtask").collectAsList();
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d |", r.getString(0), r.getString(1),
          r.getLong(2)));
      for (int i = 3; i < 15; i += 2) {
        sb.append(' ').append(pm(r, i)).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void views(SparkSession spark, OutputLayout out) {
    for (String t : List.of("masks", "sparsity", "overlap", "ablation", "summary")) {
      spark.read().parquet(out.table(t).toUri().toString()).createOrReplaceTempView(t);
    }
    // One label per run: the method, marked when the run is a matched-density rerun.
    spark.sql("SELECT run_id, concat(method, CASE WHEN hyperparameters['matched'] = '1'"
        + " THEN ' (matched)' ELSE '' END) AS label FROM sparsity WHERE layer = 'ALL'")
        .createOrReplaceTempView("runs");
    spark.sql("SELECT o.*, ra.label AS label_a, rb.label AS label_b FROM overlap o"
        + " JOIN runs ra ON o.run_a = ra.run_id JOIN runs rb ON o.run_b = rb.run_id")
        .createOrReplaceTempView("overlap_labelled");
  }

  /** Builds the summary and writes it to report/summary.md; returns it. */
  public static String write(SparkSession spark, OutputLayout out) {
    String text = build(spark, out);
    Reports.write(out, "summary.md", text);
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
        : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", stat.getDouble(0), stat.getDouble(2),
            stat.getDouble(3));
  }

  private static String num(Row r, int i) {
    return r.isNullAt(i) ? "–" : String.format(Locale.ROOT, "%.3f", r.getDouble(i));
  }
}
