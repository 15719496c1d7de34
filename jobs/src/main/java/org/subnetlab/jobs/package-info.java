/**
 * The stages, one class each, whose names are the spark-submit contract ({@code TrainModelJob},
 * {@code TrainMasksJob}, {@code AggregateJob}, {@code ClusterJob}, {@code CompositionJob}, {@code
 * PipelineJob}), their shared entry ({@link org.subnetlab.jobs.StageMain}) and the runs of a sweep
 * ({@link org.subnetlab.jobs.SweepPlan}). Wires {@code common} to Spark through the subpackages
 * {@code spark} and {@code output}; {@code report} reports the results.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.nativeblas}, {@code org.subnetlab.model}, {@code org.subnetlab.mask}, {@code
 * org.subnetlab.sweep}, {@code org.subnetlab.metrics}, {@code org.subnetlab.cluster}, {@code
 * org.subnetlab.jobs.output}, {@code org.subnetlab.jobs.spark}, {@code org.subnetlab.jobs.report}.
 */
package org.subnetlab.jobs;
