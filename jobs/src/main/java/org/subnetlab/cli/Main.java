package org.subnetlab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.subnetlab.bench.Bench;
import org.subnetlab.config.BadInputException;
import org.subnetlab.jobs.AggregateJob;
import org.subnetlab.jobs.ClusterJob;
import org.subnetlab.jobs.CompositionJob;
import org.subnetlab.jobs.PipelineJob;
import org.subnetlab.jobs.StageMain;
import org.subnetlab.jobs.TrainMasksJob;
import org.subnetlab.jobs.TrainModelJob;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.OutputLock;
import org.subnetlab.jobs.output.TableExport;
import org.subnetlab.jobs.output.Tables;
import org.subnetlab.jobs.report.Summary;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.nativeblas.NativeKernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/subnetlab}: every stage on an embedded Spark ({@code local[*]} by default). */
@Command(
    name = "subnetlab",
    mixinStandardHelpOptions = true,
    versionProvider = Main.BuildVersion.class,
    description = "Find functional subnetworks in trained neural networks, on Spark.",
    subcommands = {
      Main.Run.class,
      Main.TrainModel.class,
      Main.TrainMasks.class,
      Main.Aggregate.class,
      Main.Cluster.class,
      Main.Compose.class,
      Main.Report.class,
      Main.Export.class,
      Bench.class
    })
public final class Main implements Callable<Integer> {

