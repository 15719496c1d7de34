package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium (Debian's {@code chromium}; .ci/run installs it) opening a page: the DOM after
 * the page's scripts ran, the browser's console log, and screenshots.
 */
final class Browser {
  private Browser() {}

  /** What a page showed: its serialised DOM after load and the console lines Chromium logged. */
  record Page(String dom, List<String> console) {
    /** A {@code data-*} attribute of {@code <body>}, or null. */
    String bodyAttribute(String name) {
      Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
      if (!body.find()) {
        return null;
      }
      Matcher a = Pattern.compile(name + "=\"([^\"]*)\"").matcher(body.group(1));
      return a.find() ? a.group(1) : null;
    }

    /**
     * Every message the page wrote to the console, uncaught exceptions included (Chromium logs them
     * all at INFO level, so the level cannot tell errors apart; the report logs nothing).
     */
    List<String> consoleMessages() {
      return console.stream().filter(l -> l.contains(":CONSOLE")).toList();
    }
  }

  static String binary() {
    String env = System.getenv("CHROMIUM");
    if (env != null && !env.isBlank()) {
      return env;
    }
    for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError(
        "Headless Chromium is needed for the report test: install Debian's "
            + "chromium package (apt-get install chromium; .ci/run does) or set CHROMIUM.");
  }

  private static List<String> base(Path profile) {
    return new ArrayList<>(
        List.of(
            binary(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--user-data-dir=" + profile,
            "--hide-scrollbars"));
  }

  static Page open(Path html, Path work) throws IOException, InterruptedException {
    List<String> cmd = base(Files.createTempDirectory(work, "profile"));
    cmd.addAll(
        List.of(
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            html.toUri().toString()));
    Path err = Files.createTempFile(work, "chromium", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    byte[] dom = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(p.exitValue()).as("chromium exit code; log: %s", err).isZero();
    return new Page(
        new String(dom, StandardCharsets.UTF_8), Files.readAllLines(err, StandardCharsets.UTF_8));
  }

  static void screenshot(Path html, Path png, Path work, int width, int height)
      throws IOException, InterruptedException {
    List<String> cmd = base(Files.createTempDirectory(work, "profile"));
    cmd.addAll(
        List.of(
            "--window-size=" + width + "," + height,
            "--screenshot=" + png,
            html.toUri().toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("screenshot.log").toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(png).exists();
  }
}
