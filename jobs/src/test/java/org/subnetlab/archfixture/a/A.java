package org.subnetlab.archfixture.a;

import org.subnetlab.archfixture.b.B;

/** ArchitectureTest's synthetic cycle: A uses B, B uses A. */
public final class A {
  public static int viaB() {
    return B.one();
  }

  public static int two() {
    return 2;
  }
}
