package org.subnetlab.jobs.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark job group for the jobs of one block of work, restored to what it was when the block ends:
 * {@code try (JobGroup g = JobGroup.enter(spark, id, description)) { ... }}. The jobs the block
 * starts carry its group in the Spark UI and can be cancelled together; the jobs after it carry the
 * enclosing block's group again (the pipeline's stages nest), not the last one set.
 *
 * <p>Job groups are thread-local properties of the SparkContext: a block restores the properties of
 * its own thread.
 */
public final class JobGroup implements AutoCloseable {
  // The local properties SparkContext.setJobGroup sets (SparkContext.SPARK_JOB_*).
  static final String ID = "spark.jobGroup.id";
  static final String DESCRIPTION = "spark.job.description";
  static final String INTERRUPT = "spark.job.interruptOnCancel";

  private final SparkContext sc;
  private final String id;
  private final String description;
  private final String interrupt;

  private JobGroup(SparkContext sc) {
    this.sc = sc;
    this.id = sc.getLocalProperty(ID);
    this.description = sc.getLocalProperty(DESCRIPTION);
    this.interrupt = sc.getLocalProperty(INTERRUPT);
  }

  /** Sets group {@code id} (shown as {@code description}) until {@link #close}. */
  public static JobGroup enter(SparkSession spark, String id, String description) {
    SparkContext sc = spark.sparkContext();
    JobGroup previous = new JobGroup(sc);
    sc.setJobGroup(id, description, false);
    return previous;
  }

  /** Puts back the group (or none) that was set when this block was entered. */
  @Override
  public void close() {
    sc.setLocalProperty(ID, id); // null removes the property
    sc.setLocalProperty(DESCRIPTION, description);
    sc.setLocalProperty(INTERRUPT, interrupt);
  }
}
