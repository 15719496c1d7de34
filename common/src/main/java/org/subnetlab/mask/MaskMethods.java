package org.subnetlab.mask;

import java.util.List;
import java.util.Map;

/** Creates mask methods by id from their hyperparameters. */
public final class MaskMethods {
  /** Every method id, in the order of reference.conf. */
  public static final List<String> IDS =
      List.of(CsordasMethod.ID, ContinuousSparsification.ID, LtSftMethod.ID, MagnitudeMethod.ID,
          LotteryTicketMethod.ID);

  private MaskMethods() {}

  public static MaskMethod create(String id, Map<String, Double> hyperparameters) {
    return switch (id) {
      case CsordasMethod.ID -> new CsordasMethod(hyperparameters);
      case ContinuousSparsification.ID -> new ContinuousSparsification(hyperparameters);
      case LtSftMethod.ID -> new LtSftMethod(hyperparameters);
      case MagnitudeMethod.ID -> new MagnitudeMethod(hyperparameters);
      case LotteryTicketMethod.ID -> new LotteryTicketMethod(hyperparameters);
      default -> throw new IllegalArgumentException("Unknown mask method " + id + "; known: " + IDS);
    };
  }
}
