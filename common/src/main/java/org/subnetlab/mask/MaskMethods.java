package org.subnetlab.mask;

import java.util.List;
import java.util.Map;

/** Creates mask methods by id from their hyperparameters. */
public final class MaskMethods {
  /** Every method id, in the order of reference.conf. */
  public static final List<String> IDS = List.of(CsordasMethod.ID, ContinuousSparsification.ID);

  private MaskMethods() {}

  public static MaskMethod create(String id, Map<String, Double> hyperparameters) {
    return switch (id) {
      case CsordasMethod.ID -> new CsordasMethod(hyperparameters);
      case ContinuousSparsification.ID -> new ContinuousSparsification(hyperparameters);
      default -> throw new IllegalArgumentException("Unknown mask method " + id + "; known: " + IDS);
    };
  }
}
