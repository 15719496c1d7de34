package org.subnetlab.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23, defect 11: an input file that is not a regular file is said to be what it is, and a bad
 * key given by {@code --set} is blamed on that option, not on the config file.
 */
class InputOriginsTest {
  @TempDir Path dir;

  @Test
  void saysWhatAPathIsWhenItIsNoRegularFile() throws Exception {
    Path file = Files.writeString(dir.resolve("a.conf"), "seed = 1\n");
    Path sub = Files.createDirectories(dir.resolve("d.conf"));
    Path fifo = dir.resolve("p.conf");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path dangling = Files.createSymbolicLink(dir.resolve("l.conf"), dir.resolve("gone"));
    assertThat(RegularFiles.problem(file)).isNull();
    assertThat(RegularFiles.problem(dir.resolve("none"))).isEqualTo("no such file");
    assertThat(RegularFiles.problem(dangling)).startsWith("no such file (a symbolic link");
    assertThat(RegularFiles.problem(sub)).isEqualTo("it is a directory");
    assertThat(RegularFiles.problem(fifo))
        .isEqualTo("it is a FIFO (named pipe), not a regular file");
    assertThat(RegularFiles.problem(Path.of("/dev/null")))
        .isEqualTo("it is a character device, not a regular file");
    // a link to a regular file is one
    assertThat(RegularFiles.problem(Files.createSymbolicLink(dir.resolve("ok.conf"), file)))
        .isNull();
    for (Path p : List.of(sub, fifo)) {
      assertThatThrownBy(() -> ConfigLoader.load(p, List.of()))
          .isInstanceOf(BadInputException.class)
          .hasMessage("Cannot read config file " + p + ": " + RegularFiles.problem(p) + ".");
    }
  }

  @Test
  void blamesAnUnknownSetKeyOnItsOption() throws Exception {
    Path f = Files.writeString(dir.resolve("x.conf"), "seed = 1\nmasks.seeds = [0]\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of("masks.sedes=[1]")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Invalid --set option:\n  unknown key masks.sedes (--set masks.sedes=[1]);"
                + " see reference.conf");
    // the later of two options giving the key is named; an object value names its option too
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    f, List.of("masks.sedes=[1]", "masks={sedes=[2]}", "masks.csordas.foo=1")))
        .hasMessageStartingWith("Invalid --set options:")
        .hasMessageContaining("unknown key masks.sedes (--set masks={sedes=[2]})")
        .hasMessageContaining("unknown key masks.csordas.foo (--set masks.csordas.foo=1)");
    // a bad key of the file keeps the file and line, next to the --set one
    Path g = Files.writeString(dir.resolve("y.conf"), "seed = 1\nmasks.foo = 2\n");
    assertThatThrownBy(() -> ConfigLoader.load(g, List.of("masks.sedes=[1]")))
        .hasMessageStartingWith("Invalid config " + g + ":")
        .hasMessageContaining("unknown key masks.foo (")
        .hasMessageContaining("y.conf: 2)")
        .hasMessageContaining("unknown key masks.sedes (--set masks.sedes=[1])");
    // --set of a key the file also has: the option is named (it is the value in force)
    Path h = Files.writeString(dir.resolve("z.conf"), "masks.bar = 2\n");
    assertThatThrownBy(() -> ConfigLoader.load(h, List.of("masks.bar=3")))
        .hasMessageContaining("unknown key masks.bar (--set masks.bar=3)");
  }
}
