package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.List;

/** Settings of {@code subnetlab cluster}. */
public record ClusterSettings(
    int k,
    int shuffles,
    int kmeansRestarts,
    String backend,
    int picIterations,
    int modules,
    int randomControls,
    String graph,
    String hierarchicalFeature,
    int featureExamples,
    String procedure)
    implements java.io.Serializable {

  public static final List<String> BACKENDS = List.of("exact", "spark-pic");

  /** What the spectral partition clusters: the weight graph or the coactivation graph. */
  public static final List<String> GRAPHS = List.of("weights", "activations");

  /** The feature vector of hidden units for the hierarchical (Ward) tree. */
  public static final List<String> HIERARCHICAL_FEATURES =
      List.of("correlations", "output-ablation-effects");

  /**
   * How the spectral partition and its n-cut statistics are computed: subnetlab's own, or Filan et
   * al.'s (2021) reference code (org.subnetlab.cluster.Clusterability).
   */
  public static final List<String> PROCEDURES = List.of("subnetlab", "filan");

  ClusterSettings(Config c) {
    this(
        Keys.intIn(c, "cluster.k", 2, 1000),
        Keys.intIn(c, "cluster.shuffles", 1, 100_000),
        Keys.intIn(c, "cluster.kmeans-restarts", 1, 1000),
        Keys.oneOf(c, "cluster.backend", BACKENDS),
        Keys.intIn(c, "cluster.pic-iterations", 1, 10_000),
        Keys.intIn(c, "cluster.modules", 1, 10_000),
        Keys.intIn(c, "cluster.random-controls", 0, 10_000),
        Keys.oneOf(c, "cluster.graph", GRAPHS),
        Keys.oneOf(c, "cluster.hierarchical-feature", HIERARCHICAL_FEATURES),
        Keys.intIn(c, "cluster.feature-examples", 0, 100_000_000),
        Keys.oneOf(c, "cluster.procedure", PROCEDURES));
  }
}
