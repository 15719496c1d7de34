package org.subnetlab.jobs.spark;

import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.subnetlab.config.BadInputException;

/** SparkSessions for the CLI (embedded, local) and for spark-submit (master from the launcher). */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * The masters an embedded session can use (Spark's own forms; yarn and k8s need spark-submit).
   */
  private static final Pattern MASTER =
      Pattern.compile(
          "local|local\\[(\\*|[1-9][0-9]*)\\]|local\\[(\\*|[1-9][0-9]*)\\s*,\\s*[1-9][0-9]*\\]"
              + "|local-cluster\\[\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*\\]"
              + "|spark://[^\\s:/,]+:[0-9]+(,[^\\s:/,]+:[0-9]+)*");

  /** Rejects a {@code --master} the embedded Spark cannot use, before any work. */
  public static void checkMaster(String master) {
    if (master == null || !MASTER.matcher(master).matches()) {
      throw new BadInputException(
          "Cannot use --master "
              + (master == null || master.isEmpty() ? "\"\"" : master)
              + ": the embedded Spark takes local (1 thread), local[N] or local[*]"
              + " (N threads, or one per core), local[N,F] (F: tries per task) or"
              + " spark://HOST:PORT (a standalone cluster); for YARN or Kubernetes, submit the job"
              + " classes with spark-submit.");
    }
  }

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
