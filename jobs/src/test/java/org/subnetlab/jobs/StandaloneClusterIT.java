package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLock;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * The pipeline on a real Spark standalone cluster (a master and two workers, separate processes,
 * started by deploy/standalone/start-cluster.sh) with the cluster jar, submitted by
 * deploy/bin/spark-submit: a killed driver resumes with only the missing runs, a second sweep on
 * the same output is refused, the mask bits equal those of a local run, and a killed worker's runs
 * are retried on the other worker, each run present exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  @TempDir static Path dir;
  static StandaloneCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, "2g");
  }

  @AfterEach
  void killLeftoverSubmissions() throws Exception {
    cluster.killLeftoverSubmissions();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void killedDriverResumesOnResubmitAndBitsEqualTheLocalRun() throws Exception {
    int runs = 6;
    Path out = dir.resolve("demo");
    Path masks = out.resolve("masks");
    // Runs of a few seconds on a worker (3 per worker), so that the kill after the first two
    // lands mid-sweep: the rival is submitted as soon as the first holds the lock, so that it is
    // refused while the first starts Spark and trains the base model, before the sweep.
    List<String> args =
        List.of(
            StandaloneCluster.PROJECT.resolve("conf/demo.conf").toString(),
            "--out",
            out.toString(),
            "--set",
            "model.seeds=[0]",
            "--set",
            "masks.seeds=[0]",
            "--set",
            "masks.csordas.steps=6000",
            "--set",
            "masks.continuous-sparsification.steps=6000");

    Process first = cluster.submit(PipelineJob.class.getName(), args, dir.resolve("first.log"));
    waitForLock(out, first);
    assertThat(first.isAlive()).as(Files.readString(dir.resolve("first.log"))).isTrue();

    // A second sweep on the same output is refused while the first one runs.
    Process rival = cluster.submit(PipelineJob.class.getName(), args, dir.resolve("rival.log"));
    assertThat(rival.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String rivalLog = Files.readString(dir.resolve("rival.log"));
    assertThat(rival.exitValue()).as(rivalLog).isEqualTo(2);
    assertThat(rivalLog).contains("is in use by another subnetlab process (pid " + first.pid());
    waitForRuns(masks, 2, first);
    assertThat(first.isAlive()).as(Files.readString(dir.resolve("first.log"))).isTrue();

    // The executors of the killed driver may still commit the runs they are finishing (complete
    // files, which the re-submission then counts as finished): wait until the master has stopped
    // them before taking the snapshot.
    List<ProcessHandle> executors =
        ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
            .toList();
    assertThat(executors).as("executors of the first submission").isNotEmpty();
    first.destroyForcibly(); // SIGKILL of the driver JVM (spark-class execs java)
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    for (ProcessHandle e : executors) {
      e.onExit().get(2, TimeUnit.MINUTES);
    }
    Map<String, FileTime> finished = new HashMap<>();
    for (String id : MaskFiles.committed(masks)) {
      finished.put(id, Files.getLastModifiedTime(MaskFiles.file(masks, id)));
    }
    assertThat(finished.size()).as("runs finished before the kill").isBetween(2, runs - 1);
    assertThat(out.resolve("tables")).doesNotExist();

    Process again = cluster.submit(PipelineJob.class.getName(), args, dir.resolve("again.log"));
    assertThat(again.waitFor(10, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(dir.resolve("again.log"));
    assertThat(again.exitValue()).as(log).isZero();
    assertThat(log)
        .contains(
            "Mask sweep: "
                + runs
                + " runs, "
                + finished.size()
                + " already finished, training "
                + (runs - finished.size()));
    assertThat(MaskFiles.committed(masks)).hasSize(runs);
    for (Map.Entry<String, FileTime> e : finished.entrySet()) {
      assertThat(Files.getLastModifiedTime(MaskFiles.file(masks, e.getKey())))
          .as("finished run %s was not retrained", e.getKey())
          .isEqualTo(e.getValue());
    }

    // The same config on an embedded local[2] Spark, as separate CLI processes.
    Path local = dir.resolve("demo-local");
    for (String stage : List.of("train-model", "train-masks")) {
      List<String> cli =
          new ArrayList<>(
              List.of(stage, args.get(0), "--out", local.toString(), "--master", "local[2]"));
      cli.addAll(args.subList(3, args.size())); // the --set overrides
      Process p = CliProcess.start(cli, dir.resolve(stage + ".log"));
      assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve(stage + ".log"))).isZero();
    }
    SparkSession spark = SparkSessions.local("cluster-it-check", "local[1]");
    try {
      Map<String, String> clusterBits = bits(spark, masks);
      assertThat(
              clusterBits.keySet().stream()
                  .map(k -> k.substring(0, k.indexOf('/')))
                  .distinct()
                  .count())
          .isEqualTo(runs);
      assertThat(clusterBits).isEqualTo(bits(spark, local.resolve("masks")));
      List<Row> perRun =
          spark
              .read()
              .parquet(out.resolve("tables/masks").toString())
              .groupBy("run_id")
              .count()
              .collectAsList();
      assertThat(perRun).hasSize(runs);
    } finally {
      spark.stop();
    }
  }

  @Test
  @Order(2)
  void dl4jSparkTrainingOfTheDemoBaseModelReachesTheLocalBar() throws Exception {
    Path out = dir.resolve("demo-spark-trained");
    Process job =
        cluster.submit(
            TrainModelJob.class.getName(),
            List.of(
                StandaloneCluster.PROJECT.resolve("conf/demo.conf").toString(),
                "--out",
                out.toString(),
                "--set",
                "model.trainer=spark",
                "--set",
                "model.seeds=[0]"),
            dir.resolve("spark-trained.log"));
    assertThat(job.waitFor(10, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(dir.resolve("spark-trained.log"));
    assertThat(job.exitValue()).as(log).isZero();
    assertThat(log).contains("DL4J Spark training (parameter averaging) on 2 executor cores");
    SparkTrainingTest.assertReachesTheLocalBar(out);
  }

  @Test
  @Order(3)
  void killedWorkersRunsAreRetriedAndEveryRunIsPresentOnce() throws Exception {
    int runs = 8;
    Path conf = TestConfigs.copy("tiny.conf", dir);
    Path out = dir.resolve("tiny");
    Path masks = out.resolve("masks");
    Process job =
        cluster.submit(
            PipelineJob.class.getName(),
            List.of(
                conf.toString(),
                "--out",
                out.toString(),
                "--set",
                "masks.csordas.steps=10000",
                "--set",
                "masks.continuous-sparsification.steps=20000"),
            dir.resolve("tiny.log"));
    waitForRuns(masks, 1, job);
    assertThat(MaskFiles.committed(masks).size()).isLessThan(runs - 2);
    ProcessHandle worker = ProcessHandle.of(cluster.workerPid(1)).orElseThrow();
    worker.destroyForcibly();
    assertThat(worker.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();

    assertThat(job.waitFor(10, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(dir.resolve("tiny.log"));
    assertThat(job.exitValue()).as(log).isZero();
    assertThat(log).contains("Lost executor");
    assertThat(MaskFiles.committed(masks)).hasSize(runs);
    SparkSession spark = SparkSessions.local("cluster-it-check", "local[1]");
    try {
      List<Row> perRun =
          spark
              .read()
              .parquet(out.resolve("tables/masks").toString())
              .groupBy("run_id")
              .count()
              .collectAsList();
      assertThat(perRun).hasSize(runs);
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
          .isEqualTo(runs);
    } finally {
      spark.stop();
    }
  }

  /** run_id/layer_index -> the layer's mask bits, from the committed mask files. */
  private static Map<String, String> bits(SparkSession spark, Path masks) {
    Map<String, String> m = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .parquet(masks.resolve("*.parquet").toString())
            .select("run_id", "layer_index", "bits")
            .collectAsList()) {
      m.put(
          r.getString(0) + "/" + r.getInt(1),
          Base64.getEncoder().encodeToString((byte[]) r.get(2)));
    }
    return m;
  }

  /** Until {@code job} holds the output lock of {@code out} (its pid in the lock file). */
  private static void waitForLock(Path out, Process job) throws Exception {
    Path lock = out.resolve(OutputLock.FILE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    String holder = "pid " + job.pid() + " ";
    while (job.isAlive()
        && System.nanoTime() < deadline
        && !(Files.isRegularFile(lock) && Files.readString(lock).contains(holder))) {
      Thread.sleep(100);
    }
  }

  private static void waitForRuns(Path masks, int n, Process job) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
    while (MaskFiles.committed(masks).size() < n && job.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }
}
