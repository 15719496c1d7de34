/**
 * Whole-array float transcendentals that C2 vectorises ({@link org.subnetlab.numeric.FloatExp},
 * {@link org.subnetlab.numeric.FloatLog}), each checked against {@code Math} to a stated number of
 * ulp: the gates of the mask methods and the transformer's GELU, where a scalar {@code Math.exp} or
 * {@code Math.log} per element was a measured share of a step. A leaf.
 *
 * <p>May import: nothing from {@code org.subnetlab}. Nothing from Spark or Scala.
 */
package org.subnetlab.numeric;
