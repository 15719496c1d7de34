package org.subnetlab.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * The hyperparameter values of one run of a method, read by type: {@code real("alpha")}, {@code
 * integer("steps")}, {@code flag("mask-biases")}. A key the map lacks has its declared default; a
 * key the method does not declare, or a read of the wrong type, is an error.
 */
public final class Hyperparameters {
  private final MethodDeclaration method;
  private final Map<String, Double> values;

  Hyperparameters(MethodDeclaration method, Map<String, Double> values) {
    this.method = method;
    for (String k : values.keySet()) {
      method.param(k); // names the method and its keys when k is not one of them
    }
    this.values = new TreeMap<>(values);
  }

  public MethodDeclaration method() {
    return method;
  }

  public double real(String name) {
    return value(name, HyperParameter.Kind.REAL);
  }

  public int integer(String name) {
    return (int) value(name, HyperParameter.Kind.INTEGER);
  }

  public boolean flag(String name) {
    double v = value(name, HyperParameter.Kind.BOOLEAN);
    if (v != 0 && v != 1) {
      throw new IllegalArgumentException(method.id() + "." + name + " is " + v + ", not 0 or 1");
    }
    return v == 1;
  }

  private double value(String name, HyperParameter.Kind kind) {
    HyperParameter p = method.param(name);
    if (p.kind() != kind) {
      throw new IllegalArgumentException(
          method.id() + "." + name + " is " + p.kind() + ", not " + kind);
    }
    Double v = values.get(name);
    return v == null ? p.defaultValue() : v;
  }

  @Override
  public String toString() {
    return method.id() + values;
  }
}
