package org.subnetlab.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Job groups nest: the jobs of a block carry its group, and its end puts the enclosing one back.
 */
class JobGroupTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("job-group-test", "local[1]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The ids of the jobs Spark ran in group {@code id} (asked from Spark's status tracker). */
  private static int[] jobsOf(String id) {
    return spark.sparkContext().statusTracker().getJobIdsForGroup(id);
  }

  private static void runJob() {
    new JavaSparkContext(spark.sparkContext()).parallelize(List.of(1, 2, 3), 1).count();
  }

  @Test
  void nestedBlocksRestoreTheEnclosingGroup() {
    assertThat(spark.sparkContext().getLocalProperty(JobGroup.ID)).isNull();
    try (JobGroup outer = JobGroup.enter(spark, "outer", "the pipeline")) {
      runJob();
      try (JobGroup inner = JobGroup.enter(spark, "inner", "one stage")) {
        runJob();
        runJob();
      }
      assertThat(spark.sparkContext().getLocalProperty(JobGroup.ID)).isEqualTo("outer");
      assertThat(spark.sparkContext().getLocalProperty(JobGroup.DESCRIPTION))
          .isEqualTo("the pipeline");
      runJob();
    }
    assertThat(spark.sparkContext().getLocalProperty(JobGroup.ID)).isNull();
    assertThat(spark.sparkContext().getLocalProperty(JobGroup.DESCRIPTION)).isNull();
    assertThat(spark.sparkContext().getLocalProperty(JobGroup.INTERRUPT)).isNull();
    runJob();

    assertThat(jobsOf("inner")).hasSize(2);
    assertThat(jobsOf("outer")).hasSize(2);
    // null: the jobs in no group (SparkStatusTracker.getJobIdsForGroup)
    assertThat(jobsOf(null)).hasSize(1);
  }
}
