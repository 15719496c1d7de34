/**
 * The report of an output directory: {@code report/index.html} (figures and tables from the result
 * tables, {@link org.subnetlab.jobs.report.ReportJob}) and the text summary ({@link
 * org.subnetlab.jobs.report.Summary}). Reads tables through {@code org.subnetlab.jobs.output};
 * knows no stage.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.nativeblas}, {@code org.subnetlab.model}, {@code org.subnetlab.mask}, {@code
 * org.subnetlab.sweep}, {@code org.subnetlab.metrics}, {@code org.subnetlab.cluster}, {@code
 * org.subnetlab.jobs.output}.
 */
package org.subnetlab.jobs.report;
