package org.subnetlab.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.subnetlab.cli.JvmOptions;
import org.subnetlab.cli.Main;

/**
 * {@code subnetlab} as a real process: this JVM's java, Spark's add-opens (as bin/subnetlab), the
 * test classpath.
 */
public final class CliProcess {
  private CliProcess() {}

  /** The command line that runs the CLI, without its arguments. */
  public static List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JvmOptions.addOpens());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    return cmd;
  }

  /** A builder for the CLI with {@code args}, with the environment bin/subnetlab sets. */
  public static ProcessBuilder builder(List<String> args) {
    List<String> cmd = command();
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb;
  }

  /** Starts the CLI with output and errors into {@code log}. */
  public static Process start(List<String> args, Path log) throws IOException {
    return builder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
