package org.subnetlab.jobs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.MaskFileCheck;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.ExecutorCache;
import org.subnetlab.jobs.spark.JobGroup;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.jobs.spark.SweepProgress;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;

/**
 * Stage 2: the mask sweep. Expands the grid into runs (on every base model), skips the runs already
 * committed under {@code masks/} whose files pass their check ({@link MaskFileCheck}: a bad file is
 * moved to {@code masks/.corrupt/}), and trains the rest on Spark, one run per task; each task
 * commits its run's file as soon as it finishes, so a killed sweep loses at most the runs in
 * flight.
 */
public final class TrainMasksJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainMasksJob.class);

  private TrainMasksJob() {}

  /** What a sweep did. */
  public record SweepOutcome(int total, int alreadyDone, int trained) {}

  public static void main(String[] args) {
    System.exit(
        StageMain.execute("subnetlab train-masks", args, TrainMasksJob::trainWithStoredModel));
  }

  public static void trainWithStoredModel(SparkSession spark, Settings s, OutputLayout out) {
    sweep(spark, s, out, TrainModelJob.load(s, out));
  }

  /**
   * Trains every run of the sweep that has no committed file yet; {@code model} is the base model
   * of the first model seed, the others are read from their directories.
   */
  public static SweepOutcome sweep(
      SparkSession spark, Settings s, OutputLayout out, BaseModel model) {
    Map<Long, BaseModel> models = new LinkedHashMap<>();
    for (long modelSeed : s.model().seeds()) {
      models.put(modelSeed, models.isEmpty() ? model : TrainModelJob.load(s, out, modelSeed));
    }
    return sweep(spark, s, out, models);
  }

  /**
   * Trains every run of the sweep that has no committed file yet: the grid on every base model,
   * then the matched-density runs that the grid's reference masks call for. {@code models} holds
   * the base model of each model seed; each run trains on its own.
   */
  public static SweepOutcome sweep(
      SparkSession spark, Settings s, OutputLayout out, Map<Long, ? extends BaseModel> models) {
    MaskFileCheck.removeLeftovers(out);
    ParamLayout layout = models.values().iterator().next().layout();
    List<RunSpec> grid = SweepPlan.grid(spark, s);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HashMap<Long, byte[]> bytes = new HashMap<>();
    HashMap<Long, float[]> initials = new HashMap<>();
    for (Map.Entry<Long, ? extends BaseModel> e : models.entrySet()) {
      bytes.put(e.getKey(), e.getValue().bytes());
      initials.put(e.getKey(), TrainModelJob.initialParams(s, out, e.getKey()));
    }
    Broadcast<HashMap<Long, byte[]>> modelBytes = jsc.broadcast(bytes);
    Broadcast<HashMap<Long, float[]>> initial = jsc.broadcast(initials);
    SweepOutcome first =
        trainMissing(spark, s, out, layout, modelBytes, initial, grid, "Mask sweep");
    List<RunSpec> matched = SweepPlan.matched(spark, s, out, grid);
    if (matched.isEmpty()) {
      return first;
    }
    SweepOutcome second =
        trainMissing(spark, s, out, layout, modelBytes, initial, matched, "Matched-density sweep");
    return new SweepOutcome(
        first.total() + second.total(),
        first.alreadyDone() + second.alreadyDone(),
        first.trained() + second.trained());
  }

  private static SweepOutcome trainMissing(
      SparkSession spark,
      Settings s,
      OutputLayout out,
      ParamLayout layout,
      Broadcast<HashMap<Long, byte[]>> modelBytes,
      Broadcast<HashMap<Long, float[]>> initial,
      List<RunSpec> runs,
      String what) {
    // A file that fails its check is moved aside (and logged): its run is trained again.
    MaskFileCheck.Outcome checked = MaskFileCheck.verify(out.masks(), runs, layout);
    Set<String> done = checked.finished();
    List<RunSpec> todo = new ArrayList<>();
    for (RunSpec r : runs) {
      if (!done.contains(r.runId())) {
        todo.add(r);
      }
    }
    LOG.info(
        "{}: {} runs, {} already finished, training {}{}",
        what,
        runs.size(),
        runs.size() - todo.size(),
        todo.size(),
        checked.rejected().isEmpty()
            ? ""
            : " (" + checked.rejected().size() + " again: their mask files were corrupt)");
    if (todo.isEmpty()) {
      return new SweepOutcome(runs.size(), runs.size(), 0);
    }
    todo = SweepGrid.longestFirst(todo);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    SparkTasks.Ref taskRef = SparkTasks.ref(spark, s);
    String masksDir = out.masks().toString();
    int cpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
    SweepProgress progress =
        new SweepProgress(
            todo.stream().map(RunSpec::runId).toList(), runs.size(), runs.size() - todo.size());
    spark.sparkContext().addSparkListener(progress);
    List<String> finished;
    try (JobGroup group =
        JobGroup.enter(
            spark, "subnetlab-train-masks", "subnetlab: train " + todo.size() + " masks")) {
      finished =
          jsc.parallelize(todo, todo.size())
              .map(
                  spec -> {
                    ExecutorCache.limitNativeThreads(cpus);
                    MaskRunner.Finished f =
                        MaskRunner.run(
                            spec,
                            ExecutorCache.model(
                                spec.modelFingerprint(), modelBytes.value().get(spec.modelSeed())),
                            initial.value().get(spec.modelSeed()),
                            taskRef.get());
                    MaskFiles.commit(java.nio.file.Path.of(masksDir), f);
                    LoggerFactory.getLogger(TrainMasksJob.class)
                        .debug(
                            "run {} done in {} ms: density {}, attempt {}",
                            spec.runId(),
                            f.wallMs(),
                            String.format(
                                "%.4f", (double) f.result().mask().kept() / f.layout().total()),
                            TaskContext.get() == null ? 0 : TaskContext.get().attemptNumber());
                    return spec.runId();
                  })
              .collect();
      progress.completed(finished.size());
    } finally {
      spark.sparkContext().removeSparkListener(progress);
      progress.close();
    }
    LOG.info("{}: trained {} runs", what, finished.size());
    return new SweepOutcome(runs.size(), runs.size() - todo.size(), finished.size());
  }
}
