package org.subnetlab.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.subnetlab.jobs.CliProcess;
import org.subnetlab.jobs.TestConfigs;

/**
 * One case's directory, and the fixtures cases start from. The finished tiny sweep ({@code
 * tiny.conf}: model, 8 mask files, tables, report) is made once per suite by a real {@code
 * subnetlab run} and copied into each case that asks for it.
 */
public final class Workspace {
  /** A finished command: its exit code and its output (stdout and stderr, interleaved). */
  public record Result(int exit, String output) {}

  /**
   * JVM options of the suite's {@code subnetlab} processes (after {@code java}): {@code
   * -Dfaults.jvm="..."}, empty for none. By default the client compiler only ({@code
   * -XX:TieredStopAtLevel=1}): a case's process lives seconds to a minute, mostly in code that runs
   * once (Spark's planning, its generated code, set-ups), and the server compiler's threads took
   * the CPU time from it on 2 cores (docs/faults.md: measured). A JIT choice only: the commands,
   * their output and their files are the same.
   */
  static final List<String> JVM_OPTIONS =
      List.of(System.getProperty("faults.jvm", "-XX:TieredStopAtLevel=1").trim().split("\\s+"))
          .stream()
          .filter(o -> !o.isEmpty())
          .toList();

  private static Path fixtureRoot;
  private static Path finished;

  private final Path dir;

  Workspace(Path dir) {
    this.dir = dir;
  }

  static synchronized void fixtureRoot(Path root) {
    if (!root.equals(fixtureRoot)) {
      finished = null; // another test class, another temporary directory
    }
    fixtureRoot = root;
  }

  /** This case's directory (empty at the start of the case). */
  public Path dir() {
    return dir;
  }

  public Path path(String relative) {
    return dir.resolve(relative);
  }

  /**
   * Copies a test config from the classpath ({@code tiny.conf}, ...) into this case's directory.
   */
  public Path conf(String resource) {
    Path f = dir.resolve(resource);
    if (!Files.exists(f)) {
      TestConfigs.copy(resource, dir);
    }
    return f;
  }

  /** Writes {@code text} to {@code relative} (creating parent directories) and returns its path. */
  public Path write(String relative, String text) throws IOException {
    Path f = dir.resolve(relative);
    Files.createDirectories(f.toAbsolutePath().getParent());
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }

  /** Writes raw bytes. */
  public Path write(String relative, byte[] bytes) throws IOException {
    Path f = dir.resolve(relative);
    Files.createDirectories(f.toAbsolutePath().getParent());
    Files.write(f, bytes);
    return f;
  }

  /**
   * A copy of the finished tiny sweep at {@code relative} (e.g. "out"), made with this case's
   * {@code tiny.conf} (see {@link #conf}); returns its path.
   */
  public Path finishedSweep(String relative) throws Exception {
    conf("tiny.conf");
    Path target = dir.resolve(relative);
    copyTree(finished(), target);
    return target;
  }

  /** Only the trained base model of the tiny sweep ({@code <relative>/model}), no masks. */
  public Path trainedModel(String relative) throws Exception {
    conf("tiny.conf");
    Path target = dir.resolve(relative);
    copyTree(finished().resolve("model"), target.resolve("model"));
    return target;
  }

  /** The finished tiny sweep, made on first use. */
  static synchronized Path finished() throws Exception {
    if (finished == null) {
      Path d = fixtureRoot.resolve("fixture");
      Files.createDirectories(d);
      Path conf = TestConfigs.copy("tiny.conf", d);
      Result r = run(d, List.of("run", conf.toString(), "--out", d.resolve("out").toString()), 600);
      if (r.exit() != 0) {
        throw new AssertionError(
            "The fixture sweep failed (exit " + r.exit() + "):\n" + r.output());
      }
      finished = d.resolve("out");
    }
    return finished;
  }

  /** Runs {@code subnetlab args} as a real process in this case's directory. */
  public Result cli(String... args) throws Exception {
    return run(dir, List.of(args), 600);
  }

  static Result run(Path cwd, List<String> args, int timeoutSeconds) throws Exception {
    return run(cwd, args, timeoutSeconds, null, null);
  }

  static Result run(
      Path cwd, List<String> args, int timeoutSeconds, String signalWhen, String signal)
      throws Exception {
    Path log = Files.createTempFile(cwd, ".cli-", ".log");
    ProcessBuilder pb = CliProcess.builder(new ArrayList<>(args));
    pb.command().addAll(1, JVM_OPTIONS);
    pb.directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    boolean signalled = signalWhen == null;
    while (p.isAlive()) {
      if (System.nanoTime() > deadline) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(
            "subnetlab "
                + args
                + " did not finish within "
                + timeoutSeconds
                + " s:\n"
                + Files.readString(log));
      }
      if (!signalled && Files.readString(log).contains(signalWhen)) {
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
            .inheritIO()
            .start()
            .waitFor();
        signalled = true;
      }
      p.waitFor(100, TimeUnit.MILLISECONDS);
    }
    String out = Files.readString(log);
    Files.delete(log);
    if (!signalled) {
      throw new AssertionError("The process ended before printing '" + signalWhen + "':\n" + out);
    }
    return new Result(p.exitValue(), out);
  }

  static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(d).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            Files.copy(
                f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Every regular file under {@code root}, relative, sorted (for "nothing left behind" checks). */
  public static List<String> files(Path root) {
    try (var s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(f -> root.relativize(f).toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
