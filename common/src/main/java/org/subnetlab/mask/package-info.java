/**
 * Binary masks over a network's flattened parameters ({@link org.subnetlab.mask.Mask}, stored as
 * {@link org.subnetlab.mask.PackedBits}) and the mask-identification methods that train them on a
 * frozen model through one loss interface (Csordás, continuous sparsification, lottery tickets,
 * LT-SFT, magnitude), with their optimiser, top-K selection and training record.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.model}, {@code org.subnetlab.numeric}. Nothing from Spark or Scala.
 */
package org.subnetlab.mask;
