package org.subnetlab.faults;

import java.util.List;

/** Fault-injection cases: spaces, non-ASCII and odd paths (issue 23 defects 1, 6, 11). */
final class PathFaults implements FaultCases {
  @Override
  public List<FaultCase> cases() {
    return List.of();
  }
}
