package org.subnetlab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection suite: bad inputs and faults, each run as a real {@code subnetlab} process. A
 * bad input must end in its exit code with a message naming what is wrong and no Java stack trace;
 * a fault must end in the healed state the case checks. The cases are in the groups below;
 * docs/faults.md lists them. {@code -Dfaults.group=PathFaults} runs one group only (while
 * developing).
 */
class FaultSuiteTest {
  /** The groups of cases. Add a group here and its cases run in CI. */
  static final List<FaultCases> GROUPS =
      List.of(
          new BaselineFaults(),
          new PathFaults(),
          new MaskFileFaults(),
          new TableFaults(),
          new InputFaults());

  /** A line of a Java stack trace ("\tat org.x.Y.z(Y.java:12)") or an uncaught exception. */
  static final Pattern TRACE =
      Pattern.compile("(?m)^\\s+at [\\w$.]+\\(.*\\)$|^Exception in thread|^Caused by: ");

  @TempDir static Path root;

  @TestFactory
  Stream<DynamicTest> cases() {
    Workspace.fixtureRoot(root);
    String only = System.getProperty("faults.group", "");
    List<FaultCase> cases = new ArrayList<>();
    for (FaultCases g : GROUPS) {
      if (only.isEmpty() || g.getClass().getSimpleName().equals(only)) {
        cases.addAll(g.cases());
      }
    }
    // One case at a time by default: on 2 cores two at a time (-Dfaults.parallel=2) was slower.
    int parallel = Integer.getInteger("faults.parallel", 1);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            parallel,
            r -> {
              Thread t = new Thread(r, "fault-case");
              t.setDaemon(true);
              return t;
            });
    if (only.isEmpty()) {
      pool.submit(
          () -> {
            Workspace.finished();
            return null;
          });
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      FaultCase c = cases.get(i);
      Path dir = root.resolve("case-" + i);
      Future<?> done =
          pool.submit(
              () -> {
                run(c, dir);
                return null;
              });
      tests.add(
          DynamicTest.dynamicTest(
              c.toString(),
              () -> {
                try {
                  done.get();
                } catch (ExecutionException e) {
                  throw e.getCause();
                }
              }));
    }
    pool.shutdown();
    return tests.stream();
  }

  static void run(FaultCase c, Path dir) throws Exception {
    Files.createDirectories(dir);
    Workspace ws = new Workspace(dir);
    c.setup.prepare(ws);
    List<String> args = c.args.of(ws);
    Workspace.Result r = Workspace.run(dir, args, c.timeoutSeconds, c.signalWhen, c.signal);
    String context = "subnetlab " + String.join(" ", args) + "\n--- output ---\n" + r.output();
    assertThat(r.exit()).as("exit code of " + context).isEqualTo(c.exit);
    for (String f : c.fragments) {
      assertThat(r.output()).as("message of " + context).contains(f);
    }
    if (c.exit == 2) {
      assertThat(TRACE.matcher(r.output()).find()).as("a stack trace in " + context).isFalse();
    }
    c.then.check(ws, r);
  }
}
