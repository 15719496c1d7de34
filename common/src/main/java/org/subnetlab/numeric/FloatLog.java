package org.subnetlab.numeric;

/**
 * The natural logarithm over a float array, for positive normal floats, within two ulp of the
 * correctly rounded float (FloatLogTest), in two loops C2 vectorises: {@code Math.log} is a scalar
 * call, and two of them per parameter (log u − log(1 − u), the logistic noise of every gate) were
 * most of a hard-concrete step's mask arithmetic on the transformer bench shape.
 *
 * <p>Cephes' {@code logf}: x = 2^k·m with m in [√½, √2) (found in integer arithmetic: subtracting
 * the bits of √½ from x's bits leaves k in the exponent field), f = m − 1, log(1 + f) = f − f²/2 +
 * f³·P(f) with Cephes' degree-8 polynomial, and k·ln 2 added in two parts. Zero, negative,
 * subnormal, infinite and NaN inputs are not handled (the callers pass uniforms in (0, 1)).
 */
public final class FloatLog {
  private static final int SQRT_HALF_BITS = 0x3f3504f3;
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;

  private FloatLog() {}

  /** out[i] = ln x[i] for i < n; {@code exponents} is scratch of at least n floats. */
  public static void log(float[] x, float[] out, float[] exponents, int n) {
    for (int i = 0; i < n; i++) {
      int ix = Float.floatToRawIntBits(x[i]);
      int k = (ix - SQRT_HALF_BITS) >> 23;
      out[i] = Float.intBitsToFloat(ix - (k << 23));
      exponents[i] = k;
    }
    for (int i = 0; i < n; i++) {
      float f = out[i] - 1f;
      float k = exponents[i];
      float z = f * f;
      float p = 7.0376836292E-2f;
      p = p * f - 1.1514610310E-1f;
      p = p * f + 1.1676998740E-1f;
      p = p * f - 1.2420140846E-1f;
      p = p * f + 1.4249322787E-1f;
      p = p * f - 1.6668057665E-1f;
      p = p * f + 2.0000714765E-1f;
      p = p * f - 2.4999993993E-1f;
      p = p * f + 3.3333331174E-1f;
      float y = f * z * p + k * LN2_LO - 0.5f * z;
      out[i] = f + y + k * LN2_HI;
    }
  }
}
