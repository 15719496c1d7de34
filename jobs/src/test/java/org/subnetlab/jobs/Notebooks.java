package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The project's Jupyter notebooks, executed headless with nbconvert (.ci/run installs it). */
final class Notebooks {
  private Notebooks() {}

  static List<Path> all(Path repo) throws java.io.IOException {
    try (Stream<Path> s = Files.list(repo.resolve("notebooks"))) {
      return s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
  }

  /**
   * Executes {@code notebook} on the output directory {@code out} (SUBNETLAB_OUT), with the CLI of
   * this build as SUBNETLAB_CLI; fails if a cell fails. Returns the executed notebook's JSON.
   */
  static String execute(Path notebook, Path out, Path dir) throws Exception {
    Files.createDirectories(dir);
    String name = out.getFileName() + "-" + notebook.getFileName();
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--ExecutePreprocessor.timeout=600",
                "--output-dir",
                dir.toString(),
                "--output",
                name,
                notebook.toString())
            .directory(notebook.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SUBNETLAB_OUT", out.toString());
    pb.environment()
        .put(
            "SUBNETLAB_CLI",
            String.join(" ", CliProcess.command().stream().map(Notebooks::shellQuote).toList()));
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      throw new AssertionError(
          "jupyter is needed to execute the notebooks: install Debian's "
              + "jupyter-nbconvert, python3-ipykernel, python3-pandas and python3-matplotlib "
              + "(.ci/run does)",
          e);
    }
    assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("nbconvert finished").isTrue();
    assertThat(p.exitValue())
        .as("nbconvert of %s; log:%n%s", notebook, Files.readString(log, StandardCharsets.UTF_8))
        .isZero();
    String executed = Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    assertThat(executed).doesNotContain("\"output_type\": \"error\"");
    return executed;
  }

  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }
}
