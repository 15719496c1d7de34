/**
 * The output directory and the files in it: its layout ({@link
 * org.subnetlab.jobs.output.OutputLayout}), the one-writer lock, the committed mask files (Parquet,
 * written and checked with java.nio), the result tables written as generations with their manifest
 * and read back checked, their CSV/JSON export, the report files, and the one place a local path
 * becomes a path string for Spark. Uses Spark's reader and writer; knows no stage.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.nativeblas}, {@code org.subnetlab.model}, {@code org.subnetlab.mask}, {@code
 * org.subnetlab.sweep}, {@code org.subnetlab.metrics}, {@code org.subnetlab.cluster}.
 */
package org.subnetlab.jobs.output;
