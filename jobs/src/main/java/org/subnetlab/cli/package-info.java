/**
 * {@code bin/subnetlab}: the command line ({@link org.subnetlab.cli.Main}, every stage on an
 * embedded Spark), its signal handling; it registers {@code subnetlab bench} from {@code
 * org.subnetlab.bench}. The top: it may import every package.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.nativeblas}, {@code org.subnetlab.model}, {@code org.subnetlab.mask}, {@code
 * org.subnetlab.sweep}, {@code org.subnetlab.metrics}, {@code org.subnetlab.cluster}, {@code
 * org.subnetlab.jobs}, {@code org.subnetlab.jobs.output}, {@code org.subnetlab.jobs.spark}, {@code
 * org.subnetlab.jobs.report}, {@code org.subnetlab.bench}.
 */
package org.subnetlab.cli;
