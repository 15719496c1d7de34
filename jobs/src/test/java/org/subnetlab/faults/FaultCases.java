package org.subnetlab.faults;

import java.util.List;

/** A group of fault-injection cases; {@link FaultSuiteTest} lists the groups it runs. */
public interface FaultCases {
  List<FaultCase> cases();
}
