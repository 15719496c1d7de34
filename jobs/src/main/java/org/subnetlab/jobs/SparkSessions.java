package org.subnetlab.jobs;

import org.apache.spark.sql.SparkSession;

/** SparkSessions for the CLI (embedded, local) and for spark-submit (master from the launcher). */
public final class SparkSessions {
  private SparkSessions() {}

  /** An embedded Spark on this machine, one native thread per task. */
  public static SparkSession local(String appName, String master) {
    return SparkSession.builder()
        .appName(appName)
        .master(master)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", System.getProperty("subnetlab.spark.ui", "false"))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.executorEnv.OMP_NUM_THREADS", "1")
        .getOrCreate();
  }

  /** The session of a job started by spark-submit: the launcher chose master and resources. */
  public static SparkSession submitted(String appName) {
    return SparkSession.builder().appName(appName).getOrCreate();
  }
}
