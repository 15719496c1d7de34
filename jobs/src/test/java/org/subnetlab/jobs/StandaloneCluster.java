package org.subnetlab.jobs;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster for the integration tests, started and stopped by the project's
 * own scripts (deploy/standalone), with the cluster jar the build made: a master and workers, each
 * a separate JVM, on loopback; jobs are submitted with deploy/bin/spark-submit.
 */
final class StandaloneCluster implements AutoCloseable {
  static final Path PROJECT = Path.of(System.getProperty("user.dir")).getParent();
  static final Path DEPLOY = PROJECT.resolve("deploy");

  final Path state;
  final String masterUrl;
  final int workers;
  private final List<Process> submitted = new ArrayList<>();

  private StandaloneCluster(Path state, String masterUrl, int workers) {
    this.state = state;
    this.masterUrl = masterUrl;
    this.workers = workers;
  }

  /** Starts a master and {@code workers} workers of one core and {@code memory} each. */
  static StandaloneCluster start(Path state, int workers, String memory) throws Exception {
    List<String> cmd =
        List.of(
            DEPLOY.resolve("standalone/start-cluster.sh").toString(),
            "--workers",
            String.valueOf(workers),
            "--cores",
            "1",
            "--memory",
            memory,
            "--port",
            String.valueOf(freePort()),
            "--webui-port",
            String.valueOf(freePort()),
            "--state",
            state.toString());
    Path log = Files.createDirectories(state).resolve("start.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("start-cluster.sh failed: " + Files.readString(log));
    }
    List<String> lines = Files.readAllLines(log);
    String url = lines.get(lines.size() - 1).strip();
    if (!url.startsWith("spark://")) {
      throw new IllegalStateException("start-cluster.sh printed no master URL: " + lines);
    }
    return new StandaloneCluster(state, url, workers);
  }

  /** The pid of worker {@code i} (1-based), from the state directory. */
  long workerPid(int i) throws IOException {
    return Long.parseLong(Files.readString(state.resolve("worker-" + i + ".pid")).strip());
  }

  static Path clusterJar() throws IOException {
    try (var files = Files.list(PROJECT.resolve("jobs/target"))) {
      return files
          .filter(f -> f.getFileName().toString().endsWith("-cluster.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no cluster jar; run mvn package"));
    }
  }

  /** spark-submit of {@code mainClass} from the cluster jar to this cluster, client mode. */
  Process submit(String mainClass, List<String> args, Path log) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                DEPLOY.resolve("bin/spark-submit").toString(),
                "--master",
                masterUrl,
                "--driver-memory",
                "2g",
                "--executor-memory",
                "2g",
                "--class",
                mainClass,
                clusterJar().toString()));
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    submitted.add(p);
    return p;
  }

  /**
   * Kills the drivers of submissions still running (e.g. after a failed wait), so that their
   * executors do not hold the workers' cores while the next test's job waits for them.
   */
  void killLeftoverSubmissions() throws InterruptedException {
    for (Process p : submitted) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(60, TimeUnit.SECONDS);
      }
    }
    submitted.clear();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    Process p =
        new ProcessBuilder(
                DEPLOY.resolve("standalone/stop-cluster.sh").toString(),
                "--state",
                state.toString())
            .inheritIO()
            .start();
    p.waitFor(3, TimeUnit.MINUTES);
  }
}
