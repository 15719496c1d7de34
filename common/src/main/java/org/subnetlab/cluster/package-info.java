/**
 * Clusters of units of a trained MLP, without Spark: its weight and coactivation graphs, spectral
 * and hierarchical clustering, LAPACK eigenpairs, clusterability against shuffled networks,
 * partition comparison and unit-level analyses (ablation, specialisation).
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.model}, {@code org.subnetlab.mask}, {@code org.subnetlab.sweep}, {@code
 * org.subnetlab.metrics}. Nothing from Spark or Scala.
 */
package org.subnetlab.cluster;
