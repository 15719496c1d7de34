package org.subnetlab.jobs.spark;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sweep progress on the driver, updated as Spark tasks (one run each) end: runs done of total,
 * failed attempts, ETA. On a terminal it is a progress bar on standard error; otherwise (a pipe, a
 * log file, spark-submit on a cluster) one plain log line per finished run. The system property
 * {@code subnetlab.progress} = {@code bar} | {@code lines} overrides the detection.
 */
public final class SweepProgress extends SparkListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SweepProgress.class);

  private final List<String> runIds;
  private final int total;
  private final int alreadyDone;
  private final long start = System.nanoTime();
  private final ProgressBar bar;
  private int done;
  private int failed;

  /**
   * @param runIds the runs of this Spark job, in partition order (task index i trains runIds[i])
   * @param total runs of the whole sweep
   * @param alreadyDone runs of the sweep finished before this job
   */
  public SweepProgress(List<String> runIds, int total, int alreadyDone) {
    this.runIds = List.copyOf(runIds);
    this.total = total;
    this.alreadyDone = alreadyDone;
    this.bar =
        useBar()
            ? new ProgressBarBuilder()
                .setTaskName("mask runs")
                .setInitialMax(total)
                .startsFrom(alreadyDone, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .build()
            : null;
  }

  /** A bar when standard input and output are a terminal, unless overridden. */
  static boolean useBar() {
    String mode = System.getProperty("subnetlab.progress", "auto");
    return switch (mode) {
      case "bar" -> true;
      case "lines" -> false;
      default -> System.console() != null && !"dumb".equals(System.getenv("TERM"));
    };
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    int index = end.taskInfo().index();
    String run = index >= 0 && index < runIds.size() ? runIds.get(index) : "?";
    if (end.taskInfo().successful()) {
      done++;
      double elapsed = (System.nanoTime() - start) / 1e9;
      long eta = Math.round(elapsed / done * (total - alreadyDone - done));
      if (bar != null) {
        bar.stepTo(alreadyDone + done);
      } else {
        LOG.info(
            "sweep progress: {}/{} runs finished ({} took {} s), {} failed attempts, ETA {} s",
            alreadyDone + done,
            total,
            run,
            String.format(Locale.ROOT, "%.1f", end.taskInfo().duration() / 1000.0),
            failed,
            eta);
      }
    } else {
      failed++;
      if (bar != null) {
        bar.setExtraMessage(failed + " failed attempt" + (failed == 1 ? "" : "s"));
      }
      LOG.warn(
          "sweep progress: an attempt of run {} failed ({}); Spark retries it if attempts"
              + " remain",
          run,
          end.reason());
    }
  }

  /** After the job: {@code n} runs of this job finished (listener events may still be queued). */
  public synchronized void completed(int n) {
    if (bar != null) {
      bar.stepTo(alreadyDone + n);
    }
  }

  @Override
  public synchronized void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
