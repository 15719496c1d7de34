/**
 * The mask sweep without Spark: the configured grid expanded into runs ({@link
 * org.subnetlab.sweep.RunSpec}, whose run id is the key of every mask file), which runs form a grid
 * point, and the training of one run on a frozen base model ({@link
 * org.subnetlab.sweep.MaskRunner}).
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.model}, {@code org.subnetlab.mask}. Nothing from Spark or Scala.
 */
package org.subnetlab.sweep;
