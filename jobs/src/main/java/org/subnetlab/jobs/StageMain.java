package org.subnetlab.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.OutputLock;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.nativeblas.NativeKernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Shared entry of every stage: arguments, validation before any work, and the one place that turns
 * failures into exit codes (2 for bad input, 1 for anything else).
 */
public final class StageMain {
  private static final Logger LOG = LoggerFactory.getLogger(StageMain.class);

  private StageMain() {}

  /** The work of a stage, given validated settings and a prepared output directory. */
  @FunctionalInterface
  public interface Stage {
    void run(SparkSession spark, Settings settings, OutputLayout out) throws Exception;
  }

  /** {@code stage}, then the HTML report refreshed from the tables it wrote. */
  public static Stage thenReport(Stage stage) {
    return (spark, settings, out) -> {
      stage.run(spark, settings, out);
      System.out.println("Report: " + org.subnetlab.jobs.report.ReportJob.afterStage(spark, out));
    };
  }

  /** The arguments every stage takes. */
  @Command(mixinStandardHelpOptions = true)
  public static final class Options {
    @Parameters(
        index = "0",
        paramLabel = "CONFIG",
        description = "HOCON experiment file, e.g. conf/demo.conf.")
    public Path config;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Output directory (default: out/<config name>).")
    public Path out;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override one config key (repeatable), e.g. --set masks.seeds=[0,1].")
    public List<String> overrides = new ArrayList<>();

    /** The output directory: --out, or out/<config file name without extension>. */
    public Path outDir() {
      if (out != null) {
        return nonEmpty(out, "--out");
      }
      String name = config.getFileName().toString().replaceFirst("\\.conf$", "");
      return Path.of("out", name);
    }
  }

  /**
   * {@code dir}, unless it is empty: an empty {@code --out ""} (or {@code --to ""}) would be the
   * current directory, which the user did not name.
   */
  public static Path nonEmpty(Path dir, String option) {
    if (dir.toString().isEmpty()) {
      throw new BadInputException(
          "Cannot use "
              + option
              + " \"\": it names no directory (an empty"
              + " path would be the current directory); give one, e.g. "
              + option
              + " out/demo"
              + (option.equals("--out") ? ", or leave --out out for out/<config name>" : "")
              + ".");
    }
    return dir;
  }

  /** Runs a stage as a spark-submit main: parses args, takes the launcher's SparkSession. */
  public static int execute(String name, String[] args, Stage stage) {
    NativeKernels.select(); // before ND4J loads OpenBLAS
    Options o = new Options();
    CommandLine cl = new CommandLine(o).setCommandName(name);
    try {
      cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      System.err.println(name + ": " + e.getMessage());
      cl.usage(System.err);
      return BadInputException.EXIT_CODE;
    }
    if (cl.isUsageHelpRequested()) {
      cl.usage(System.out);
      return 0;
    }
    return guarded(name, () -> run(name, o, () -> SparkSessions.submitted(name), stage));
  }

  /**
   * The one order every entry (spark-submit's mains and the CLI) runs a stage in: load and check
   * the config, prepare the output directory, check what can be checked before Spark starts, take
   * the output's lock, open the session, run the stage, stop the session, release the lock.
   */
  public static void run(String name, Options o, Supplier<SparkSession> session, Stage stage)
      throws Exception {
    Settings s = ConfigLoader.load(o.config, o.overrides);
    OutputLayout out = OutputLayout.prepare(o.outDir());
    SparkTasks.checkBeforeSpark(s, out);
    try (OutputLock lock = OutputLock.acquire(out, name)) {
      SparkSession spark = session.get();
      try {
        stage.run(spark, s, out);
      } finally {
        spark.stop();
      }
    }
  }

  /** Work that may fail; returns the exit code and prints one clear message on failure. */
  @FunctionalInterface
  public interface Work {
    void run() throws Exception;
  }

  public static int guarded(String name, Work work) {
    try {
      work.run();
      return 0;
    } catch (BadInputException e) {
      System.err.println(name + ": error: " + e.getMessage());
      return BadInputException.EXIT_CODE;
    } catch (Exception e) {
      BadInputException bad = badInputCause(e);
      if (bad != null) {
        System.err.println(name + ": error: " + bad.getMessage());
        return BadInputException.EXIT_CODE;
      }
      LOG.error("{} failed", name, e);
      System.err.println(name + ": failed: " + e);
      return 1;
    }
  }

  private static BadInputException badInputCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BadInputException b) {
        return b;
      }
    }
    return null;
  }
}
