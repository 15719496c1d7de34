package org.subnetlab.jobs.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.clustering.PowerIterationClustering;
import org.apache.spark.mllib.clustering.PowerIterationClusteringModel;
import org.apache.spark.sql.SparkSession;
import scala.Tuple3;

/**
 * Distributed clustering of large weight graphs with Spark MLlib's power iteration clustering (Lin
 * & Cohen 2010): the affinity matrix is row-normalised and k-means runs on one pseudo-eigenvector
 * found by power iteration. Much cheaper than a dense eigen-decomposition, and coarser: one vector
 * carries less of the partition than k eigenvectors. Units without edges go to cluster 0.
 */
public final class PicClustering {
  private PicClustering() {}

  public static int[] cluster(SparkSession spark, double[][] a, int k, int iterations, long seed) {
    List<Tuple3<Long, Long, Double>> edges = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      for (int j = i + 1; j < a.length; j++) {
        if (a[i][j] > 0) {
          edges.add(new Tuple3<>((long) i, (long) j, a[i][j]));
        }
      }
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    PowerIterationClusteringModel model =
        new PowerIterationClustering()
            .setK(k)
            .setMaxIterations(iterations)
            .setInitializationMode("degree")
            .run(jsc.parallelize(edges));
    int[] labels = new int[a.length];
    for (PowerIterationClustering.Assignment as : model.assignments().toJavaRDD().collect()) {
      labels[(int) as.id()] = as.cluster();
    }
    return org.subnetlab.cluster.Spectral.canonical(labels);
  }
}
