package org.subnetlab.jobs;

import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.MaskFileCheck;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.SparkPaths;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;

/**
 * The runs of a sweep: the configured grid, then the matched-density runs derived from the
 * committed masks of the reference method (known only once those runs have finished).
 */
final class SweepPlan {
  private SweepPlan() {}

  static List<RunSpec> grid(SparkSession spark, Settings s) {
    return SweepGrid.expand(s, SparkTasks.create(spark, s).subtasks());
  }

  /** The matched-density runs that the finished reference runs call for. */
  static List<RunSpec> matched(
      SparkSession spark, Settings s, OutputLayout out, List<RunSpec> grid) {
    String ref = s.masks().matchedReference();
    if (ref.isEmpty()) {
      return List.of();
    }
    Set<String> committed = MaskFiles.committed(out.masks());
    List<java.nio.file.Path> files = new ArrayList<>();
    for (RunSpec r : grid) {
      if (r.method().equals(ref) && committed.contains(r.runId())) {
        files.add(MaskFiles.file(out.masks(), r.runId()));
      }
    }
    Map<String, Long> kept = new HashMap<>();
    if (!files.isEmpty()) {
      for (Row r :
          SparkPaths.parquet(spark, files.toArray(java.nio.file.Path[]::new))
              .groupBy("run_id")
              .agg(sum("n_kept"))
              .collectAsList()) {
        kept.put(r.getString(0), r.getLong(1));
      }
    }
    return SweepGrid.matched(s, grid, kept);
  }

  /**
   * Grid plus matched runs, for a stage that reads their masks ({@code action}: "aggregate",
   * "compose"): every committed file of them is verified against its run and {@code layout} first
   * ({@link MaskFileCheck}); bad files are moved aside and the stage is refused, naming them.
   */
  static List<RunSpec> verified(
      SparkSession spark, Settings s, OutputLayout out, ParamLayout layout, String action) {
    List<RunSpec> grid = grid(spark, s);
    List<MaskFileCheck.Rejected> rejected =
        new ArrayList<>(MaskFileCheck.verify(out.masks(), grid, layout).rejected());
    // The matched runs are derived from the reference masks that passed.
    List<RunSpec> matched = matched(spark, s, out, grid);
    rejected.addAll(MaskFileCheck.verify(out.masks(), matched, layout).rejected());
    if (!rejected.isEmpty()) {
      throw MaskFileCheck.refusal(out.masks(), rejected, action);
    }
    List<RunSpec> all = new ArrayList<>(grid);
    all.addAll(matched);
    return all;
  }

  /** Grid plus matched runs (their mask files unverified). */
  static List<RunSpec> all(SparkSession spark, Settings s, OutputLayout out) {
    List<RunSpec> grid = grid(spark, s);
    List<RunSpec> all = new ArrayList<>(grid);
    all.addAll(matched(spark, s, out, grid));
    return all;
  }
}
