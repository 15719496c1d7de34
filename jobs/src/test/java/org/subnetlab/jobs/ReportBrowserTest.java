package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.subnetlab.cli.Main;

/**
 * The demo, end to end as a user runs it: {@code run conf/demo.conf} and {@code cluster} as real
 * processes, the HTML report opened in headless Chromium (screenshot kept under {@code
 * jobs/target/report-test/}), and every notebook executed headless on the same output.
 */
public class ReportBrowserTest {
  static final Path WORK = Path.of("target", "report-test").toAbsolutePath();
  static final Path DEMO = WORK.resolve("demo");
  public static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static String runLog;

  @BeforeAll
  static void runDemo() throws Exception {
    if (Files.exists(WORK)) {
      try (Stream<Path> s = Files.walk(WORK)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(WORK);
    Path conf = REPO.resolve("conf/demo.conf");
    runLog =
        cli(
            List.of("run", conf.toString(), "--out", DEMO.toString(), "--master", "local[2]"),
            "demo-run.log");
    cli(
        List.of(
            "cluster",
            conf.toString(),
            "--out",
            DEMO.toString(),
            "--master",
            "local[2]",
            "--set",
            "cluster.shuffles=10"),
        "demo-cluster.log");
  }

  private static String cli(List<String> args, String logName) throws Exception {
    Path log = WORK.resolve(logName);
    Process p = CliProcess.start(args, log);
    assertThat(p.waitFor(20, TimeUnit.MINUTES)).as("%s finished", args.get(0)).isTrue();
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code of %s; log:%n%s", args.get(0), text).isZero();
    return text;
  }

  @Test
  void demoReportRendersEveryFigureWithoutErrors() throws Exception {
    Path html = DEMO.resolve("report/index.html");
    Browser.Page page = Browser.open(html, WORK);
    List<String> ids = figureIds(page.dom());
    // three base models (conf/demo.conf): the figures of a grid point are per base model
    assertThat(ids)
        .contains(
            "fig-density-all",
            "fig-density-csordas-model-0",
            "fig-density-continuous-sparsification-model-2",
            "fig-jaccard-subtasks-csordas-model-1",
            "fig-jaccard-seeds",
            "fig-jaccard-methods",
            "fig-ablation-csordas-model-0-subnetwork",
            "fig-ablation-csordas-model-2-removed",
            "fig-ablation-continuous-sparsification-model-1-removed_exclusive",
            "fig-controls-csordas-model-0",
            "fig-curve-loss-csordas-model-0",
            "fig-curve-density-continuous-sparsification-model-2",
            "fig-clusterability",
            "fig-cluster-sizes-spectral",
            "fig-cluster-ablation-spectral");
    assertThat(ids).doesNotContain("fig-density-csordas", "fig-controls-csordas");
    assertThat(page.bodyAttribute("data-figures")).isEqualTo(String.valueOf(ids.size()));
    assertThat(page.bodyAttribute("data-figures-rendered"))
        .as("figures drawn with a non-empty picture")
        .isEqualTo(String.valueOf(ids.size()));
    assertThat(page.dom()).doesNotContain("data-rendered=\"no\"");
    assertThat(page.bodyAttribute("data-errors")).isEqualTo("0");
    assertThat(page.consoleMessages()).isEmpty();
    Path png = WORK.resolve("demo-report.png");
    Browser.screenshot(html, png, WORK, 1400, 4000);
    assertThat(Files.size(png)).isGreaterThan(50_000);
  }

  @Test
  void theBrowserCheckCatchesABrokenPage() throws Exception {
    Path html = WORK.resolve("broken.html");
    String report = Files.readString(DEMO.resolve("report/index.html"));
    int from = report.indexOf("<script>");
    String selfCheck = report.substring(from, report.indexOf("</script>", from) + 9);
    // the report's own check, an empty figure and a script error
    Files.writeString(
        html,
        "<!DOCTYPE html><html><head>"
            + selfCheck
            + "</head>"
            + "<body data-figures=\"1\"><figure class=\"chart\"><svg></svg></figure>"
            + "<script>missingFunction();</script></body></html>");
    Browser.Page page = Browser.open(html, WORK);
    assertThat(page.bodyAttribute("data-figures-rendered")).isEqualTo("0");
    assertThat(page.bodyAttribute("data-errors")).isEqualTo("1");
    assertThat(page.consoleMessages()).anyMatch(l -> l.contains("missingFunction"));
  }

  @Test
  void runPrintsTheCompactSummaryAndPlainProgressLinesWithoutATerminal() {
    assertThat(runLog).contains("| method | subtask | seeds | density | subnetwork |");
    // three base models (conf/demo.conf): one row per base model, over its three mask seeds
    assertThat(runLog)
        .contains("| csordas | mul · model 0 | 3 |")
        .contains("| csordas | mul · model 2 | 3 |");
    assertThat(runLog).contains("Report: " + DEMO.resolve("report/index.html"));
    assertThat(runLog)
        .contains("sweep progress: 1/54 runs finished")
        .contains("sweep progress: 54/54 runs finished");
    assertThat(runLog).doesNotContain("mask runs"); // no progress bar in a log file
  }

  @Test
  void everyNotebookRunsHeadlessOnTheDemoOutput() throws Exception {
    List<Path> notebooks = Notebooks.all(REPO);
    assertThat(notebooks).isNotEmpty();
    for (Path nb : notebooks) {
      String executed = Notebooks.execute(nb, DEMO, WORK.resolve("notebooks"));
      assertThat(count(executed, "\"image/png\""))
          .as("figures drawn by %s", nb)
          .isGreaterThanOrEqualTo(7); // density, 2 overlap, ablation, controls, curves, clusters
      assertThat(executed).contains("read with subnetlab export (CSV)").contains("spectral");
    }
  }

  @Test
  void reportNeedsResultTables() throws IOException {
    Path empty = Files.createDirectories(WORK.resolve("empty"));
    var err = new java.io.ByteArrayOutputStream();
    var old = System.err;
    System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.execute("report", "--out", empty.toString());
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "subnetlab report: error: Cannot report on " + empty + ": it has no result tables");
  }

  static List<String> figureIds(String dom) {
    List<String> ids = new ArrayList<>();
    Matcher m = Pattern.compile("<figure class=\"chart\" id=\"([^\"]+)\"").matcher(dom);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