  /** {@code subnetlab --version}: the build's version (version.properties, filtered by Maven). */
  static final class BuildVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties p = new java.util.Properties();
      try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          throw new java.io.IOException("version.properties is missing from the build");
        }
        p.load(in);
      }
      return new String[] {"subnetlab " + p.getProperty("version")};
    }
  }

  public static void main(String[] args) {
    NativeKernels.select(); // before ND4J loads OpenBLAS
    Interrupts.install();
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code (tests call this without exiting). */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("subnetlab: " + ex.getMessage());
          ex.getCommandLine().usage(ex.getCommandLine().getErr());
          return BadInputException.EXIT_CODE;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.err);
    return BadInputException.EXIT_CODE;
  }

  /** Base of every subcommand: config, --out, --set, --master. */
  abstract static class StageCommand implements Callable<Integer> {
    @Mixin StageMain.Options options;

    @Option(
        names = "--master",
        paramLabel = "URL",
        defaultValue = "local[*]",
        description = "Spark master of the embedded session (default: ${DEFAULT-VALUE}).")
    String master;

    abstract String name();

    abstract StageMain.Stage stage();

    @Override
    public Integer call() {
      String command = "subnetlab " + name();
      return StageMain.guarded(
          command,
          () -> {
            SparkSessions.checkMaster(master);
            StageMain.run(command, options, () -> SparkSessions.local(command, master), stage());
          });
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "The whole pipeline: base model (trained or reused), mask sweep (finished runs "
              + "are skipped), tables, summary.")
  static final class Run extends StageCommand {
    String name() {
      return "run";
    }

    StageMain.Stage stage() {
      return PipelineJob::run;
    }
  }

  @Command(
      name = "train-model",
      mixinStandardHelpOptions = true,
      description =
          "Train the base model into DIR/model, and one per further model.seeds entry"
              + " n into DIR/model-seed-<n> (each reused if it matches the config).")
  static final class TrainModel extends StageCommand {
    String name() {
      return "train-model";
    }

    StageMain.Stage stage() {
      return TrainModelJob::run;
    }
  }

  @Command(
      name = "train-masks",
      mixinStandardHelpOptions = true,
      description = "Train the masks of the sweep that are not finished yet, on Spark.")
  static final class TrainMasks extends StageCommand {
    String name() {
      return "train-masks";
    }

    StageMain.Stage stage() {
      return (spark, s, out) -> TrainMasksJob.trainWithStoredModel(spark, s, out);
    }
  }

  @Command(
      name = "cluster",
      mixinStandardHelpOptions = true,
      description =
          "Cluster the base model's units: spectral clusters and their n-cut against "
              + "shuffled networks, Watanabe's hierarchical tree, local specialisation.")
  static final class Cluster extends StageCommand {
    String name() {
      return "cluster";
    }

    StageMain.Stage stage() {
      return StageMain.thenReport(ClusterJob::run);
    }
  }

  @Command(
      name = "compose",
      mixinStandardHelpOptions = true,
      description =
          "The composition table of a finished sweep: set algebra of masks, ablation "
              + "of subroutine subnetworks, sparse-difference composition (LT-SFT).")
  static final class Compose extends StageCommand {
    String name() {
      return "compose";
    }

    StageMain.Stage stage() {
      return StageMain.thenReport(CompositionJob::run);
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = "Print a result table of DIR/tables as CSV or JSON lines on standard output.")
  static final class Export implements Callable<Integer> {
    @picocli.CommandLine.Parameters(
        index = "0",
        paramLabel = "TABLE",
        description =
            "masks, sparsity, overlap, ablation, summary, clusters, ... "
                + "(with --to and no TABLE: every table).",
        arity = "0..1")
    String table;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        required = true,
        description = "The output directory of a run.")
    java.nio.file.Path out;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json (lines).")
    String format;

    @Option(
        names = "--to",
        paramLabel = "DIR",
        description = "Write DIR/<table>.csv (or .jsonl) instead of printing to standard output.")
    java.nio.file.Path to;

    @Override
    public Integer call() {
      return StageMain.guarded(
          "subnetlab export",
          () -> {
            TableExport.Format f =
                switch (format) {
                  case "csv" -> TableExport.Format.CSV;
                  case "json" -> TableExport.Format.JSON;
                  default ->
                      throw new BadInputException(
                          "Cannot export as " + format + ": --format must be csv or json.");
                };
            if (table == null && to == null) {
              throw new BadInputException(
                  "Name a TABLE to print, or give --to DIR to write every " + "table as files.");
            }
            OutputLayout layout = existingOutput(out);
            List<String> names = table == null ? TableExport.tables(layout) : List.of(table);
            for (String t : names) { // incomplete or damaged tables: refused before any work
              Tables.check(layout, t);
            }
            if (to != null) {
              OutputLayout.writableDirectory(StageMain.nonEmpty(to, "--to"), "--to directory");
            }
            SparkSession spark = SparkSessions.local("subnetlab export", "local[*]");
            try {
              if (to == null) {
                TableExport.print(spark, layout, table, f, System.out);
              } else {
                for (String t : names) {
                  System.out.println(TableExport.write(spark, layout, t, f, to));
                }
              }
            } finally {
              spark.stop();
            }
          });
    }
  }

  /** The output directory of an earlier run, checked to exist. */
  static OutputLayout existingOutput(java.nio.file.Path out) {
    StageMain.nonEmpty(out, "--out");
    if (!java.nio.file.Files.isDirectory(out)) {
      throw new BadInputException("No output directory " + out.toAbsolutePath() + ".");
    }
    return new OutputLayout(out.toAbsolutePath().normalize());
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description =
          "Write report/index.html (self-contained HTML with the figures) from the "
              + "tables of an output directory.")
  static final class Report implements Callable<Integer> {
    @Option(
        names = "--out",
        paramLabel = "DIR",
        required = true,
        description = "The output directory of a run.")
    java.nio.file.Path out;

    @Override
    public Integer call() {
      return StageMain.guarded(
          "subnetlab report",
          () -> {
            OutputLayout layout = existingOutput(out);
            try (OutputLock lock = OutputLock.acquire(layout, "subnetlab report")) {
              org.subnetlab.jobs.report.ReportJob.check(layout);
              SparkSession spark = SparkSessions.local("subnetlab report", "local[*]");
              try {
                System.out.println(org.subnetlab.jobs.report.ReportJob.run(spark, layout));
              } finally {
                spark.stop();
              }
            }
          });
    }
  }

  @Command(
      name = "aggregate",
      mixinStandardHelpOptions = true,
      description = "Write the tables masks, sparsity, overlap, ablation from the finished sweep.")
  static final class Aggregate extends StageCommand {
    String name() {
      return "aggregate";
    }

    StageMain.Stage stage() {
      return StageMain.thenReport(
          (spark, s, out) -> {
            AggregateJob.run(spark, s, out);
            System.out.println(Summary.write(spark, out));
          });
    }
  }
}
