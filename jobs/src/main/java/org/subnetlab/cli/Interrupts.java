package org.subnetlab.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Ctrl-C (SIGINT) and SIGTERM end a command with one line and the conventional exit code (130,
 * 143), without the errors and stack traces that Spark's jobs print when their SparkContext is
 * stopped under them. Finished work is kept: mask files, models and tables are committed by
 * renames, so running the same command again resumes (as after a kill).
 *
 * <p>A second signal while the first one shuts down halts the JVM at once. A signal that was
 * ignored when the JVM started (a command run with {@code nohup}) stays ignored.
 */
final class Interrupts {
  static final String MESSAGE =
      "subnetlab: interrupted; finished runs are kept, run the same" + " command again to resume.";

  private static final java.util.concurrent.atomic.AtomicBoolean INTERRUPTED =
      new java.util.concurrent.atomic.AtomicBoolean();

  private Interrupts() {}

  /** Installs the handlers for INT and TERM (where the platform has them). */
  static void install() {
    handle("INT", 128 + 2);
    handle("TERM", 128 + 15);
  }

  private static void handle(String name, int code) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> onSignal(code));
    } catch (IllegalArgumentException e) {
      // not a signal of this platform, or reserved by the VM: keep the default behaviour
    }
  }

  private static void onSignal(int code) {
    if (!INTERRUPTED.compareAndSet(false, true)) {
      Runtime.getRuntime().halt(code); // not synchronized: the first handler is in System.exit
    }
    PrintStream err = System.err;
    silence();
    err.println(MESSAGE);
    err.flush();
    System.exit(code); // runs the shutdown hooks (Spark stops its context), then exits with code
  }

  /**
   * Silences the logs and the standard streams: what the stopped Spark jobs and this process's
   * failing main thread would print from now on is the noise of the shutdown, not information.
   */
  private static void silence() {
    try {
      org.apache.logging.log4j.core.config.Configurator.setAllLevels(
          org.apache.logging.log4j.LogManager.ROOT_LOGGER_NAME, org.apache.logging.log4j.Level.OFF);
    } catch (LinkageError | RuntimeException e) {
      // another logging backend: the streams below are silenced all the same
    }
    PrintStream none = new PrintStream(OutputStream.nullOutputStream());
    System.setErr(none);
    System.setOut(none);
  }
}
