package org.subnetlab.model;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/**
 * The hidden-layer activations that the fast paths ({@link BlasMlpPass}, {@link NativeCnnPass})
 * compute themselves: DL4J's relu without threshold, negative slope or cap, tanh, sigmoid and
 * identity. Anything else leaves the network to DL4J's own layers.
 */
enum PlainActivation {
  RELU,
  TANH,
  SIGMOID,
  IDENTITY;

  /** The plain activation {@code a} is, or null. */
  static PlainActivation of(IActivation a) {
    if (a instanceof ActivationReLU r) {
      return r.getMax() == null && zero(r.getThreshold()) && zero(r.getNegativeSlope())
          ? RELU
          : null;
    }
    if (a instanceof ActivationTanH) {
      return TANH;
    }
    if (a instanceof ActivationSigmoid) {
      return SIGMOID;
    }
    if (a instanceof ActivationIdentity) {
      return IDENTITY;
    }
    return null;
  }

  private static boolean zero(Double d) {
    return d == null || d == 0.0;
  }
}
