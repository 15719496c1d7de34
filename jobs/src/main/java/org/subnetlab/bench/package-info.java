/**
 * {@code subnetlab bench}: throughput figures of the mask methods (on MLPs and on a GPT-2-style
 * transformer), the demo sweep and overlaps, and the PyTorch peers run beside them ({@link
 * org.subnetlab.bench.Bench}). The command line registers it; it needs no part of the command line.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.nativeblas}, {@code org.subnetlab.model}, {@code org.subnetlab.mask}, {@code
 * org.subnetlab.sweep}, {@code org.subnetlab.metrics}, {@code org.subnetlab.cluster}, {@code
 * org.subnetlab.transformer}, {@code org.subnetlab.jobs}, {@code org.subnetlab.jobs.output}, {@code
 * org.subnetlab.jobs.spark}.
 */
package org.subnetlab.bench;
