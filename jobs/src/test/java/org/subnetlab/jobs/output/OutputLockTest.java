package org.subnetlab.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;

/** One writer per output directory; the lock is released when its holder closes it. */
class OutputLockTest {
  @TempDir Path dir;

  @Test
  void aSecondWriterIsRefusedWithTheHolderAndAdmittedAfterRelease() throws Exception {
    OutputLayout out = OutputLayout.prepare(dir.resolve("out"));
    try (OutputLock first = OutputLock.acquire(out, "subnetlab run")) {
      assertThat(Files.readString(out.root().resolve(OutputLock.FILE)))
          .contains("pid " + ProcessHandle.current().pid(), "`subnetlab run`");
      assertThatThrownBy(() -> OutputLock.acquire(out, "subnetlab aggregate"))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining(
              "Output directory "
                  + out.root()
                  + " is in use by another "
                  + "subnetlab process (pid "
                  + ProcessHandle.current().pid())
          .hasMessageContaining("choose another --out");
    }
    try (OutputLock again = OutputLock.acquire(out, "subnetlab aggregate")) {
      assertThat(Files.readString(out.root().resolve(OutputLock.FILE)))
          .contains("`subnetlab aggregate`");
    }
  }

  @Test
  void anUnlockableDirectoryIsAClearError() throws Exception {
    Path ro = Files.createDirectories(dir.resolve("ro"));
    OutputLayout out = new OutputLayout(ro);
    Files.createDirectory(ro.resolve(OutputLock.FILE)); // a directory where the lock file goes
    assertThatThrownBy(() -> OutputLock.acquire(out, "subnetlab run"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Cannot lock output directory " + ro);
  }
}
