package org.subnetlab.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One case of the fault-injection suite ({@link FaultSuiteTest}): a workspace is prepared (bad
 * input written, a finished sweep damaged, ...), the real {@code subnetlab} process runs with the
 * case's arguments, and the suite checks its exit code, that its output names what is wrong, that a
 * bad input prints no Java stack trace, and then the case's own check of the state left behind (for
 * faults: the healed state).
 *
 * <p>Build one with {@link #of}: {@code FaultCase.of("space in --out", "23.1").args(ws -> ...)
 * .exit(0).then((ws, r) -> ...)}.
 */
public final class FaultCase {
  /** Prepares the workspace before the command runs (writes files, runs earlier commands). */
  @FunctionalInterface
  public interface Setup {
    void prepare(Workspace ws) throws Exception;
  }

  /** The command's arguments, after {@code subnetlab}. */
  @FunctionalInterface
  public interface Args {
    List<String> of(Workspace ws) throws Exception;
  }

  /** Checks the state after the command (throws an AssertionError when it is wrong). */
  @FunctionalInterface
  public interface Check {
    void check(Workspace ws, Workspace.Result result) throws Exception;
  }

  final String name;
  final String defect;
  Setup setup = ws -> {};
  Args args;
  int exit = 2;
  final List<String> fragments = new ArrayList<>();
  Check then = (ws, r) -> {};
  int timeoutSeconds = 240;

  /** A signal to send once the output contains this text (null: none). */
  String signalWhen;

  String signal;

  private FaultCase(String name, String defect) {
    this.name = Objects.requireNonNull(name);
    this.defect = Objects.requireNonNull(defect);
  }

  /**
   * A case named {@code name}; {@code defect} says where it comes from (e.g. "23.1" for issue 23,
   * defect 1, or "baseline" for behaviour that was already right and must stay so).
   */
  public static FaultCase of(String name, String defect) {
    return new FaultCase(name, defect);
  }

  public FaultCase setup(Setup s) {
    this.setup = s;
    return this;
  }

  public FaultCase args(Args a) {
    this.args = a;
    return this;
  }

  /** The expected exit code (default 2, bad input). */
  public FaultCase exit(int code) {
    this.exit = code;
    return this;
  }

  /** Text the output (stdout and stderr together) must contain; may be called repeatedly. */
  public FaultCase message(String... fragment) {
    fragments.addAll(List.of(fragment));
    return this;
  }

  public FaultCase then(Check c) {
    this.then = c;
    return this;
  }

  public FaultCase timeout(int seconds) {
    this.timeoutSeconds = seconds;
    return this;
  }

  /**
   * Sends {@code signal} ("TERM", "INT", "KILL") to the process once its output contains {@code
   * text}.
   */
  public FaultCase signalWhen(String text, String signal) {
    this.signalWhen = text;
    this.signal = signal;
    return this;
  }

  @Override
  public String toString() {
    return "[" + defect + "] " + name;
  }
}
