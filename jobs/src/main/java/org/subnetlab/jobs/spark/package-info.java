/**
 * Thin Spark adapters the stages run on: sessions for the CLI and for spark-submit, the task of a
 * config on the driver and on executors (tables the user brings are read through Spark), what an
 * executor caches between its tasks, base-model training on executors, power iteration clustering
 * with MLlib and the sweep's progress listener.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.nativeblas}, {@code org.subnetlab.model}, {@code org.subnetlab.mask}, {@code
 * org.subnetlab.sweep}, {@code org.subnetlab.metrics}, {@code org.subnetlab.cluster}, {@code
 * org.subnetlab.jobs.output}.
 */
package org.subnetlab.jobs.spark;
