package org.subnetlab.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PyTorch peer script run as a process: its {@code steps_per_s}, or null when it cannot run. */
final class PeerProcess {
  private static final Pattern STEPS = Pattern.compile("\"steps_per_s\": ([0-9.eE+-]+)");

  private PeerProcess() {}

  /**
   * Runs {@code script} with {@code args} and {@code --steps steps --threads 1} and returns the
   * {@code steps_per_s} of the JSON object on its last output line; null when the script is absent,
   * fails or prints no such line (no torch, say).
   */
  static Double stepsPerSecond(Path script, List<String> args, int steps) {
    if (script == null || !Files.isRegularFile(script)) {
      return null;
    }
    try {
      // Debian's python3 (where python3-torch installs), before whatever python3 is on the PATH.
      String python =
          Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
      List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
      cmd.addAll(args);
      cmd.addAll(List.of("--steps", Integer.toString(steps), "--threads", "1"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String last = null;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l = r.readLine(); l != null; l = r.readLine()) {
          last = l;
        }
      }
      if (!p.waitFor(10, TimeUnit.MINUTES)
          || p.exitValue() != 0
          || last == null
          || !last.startsWith("{")) {
        return null;
      }
      Matcher m = STEPS.matcher(last);
      return m.find() ? Double.parseDouble(m.group(1)) : null;
    } catch (Exception e) {
      return null;
    }
  }
}
