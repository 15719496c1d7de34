/**
 * What the result tables compute from masks, without Spark: overlap counts, functional ablation,
 * composition of subnetworks, the selection of one mask per group, bootstrap and Student-t
 * intervals, and the {@code summary} table.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.model}, {@code org.subnetlab.mask}, {@code org.subnetlab.sweep}. Nothing from Spark
 * or Scala.
 */
package org.subnetlab.metrics;
