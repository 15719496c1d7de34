package org.subnetlab.faults;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23's acceptance: a sweep run with {@code --out "out/with space/ü"} completes and its tables
 * equal those of the same sweep in a plain path (both real {@code subnetlab run} processes).
 */
class SpacedOutputSweepTest {
  @TempDir Path root;

  @Test
  void aSweepInASpacedNonAsciiPathHasThePlainSweepsTables() throws Exception {
    Workspace.fixtureRoot(root);
    FaultSuiteTest.run(PathFaults.spacedSweep(), root.resolve("case"));
  }
}
