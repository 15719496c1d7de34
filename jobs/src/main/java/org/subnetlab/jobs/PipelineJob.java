package org.subnetlab.jobs;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.report.ReportJob;
import org.subnetlab.jobs.report.Summary;
import org.subnetlab.model.BaseModel;

/**
 * The whole pipeline: base model (trained or reused), mask sweep, tables, summary, the composition
 * table when {@code pipeline.compose} is set, and the HTML report.
 */
public final class PipelineJob {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineJob.class);

  private PipelineJob() {}

  public static void main(String[] args) {
    System.exit(StageMain.execute("subnetlab run", args, PipelineJob::run));
  }

  public static void run(SparkSession spark, Settings s, OutputLayout out) {
    long t0 = System.nanoTime();
    if (!s.masks().subtasks().isEmpty()) {
      SweepPlan.grid(spark, s); // masks.subtasks names subtasks of the task: check before training
    }
    BaseModel model = TrainModelJob.trainBase(spark, s, out);
    TrainMasksJob.sweep(spark, s, out, model);
    AggregateJob.run(spark, s, out);
    // the compact part printed at the end is that of summary.md: made once (the stages after it
    // write no table it reads)
    Summary.Text summary = Summary.writeText(spark, out);
    if (s.composeInPipeline()) {
      CompositionJob.run(spark, s, out);
    }
    java.nio.file.Path report = ReportJob.afterStage(spark, out);
    System.out.println(summary.compact());
    System.out.println("Full summary: " + out.report().resolve("summary.md"));
    System.out.println("Report: " + report);
    LOG.info(
        "Pipeline finished in {} s; results in {}",
        (System.nanoTime() - t0) / 1_000_000_000,
        out.root());
  }
}
