package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * Kills a real {@code subnetlab run} process (SIGKILL) in the middle of its sweep, runs it again,
 * and checks that the tables hold every run exactly once and that finished runs were not retrained.
 */
class KillResumeTest {
  private static final int RUNS = 8;

  @TempDir Path dir;

  @Test
  void killedSweepResumesWithOnlyTheMissingRuns() throws Exception {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Path out = dir.resolve("out");
    Path masks = out.resolve("masks");
    // Slower runs (~1-2 s each on the BLAS path), one at a time, so the kill lands mid-sweep.
    List<String> args =
        List.of(
            "run",
            conf.toString(),
            "--out",
            out.toString(),
            "--master",
            "local[1]",
            "--set",
            "masks.csordas.steps=30000",
            "--set",
            "masks.continuous-sparsification.steps=50000");

    Process first = start(args, dir.resolve("first.log"));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (MaskFiles.committed(masks).size() < 2
        && first.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    first.destroyForcibly();
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Map<String, FileTime> finished = new HashMap<>();
    for (String id : MaskFiles.committed(masks)) {
      finished.put(id, Files.getLastModifiedTime(MaskFiles.file(masks, id)));
    }
    assertThat(finished.size()).as("runs finished before the kill").isBetween(2, RUNS - 1);
    assertThat(out.resolve("tables")).doesNotExist();

    Process second = start(args, dir.resolve("second.log"));
    assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(dir.resolve("second.log"));
    assertThat(second.exitValue()).as(log).isZero();
    assertThat(log)
        .contains(
            "Mask sweep: 8 runs, "
                + finished.size()
                + " already finished, "
                + "training "
                + (RUNS - finished.size()));
    assertThat(MaskFiles.committed(masks)).hasSize(RUNS);
    for (Map.Entry<String, FileTime> e : finished.entrySet()) {
      assertThat(Files.getLastModifiedTime(MaskFiles.file(masks, e.getKey())))
          .as("finished run %s was not retrained", e.getKey())
          .isEqualTo(e.getValue());
    }

    SparkSession spark = SparkSessions.local("kill-resume-check", "local[1]");
    try {
      List<Row> perRun =
          spark
              .read()
              .parquet(out.resolve("tables/masks").toString())
              .groupBy("run_id")
              .count()
              .collectAsList();
      assertThat(perRun).hasSize(RUNS);
      for (Row r : perRun) {
        assertThat(r.getLong(1)).as("layers of run %s", r.getString(0)).isEqualTo(4);
      }
      assertThat(
              spark
                  .read()
                  .parquet(out.resolve("tables/ablation").toString())
                  .select("run_id")
                  .distinct()
                  .count())
          .isEqualTo(RUNS);
    } finally {
      spark.stop();
    }
  }

  private static Process start(List<String> args, Path log) throws IOException {
    return CliProcess.start(args, log);
  }
}
