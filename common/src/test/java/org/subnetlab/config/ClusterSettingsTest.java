package org.subnetlab.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSettingsTest {
  @TempDir Path dir;

  private Path conf(String body) throws IOException {
    Path f = dir.resolve("c.conf");
    Files.writeString(f, body);
    return f;
  }

  @Test
  void defaultsAreTheWeightGraphAndWatanabesCorrelationFeatures() throws IOException {
    ClusterSettings c = ConfigLoader.load(conf(""), List.of()).cluster();
    assertThat(c.graph()).isEqualTo("weights");
    assertThat(c.hierarchicalFeature()).isEqualTo("correlations");
    assertThat(c.featureExamples()).isEqualTo(10000);
  }

  @Test
  void acceptsTheCoactivationGraphAndTheAblationFeature() throws IOException {
    ClusterSettings c =
        ConfigLoader.load(
                conf(
                    "cluster.graph = activations\n"
                        + "cluster.hierarchical-feature = output-ablation-effects\ncluster.feature-examples = 0"),
                List.of())
            .cluster();
    assertThat(c.graph()).isEqualTo("activations");
    assertThat(c.hierarchicalFeature()).isEqualTo("output-ablation-effects");
    assertThat(c.featureExamples()).isZero();
  }

  @Test
  void rejectsAnUnknownGraphNamingKeyValueAndRule() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(conf("cluster.graph = gradients"), List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set cluster.graph to \"gradients\": must be one of [weights,"
                + " activations].");
  }

  @Test
  void rejectsAnUnknownFeatureAndNegativeExampleCounts() throws IOException {
    assertThatThrownBy(
            () -> ConfigLoader.load(conf("cluster.hierarchical-feature = weights"), List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set cluster.hierarchical-feature to \"weights\": must be one of"
                + " [correlations, output-ablation-effects].");
    assertThatThrownBy(() -> ConfigLoader.load(conf("cluster.feature-examples = -1"), List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set cluster.feature-examples to -1: must be an integer in"
                + " [0, 100000000].");
  }
}
