package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} in a real terminal (a pseudo-terminal made by util-linux {@code script}) draws a
 * progress bar that updates in place; without a terminal it logs plain lines ({@link
 * ReportBrowserTest} checks those on the demo).
 */
class ProgressBarTest {
  @TempDir Path dir;

  @Test
  void aTerminalGetsAProgressBarUpdatedInPlace() throws Exception {
    Path conf = TestConfigs.copy("tiny.conf", dir);
    List<String> cli = CliProcess.command();
    cli.addAll(
        List.of(
            "run",
            conf.toString(),
            "--out",
            dir.resolve("out").toString(),
            "--master",
            "local[2]",
            "--set",
            "masks.seeds=[0]"));
    String line = cli.stream().map(Notebooks::shellQuote).collect(Collectors.joining(" "));
    Path transcript = dir.resolve("terminal.log");
    ProcessBuilder pb =
        new ProcessBuilder("script", "-q", "-e", "-c", line, "/dev/null")
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(transcript.toFile());
    pb.environment().put("TERM", "xterm");
    pb.environment().put("COLUMNS", "120");
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    String text = Files.readString(transcript, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code; terminal:%n%s", text).isZero();
    // 2 methods x 2 subtasks x 1 seed = 4 runs: the bar is redrawn (carriage return) as they end.
    assertThat(text).contains("mask runs").contains("4/4").contains("100%");
    long redraws =
        text.chars().filter(c -> c == '\r').count()
            - text.chars().filter(c -> c == '\n').count(); // the pty turns \n into \r\n
    assertThat(redraws).as("in-place redraws of the bar").isGreaterThanOrEqualTo(2);
    assertThat(text).doesNotContain("sweep progress: ");
  }
}
