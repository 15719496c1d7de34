package org.subnetlab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.subnetlab.PlantedNetwork;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.task.Dataset;

class ClusteringTest {
  /** The path 0 —1— 1 —2— 2 —1— 3 (edge weights in the dashes). */
  private static final double[][] PATH = {
    {0, 1, 0, 0},
    {1, 0, 2, 0},
    {0, 2, 0, 1},
    {0, 0, 1, 0},
  };

  @Test
  void laplacianAndNCutByHand() {
    double[][] l = Spectral.normalisedLaplacian(PATH);
    // Degrees 1, 3, 3, 1: L = I − D^{-1/2} A D^{-1/2}.
    assertThat(l[0][0]).isEqualTo(1.0);
    assertThat(l[0][1]).isCloseTo(-1 / Math.sqrt(3), within(1e-12));
    assertThat(l[1][2]).isCloseTo(-2.0 / 3, within(1e-12));
    assertThat(l[0][2]).isEqualTo(0.0);
    // {0,1 | 2,3}: cut 2 each side, volumes 4 and 4 → 0.5 + 0.5.
    assertThat(Spectral.nCut(PATH, new int[] {0, 0, 1, 1})).isCloseTo(1.0, within(1e-12));
    // {0 | 1,2,3}: cut 1, volumes 1 and 7 → 1 + 1/7.
    assertThat(Spectral.nCut(PATH, new int[] {0, 1, 1, 1})).isCloseTo(8.0 / 7, within(1e-12));
    assertThat(Spectral.cluster(PATH, 2, 5, 0)).containsExactly(0, 0, 1, 1);
  }

  @Test
  void wardTreeByHand() {
    double[][] x = {{0}, {1}, {5}, {6}};
    List<Hierarchical.Merge> m = Hierarchical.ward(x);
    assertThat(m).containsExactly(
        new Hierarchical.Merge(0, 0, 1, 1.0, 2),
        new Hierarchical.Merge(1, 2, 3, 1.0, 2),
        new Hierarchical.Merge(2, 4, 5, Math.sqrt(50), 4));
    assertThat(Hierarchical.cut(m, 4, 2)).containsExactly(0, 0, 1, 1);
    assertThat(Hierarchical.cut(m, 4, 3)).containsExactly(0, 0, 1, 2);
  }

  @Test
  void adjustedRandIndexByHand() {
    assertThat(Partitions.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0}))
        .isEqualTo(1.0);
    // All four cells hold one item: index 0, expected 2·2/6, max 2 → (0 − 2/3)/(2 − 2/3) = −0.5.
    assertThat(Partitions.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}))
        .isCloseTo(-0.5, within(1e-12));
  }

  @Test
  void recoversPlantedBlocksBeatsShuffledNetworksAndSpecialises() {
    PlantedNetwork planted = new PlantedNetwork(11);
    WeightGraph graph = WeightGraph.of(planted.layout, planted.theta);
    assertThat(graph.size()).isEqualTo(2 * 6 + 2 * 8 + 4);
    int[] labels = Spectral.cluster(graph.adjacency(), 2, 10, 0);
    assertThat(Partitions.adjustedRandIndex(labels, PlantedNetwork.nodeBlocks()))
        .isGreaterThanOrEqualTo(0.9);
    double real = Spectral.nCut(graph.adjacency(), labels);
    for (int s = 0; s < 20; s++) {
      float[] shuffled = Shuffles.withinLayers(planted.layout, planted.theta,
          new SplittableRandom(s));
      WeightGraph g = WeightGraph.of(planted.layout, shuffled);
      double n = Spectral.nCut(g.adjacency(), Spectral.cluster(g.adjacency(), 2, 10, 0));
      assertThat(real).as("real n-cut below shuffle %d", s).isLessThan(n);
    }

    UnitAnalysis units = new UnitAnalysis(planted.layout, graph, planted.theta,
        new Dl4jObjective(planted.net));
    int clusterOfA = labels[graph.node(1, 0)]; // hidden unit 0 belongs to block A
    float[] ablated = units.ablate(units.hiddenOf(labels, clusterOfA));
    Dl4jObjective net = new Dl4jObjective(planted.net);
    Dataset a = planted.eval.subtask("A");
    Dataset b = planted.eval.subtask("B");
    double dropA = net.evaluate(planted.theta, a).accuracy() - net.evaluate(ablated, a).accuracy();
    double dropB = net.evaluate(planted.theta, b).accuracy() - net.evaluate(ablated, b).accuracy();
    assertThat(dropA).isGreaterThan(0.4);
    assertThat(dropB).isLessThan(0.05);
  }

  @Test
  void shufflingKeepsEachLayersWeightsAndTheirDistribution() {
    PlantedNetwork planted = new PlantedNetwork(3);
    float[] s = Shuffles.withinLayers(planted.layout, planted.theta, new SplittableRandom(1));
    for (int l = 0; l < planted.layout.layers(); l++) {
      int off = planted.layout.offset(l);
      float[] a = java.util.Arrays.copyOfRange(planted.theta, off, off + planted.layout.size(l));
      float[] b = java.util.Arrays.copyOfRange(s, off, off + planted.layout.size(l));
      java.util.Arrays.sort(a);
      java.util.Arrays.sort(b);
      assertThat(b).isEqualTo(a);
    }
    assertThat(s).isNotEqualTo(planted.theta);
  }
}
