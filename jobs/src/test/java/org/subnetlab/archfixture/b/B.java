package org.subnetlab.archfixture.b;

import org.subnetlab.archfixture.a.A;

/** ArchitectureTest's synthetic cycle: B uses A, A uses B. */
public final class B {
  public static int one() {
    return A.two() - 1;
  }
}
