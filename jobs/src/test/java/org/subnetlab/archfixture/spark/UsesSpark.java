package org.subnetlab.archfixture.spark;

import org.apache.spark.sql.SparkSession;

/** ArchitectureTest's synthetic Spark import, to show the rule for common sees one. */
public final class UsesSpark {
  public static String version(SparkSession spark) {
    return spark.version();
  }
}
