package org.subnetlab.jobs;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs sweep progress on the driver as Spark tasks end: runs done of total, failures, ETA. */
final class SweepProgress extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(SweepProgress.class);

  private final int total;
  private final int stageOffset;
  private final long start = System.nanoTime();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  SweepProgress(int total, int alreadyDone) {
    this.total = total;
    this.stageOffset = alreadyDone;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.taskInfo().successful()) {
      int d = done.incrementAndGet();
      double elapsed = (System.nanoTime() - start) / 1e9;
      long eta = Math.round(elapsed / d * (total - stageOffset - d));
      LOG.info("sweep progress: {}/{} runs finished, {} failed attempts, ETA {} s",
          stageOffset + d, total, failed.get(), eta);
    } else {
      failed.incrementAndGet();
      LOG.warn("sweep progress: a run attempt failed ({}); Spark retries it if attempts remain",
          end.reason());
    }
  }
}
