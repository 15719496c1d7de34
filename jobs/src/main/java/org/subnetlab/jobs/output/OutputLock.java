package org.subnetlab.jobs.output;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.subnetlab.config.BadInputException;

/**
 * One writer per output directory. A stage that writes into an output directory holds an
 * operating-system lock on {@code <out>/.subnetlab.lock} for as long as it runs, so two sweeps
 * never interleave their runs and tables; the second one is refused with the holder's pid, host and
 * command. The lock dies with its process: a killed driver (kill -9, lost machine) leaves no stale
 * lock behind, and re-running it resumes at once. The file's text only describes the holder. Taking
 * the lock also deletes the leftovers of killed writers under {@code tables/} and {@code report/}
 * ({@link Tables#cleanLeftovers}, {@link Reports#cleanLeftovers}).
 */
public final class OutputLock implements AutoCloseable {
  public static final String FILE = ".subnetlab.lock";

  /** The output roots whose lock this process holds. */
  private static final java.util.Set<Path> HELD =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final FileChannel channel;
  private final FileLock lock;
  private final Path root;

  private OutputLock(FileChannel channel, FileLock lock, Path root) {
    this.channel = channel;
    this.lock = lock;
    this.root = root;
  }

  /**
   * Whether this process holds the lock of {@code out}: then no other subnetlab process writes
   * there, and what a writer left behind (e.g. in {@code masks/.tmp}) is of a dead one.
   */
  static boolean heldHere(OutputLayout out) {
    return HELD.contains(out.root());
  }

  /** Takes the lock of {@code out} for {@code command}, or refuses with who holds it. */
  public static OutputLock acquire(OutputLayout out, String command) {
    Path file = out.root().resolve(FILE);
    FileChannel ch = null;
    try {
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        ch.close();
        throw new BadInputException(
            "Output directory "
                + out.root()
                + " is in use by another "
                + "subnetlab process ("
                + (holder.isEmpty() ? "unknown holder" : holder)
                + "). Two "
                + "stages writing to one output would interleave their results: wait for it to "
                + "finish, stop it, or choose another --out.");
      }
      String me =
          "pid "
              + ProcessHandle.current().pid()
              + " on "
              + hostName()
              + ", `"
              + command
              + "`, since "
              + Instant.now();
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(false);
      HELD.add(out.root());
      // ours alone now: what killed or failed writers left behind can go
      Tables.cleanLeftovers(out);
      Reports.cleanLeftovers(out);
      return new OutputLock(ch, l, out.root());
    } catch (IOException e) {
      closeQuietly(ch);
      throw new BadInputException(
          "Cannot lock output directory "
              + out.root()
              + " ("
              + file
              + "): "
              + OutputLayout.describe(e)
              + ".",
          e);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing to release
      }
    }
  }

  @Override
  public void close() {
    HELD.remove(root);
    try {
      channel.truncate(0);
      lock.release();
    } catch (IOException ignored) {
      // closing the channel below releases the lock anyway
    } finally {
      closeQuietly(channel);
    }
  }
}
