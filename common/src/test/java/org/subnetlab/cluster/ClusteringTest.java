package org.subnetlab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.subnetlab.PlantedNetwork;
import org.subnetlab.metrics.Ablation;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;

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
    assertThat(m)
        .containsExactly(
            new Hierarchical.Merge(0, 0, 1, 1.0, 2),
            new Hierarchical.Merge(1, 2, 3, 1.0, 2),
            new Hierarchical.Merge(2, 4, 5, Math.sqrt(50), 4));
    assertThat(Hierarchical.cut(m, 4, 2)).containsExactly(0, 0, 1, 1);
    assertThat(Hierarchical.cut(m, 4, 3)).containsExactly(0, 0, 1, 2);
  }

  /** Ward's tree the slow way: every pair's distance recomputed from the centroids each step. */
  private static List<Hierarchical.Merge> wardFromCentroids(double[][] x) {
    int n = x.length;
    double[][] centre = new double[2 * n][];
    int[] size = new int[2 * n];
    boolean[] active = new boolean[2 * n];
    for (int i = 0; i < n; i++) {
      centre[i] = x[i].clone();
      size[i] = 1;
      active[i] = true;
    }
    List<Hierarchical.Merge> merges = new ArrayList<>();
    for (int step = 0; step < n - 1; step++) {
      int ba = -1;
      int bb = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int a = 0; a < n + step; a++) {
        for (int b = a + 1; b < n + step; b++) {
          if (active[a] && active[b]) {
            double sq = 0;
            for (int j = 0; j < centre[a].length; j++) {
              sq += (centre[a][j] - centre[b][j]) * (centre[a][j] - centre[b][j]);
            }
            double d = Math.sqrt(2.0 * size[a] * size[b] / (size[a] + size[b]) * sq);
            if (d < best) {
              best = d;
              ba = a;
              bb = b;
            }
          }
        }
      }
      int c = n + step;
      size[c] = size[ba] + size[bb];
      centre[c] = new double[centre[ba].length];
      for (int j = 0; j < centre[c].length; j++) {
        centre[c][j] = (centre[ba][j] * size[ba] + centre[bb][j] * size[bb]) / size[c];
      }
      active[ba] = false;
      active[bb] = false;
      active[c] = true;
      merges.add(new Hierarchical.Merge(step, ba, bb, best, size[c]));
    }
    return merges;
  }

  @Test
  void wardWithLanceWilliamsUpdatesEqualsWardFromCentroids() {
    SplittableRandom rng = new SplittableRandom(7);
    double[][] x = new double[40][5];
    for (double[] row : x) {
      for (int j = 0; j < row.length; j++) {
        row[j] = rng.nextGaussian() + (rng.nextInt(3) * 2.0);
      }
    }
    List<Hierarchical.Merge> fast = Hierarchical.ward(x);
    List<Hierarchical.Merge> slow = wardFromCentroids(x);
    assertThat(fast).hasSize(39);
    for (int i = 0; i < 39; i++) {
      assertThat(fast.get(i).a()).as("merge %d", i).isEqualTo(slow.get(i).a());
      assertThat(fast.get(i).b()).as("merge %d", i).isEqualTo(slow.get(i).b());
      assertThat(fast.get(i).size()).isEqualTo(slow.get(i).size());
      assertThat(fast.get(i).distance()).isCloseTo(slow.get(i).distance(), within(1e-9));
    }
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
      float[] shuffled =
          Shuffles.withinLayers(planted.layout, planted.theta, new SplittableRandom(s));
      WeightGraph g = WeightGraph.of(planted.layout, shuffled);
      double n = Spectral.nCut(g.adjacency(), Spectral.cluster(g.adjacency(), 2, 10, 0));
      assertThat(real).as("real n-cut below shuffle %d", s).isLessThan(n);
    }

    UnitAnalysis units =
        new UnitAnalysis(planted.layout, graph, planted.theta, new Dl4jObjective(planted.net));
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

  // ---- by-hand forward pass of the planted MLP (2D inputs, 2H ReLU units, 4 softmax outputs) ----

  /** Hidden outputs [example][unit] by hand, with the hidden units in {@code dead} silenced. */
  private static double[][] hiddenByHand(PlantedNetwork p, Dataset d, boolean[] dead) {
    int nIn = 2 * PlantedNetwork.D;
    int h = 2 * PlantedNetwork.H;
    int w0 = p.layout.offset(0);
    int b0 = p.layout.offset(1);
    float[] x = new float[nIn];
    double[][] out = new double[d.size()][h];
    for (int e = 0; e < d.size(); e++) {
      d.copyFeatures(e, x, 0);
      for (int j = 0; j < h; j++) {
        double z = p.theta[b0 + j];
        for (int i = 0; i < nIn; i++) {
          z += x[i] * p.theta[w0 + i + nIn * j];
        }
        out[e][j] = dead != null && dead[j] ? 0 : Math.max(0, z);
      }
    }
    return out;
  }

  private static double[][] softmaxByHand(PlantedNetwork p, double[][] hidden) {
    int h = 2 * PlantedNetwork.H;
    int w1 = p.layout.offset(2);
    int b1 = p.layout.offset(3);
    double[][] out = new double[hidden.length][4];
    for (int e = 0; e < hidden.length; e++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < 4; k++) {
        double z = p.theta[b1 + k];
        for (int j = 0; j < h; j++) {
          z += hidden[e][j] * p.theta[w1 + j + h * k];
        }
        out[e][k] = z;
        max = Math.max(max, z);
      }
      double sum = 0;
      for (int k = 0; k < 4; k++) {
        out[e][k] = Math.exp(out[e][k] - max);
        sum += out[e][k];
      }
      for (int k = 0; k < 4; k++) {
        out[e][k] /= sum;
      }
    }
    return out;
  }

  private static double accuracyByHand(PlantedNetwork p, Dataset d, boolean[] dead) {
    double[][] probs = softmaxByHand(p, hiddenByHand(p, d, dead));
    int right = 0;
    for (int e = 0; e < d.size(); e++) {
      int best = 0;
      for (int k = 1; k < 4; k++) {
        best = probs[e][k] > probs[e][best] ? k : best;
      }
      right += best == d.label(e) ? 1 : 0;
    }
    return (double) right / d.size();
  }

  /** Textbook two-pass Pearson correlation; 0 when either variable is constant. */
  private static double pearson(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i] / a.length;
      mb += b[i] / b.length;
    }
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa < 1e-12 || sbb < 1e-12 ? 0 : sab / Math.sqrt(saa * sbb);
  }

  @Test
  void correlationFeaturesAreWatanabesInputAndOutputCorrelations() {
    PlantedNetwork planted = new PlantedNetwork(5);
    WeightGraph graph = WeightGraph.of(planted.layout, planted.theta);
    UnitAnalysis units =
        new UnitAnalysis(planted.layout, graph, planted.theta, new Dl4jObjective(planted.net));
    Dataset d = planted.train;
    double[][] f = units.correlationFeatures(d);
    int nIn = 2 * PlantedNetwork.D;
    int h = 2 * PlantedNetwork.H;
    assertThat(f).hasDimensions(h, nIn + 4);
    double[][] hidden = hiddenByHand(planted, d, null);
    double[][] probs = softmaxByHand(planted, hidden);
    float[] x = new float[nIn];
    double[][] inputs = new double[nIn][d.size()];
    for (int e = 0; e < d.size(); e++) {
      d.copyFeatures(e, x, 0);
      for (int i = 0; i < nIn; i++) {
        inputs[i][e] = x[i];
      }
    }
    for (int j = 0; j < h; j++) {
      double[] o = new double[d.size()];
      for (int e = 0; e < d.size(); e++) {
        o[e] = hidden[e][j];
      }
      for (int i = 0; i < nIn; i++) {
        assertThat(f[j][i])
            .as("unit %d, input %d", j, i)
            .isCloseTo(pearson(o, inputs[i]), within(1e-4));
      }
      for (int k = 0; k < 4; k++) {
        double[] y = new double[d.size()];
        for (int e = 0; e < d.size(); e++) {
          y[e] = probs[e][k];
        }
        assertThat(f[j][nIn + k])
            .as("unit %d, output %d", j, k)
            .isCloseTo(pearson(o, y), within(1e-4));
      }
    }
    // Ward's tree on these features: at 4 modules, no module mixes units of the two planted blocks
    // (units of one block that read +w and −w may be apart: their correlations have opposite sign).
    int[] modules = Hierarchical.cut(Hierarchical.ward(f), h, 4);
    for (int a = 0; a < h; a++) {
      for (int b = 0; b < h; b++) {
        if (modules[a] == modules[b]) {
          assertThat(a / PlantedNetwork.H)
              .as("units %d and %d", a, b)
              .isEqualTo(b / PlantedNetwork.H);
        }
      }
    }
  }

  @Test
  void subClusterLesionsMatchAccuraciesAndControlStatisticsRecomputedByHand() {
    PlantedNetwork planted = new PlantedNetwork(11);
    WeightGraph graph = WeightGraph.of(planted.layout, planted.theta);
    UnitAnalysis units =
        new UnitAnalysis(planted.layout, graph, planted.theta, new Dl4jObjective(planted.net));
    Task task = plantedTask(planted);
    int controls = 9;
    List<UnitAnalysis.SubClusterLesion> rows =
        units.subClusterLesions(
            PlantedNetwork.nodeBlocks(), task, controls, new SplittableRandom(42));
    // one hidden layer, two clusters, two eval subtasks
    assertThat(rows).hasSize(4);
    // The same random draws, replayed: sub-cluster 0 (block A) first, then sub-cluster 1.
    SplittableRandom replay = new SplittableRandom(42);
    String[] names = {"A", "B"};
    double[] full = {
      accuracyByHand(planted, planted.eval.subtask("A"), null),
      accuracyByHand(planted, planted.eval.subtask("B"), null)
    };
    for (int c = 0; c < 2; c++) {
      boolean[] dead = new boolean[2 * PlantedNetwork.H];
      for (int j = 0; j < PlantedNetwork.H; j++) {
        dead[c * PlantedNetwork.H + j] = true;
      }
      double[] acc = new double[2];
      for (int s = 0; s < 2; s++) {
        acc[s] = accuracyByHand(planted, planted.eval.subtask(names[s]), dead);
      }
      double[][] random = new double[controls][2];
      for (int r = 0; r < controls; r++) {
        boolean[] rd = new boolean[2 * PlantedNetwork.H];
        for (int node : units.randomInLayer(1, PlantedNetwork.H, replay)) {
          rd[graph.unitOf(node)] = true;
        }
        for (int s = 0; s < 2; s++) {
          random[r][s] = accuracyByHand(planted, planted.eval.subtask(names[s]), rd);
        }
      }
      double mean = (acc[0] + acc[1]) / 2;
      double range = rangeByHand(acc, full);
      int lower = 0;
      int larger = 0;
      for (double[] ra : random) {
        lower += (ra[0] + ra[1]) / 2 < mean ? 1 : 0;
        larger += rangeByHand(ra, full) > range ? 1 : 0;
      }
      for (int s = 0; s < 2; s++) {
        UnitAnalysis.SubClusterLesion row = rows.get(2 * c + s);
        assertThat(row.cluster()).isEqualTo(c);
        assertThat(row.layer()).isEqualTo(1);
        assertThat(row.units()).isEqualTo(PlantedNetwork.H);
        assertThat(row.layerUnits()).isEqualTo(2 * PlantedNetwork.H);
        assertThat(row.evalSubtask()).isEqualTo(names[s]);
        assertThat(row.fullAccuracy()).isCloseTo(full[s], within(2.0 / 1024));
        assertThat(row.accuracy()).isCloseTo(acc[s], within(2.0 / 1024));
        double[] ctl = new double[controls];
        double m = 0;
        for (int r = 0; r < controls; r++) {
          ctl[r] = random[r][s];
          m += ctl[r] / controls;
        }
        double ss = 0;
        int atOrBelow = 0;
        for (double v : ctl) {
          ss += (v - m) * (v - m);
          atOrBelow += v <= row.accuracy() ? 1 : 0;
        }
        Ablation.ControlStats cs = row.controls();
        assertThat(cs.n()).isEqualTo(controls);
        assertThat(cs.mean()).isCloseTo(m, within(2.0 / 1024));
        assertThat(cs.std()).isCloseTo(Math.sqrt(ss / (controls - 1)), within(2.0 / 1024));
        assertThat(cs.percentile()).isEqualTo(100.0 * atOrBelow / controls);
        assertThat(row.meanAccuracy()).isCloseTo(mean, within(2.0 / 1024));
        assertThat(row.meanPValue()).isEqualTo((1.0 + lower) / (controls + 1));
        assertThat(row.normalisedRange()).isCloseTo(range, within(0.05));
        assertThat(row.rangePValue()).isEqualTo((1.0 + larger) / (controls + 1));
      }
      // The planted truth: a block's lesion hurts its own subtask, not the other one, and hurts
      // its own subtask more than every within-layer random set of its size does.
      assertThat(full[c] - acc[c]).isGreaterThan(0.3);
      assertThat(Math.abs(full[1 - c] - acc[1 - c])).isLessThan(0.02);
      assertThat(rows.get(2 * c + c).controls().percentile()).isEqualTo(0.0);
    }
  }

  private static double rangeByHand(double[] acc, double[] full) {
    double c0 = acc[0] - full[0];
    double c1 = acc[1] - full[1];
    double m = (c0 + c1) / 2;
    return m == 0 ? Double.NaN : Math.abs(c0 / m - c1 / m);
  }

  /** The planted network's data as a task with eval subtasks A and B. */
  private static Task plantedTask(PlantedNetwork p) {
    return new Task() {
      @Override
      public String name() {
        return "planted";
      }

      @Override
      public List<String> subtasks() {
        return List.of("A", "B");
      }

      @Override
      public int inputSize() {
        return 2 * PlantedNetwork.D;
      }

      @Override
      public int numClasses() {
        return 4;
      }

      @Override
      public Dataset trainSplit() {
        return p.train;
      }

      @Override
      public Dataset evalSplit() {
        return p.eval;
      }
    };
  }

  @Test
  void coactivationGraphIsSquaredSpearmanWithAverageRanksForTies() {
    double[][] acts = {
      {1, 2, 3, 4},
      {4, 3, 2, 1},
      {1, 1, 2, 2},
      {5, 5, 5, 5},
    };
    double[][] a = CoactivationGraph.of(acts);
    assertThat(a[0][1]).isCloseTo(1.0, within(1e-12)); // r = −1
    // ranks (1.5, 1.5, 3.5, 3.5) against (1, 2, 3, 4): r = 4 / (2·√5), r² = 0.8
    assertThat(a[0][2]).isCloseTo(0.8, within(1e-12));
    assertThat(a[2][0]).isEqualTo(a[0][2]);
    assertThat(a[0][3]).isEqualTo(0.0); // constant unit: undefined correlation → no edge
    assertThat(a[1][1]).isEqualTo(0.0);
    double[][] s = CoactivationGraph.shuffledEdges(a, new SplittableRandom(3));
    List<Double> before = new ArrayList<>();
    List<Double> after = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      assertThat(s[i][i]).isEqualTo(0.0);
      for (int j = i + 1; j < 4; j++) {
        assertThat(s[j][i]).isEqualTo(s[i][j]);
        before.add(a[i][j]);
        after.add(s[i][j]);
      }
    }
    assertThat(after).containsExactlyInAnyOrderElementsOf(before);
  }
}
