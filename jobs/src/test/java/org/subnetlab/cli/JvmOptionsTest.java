package org.subnetlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The add-opens list exists once: the generated file, the test JVM's options and the launcher. */
class JvmOptionsTest {
  @Test
  void theGeneratedListIsWhatThisTestJvmRunsWith() {
    List<String> opens = JvmOptions.addOpens();
    assertThat(opens)
        .isNotEmpty()
        .allMatch(o -> o.matches("--add-opens=java\\.base/[\\w.]+=ALL-UNNAMED"));
    assertThat(opens)
        .contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
        .doesNotHaveDuplicates();
    // surefire started this JVM with the pom's argLine property, which holds the same list
    List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
    assertThat(jvm).containsAll(opens);
    assertThat(jvm.stream().filter(a -> a.startsWith("--add-opens")).toList())
        .containsExactlyInAnyOrderElementsOf(opens);
  }

  @Test
  void theLauncherReadsTheGeneratedFileAndHoldsNoCopy() throws Exception {
    Path launcher = Path.of("..", "bin", "subnetlab");
    String script = Files.readString(launcher);
    assertThat(script).doesNotContain("--add-opens=").contains("cli/" + JvmOptions.RESOURCE);
    assertThat(Path.of("target", "classes", "org", "subnetlab", "cli", JvmOptions.RESOURCE))
        .exists();
  }
}
