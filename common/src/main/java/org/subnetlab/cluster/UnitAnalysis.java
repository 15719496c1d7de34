package org.subnetlab.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.subnetlab.mask.Mask;
import org.subnetlab.metrics.Ablation;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.model.PrefixEvaluator;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;

/**
 * Unit-level analyses of clusters on a DL4J MLP: ablating hidden units (their outgoing weights set
 * to zero, so they no longer reach the next layer), feature vectors of hidden units (Watanabe's
 * input/output correlations, or subnetlab's output-ablation effects), lesions of whole clusters and
 * of their per-layer sub-clusters (Casper et al. 2022) against random unit sets, and the share of a
 * cluster's incident weights that a mask keeps.
 *
 * <p>Lesions are evaluated with a {@link PrefixEvaluator} (each from the lowest layer it changes
 * on, bit-identical to a whole forward pass) on all available cores: the random unit sets are drawn
 * first, in the serial order, so the results do not depend on the number of threads.
 */
public final class UnitAnalysis {
  private final ParamLayout layout;
  private final WeightGraph graph;
  private final float[] theta;
  private final Dl4jObjective objective;
  private final List<Integer> weightBlocks;

  public UnitAnalysis(
      ParamLayout layout, WeightGraph graph, float[] theta, Dl4jObjective objective) {
    this.layout = layout;
    this.graph = graph;
    this.theta = theta;
    this.objective = objective;
    this.weightBlocks = WeightGraph.weightBlocks(layout);
  }

  /** Whether a node is a hidden unit (neither an input nor an output). */
  public boolean hidden(int node) {
    int l = graph.layerOf(node);
    return l > 0 && l < graph.layers() - 1;
  }

  /** θ with the outgoing weights of the given hidden nodes zeroed (other nodes are ignored). */
  public float[] ablate(int[] nodes) {
    float[] p = theta.clone();
    for (int node : nodes) {
      if (!hidden(node)) {
        continue;
      }
      int l = graph.layerOf(node);
      int block = weightBlocks.get(l);
      int nIn = graph.layerSize(l);
      int unit = graph.unitOf(node);
      for (int out = 0; out < graph.layerSize(l + 1); out++) {
        p[layout.offset(block) + unit + nIn * out] = 0f;
      }
    }
    return p;
  }

  /** Flat indices of the weights into and out of the given nodes (each once). */
  public int[] incidentWeights(int[] nodes) {
    java.util.TreeSet<Integer> idx = new java.util.TreeSet<>();
    for (int node : nodes) {
      int l = graph.layerOf(node);
      int unit = graph.unitOf(node);
      if (l > 0) { // incoming, from layer l-1
        int block = weightBlocks.get(l - 1);
        int nIn = graph.layerSize(l - 1);
        for (int in = 0; in < nIn; in++) {
          idx.add(layout.offset(block) + in + nIn * unit);
        }
      }
      if (l < graph.layers() - 1) { // outgoing, to layer l+1
        int block = weightBlocks.get(l);
        int nIn = graph.layerSize(l);
        for (int out = 0; out < graph.layerSize(l + 1); out++) {
          idx.add(layout.offset(block) + unit + nIn * out);
        }
      }
    }
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The {@code output-ablation-effects} feature of every hidden unit (subnetlab's own, NOT
   * Watanabe's): the mean, over {@code data}, of the change of each output probability when the
   * unit is ablated, p(x) − p_{−u}(x), scaled to unit length (so units group by which outputs they
   * move, not by how much; a unit without effect keeps the zero vector). It carries subtask
   * information only where subtasks differ in their output classes. Rows in the node order of
   * {@link #hiddenNodes()}.
   */
  public double[][] ablationFeatures(Dataset data) {
    int[] nodes = hiddenNodes();
    int c = data.numClasses();
    PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, List.of(data));
    float[] full = ev.outputs(theta, 0);
    double[][] f = new double[nodes.length][];
    parallel(
        nodes.length,
        u -> {
          float[] p = ev.outputs(ablate(new int[] {nodes[u]}), 0);
          double[] row = new double[c];
          for (int i = 0; i < data.size(); i++) {
            for (int k = 0; k < c; k++) {
              row[k] += (full[i * c + k] - p[i * c + k]) / data.size();
            }
          }
          f[u] = row;
        });
    return Spectral.normaliseRows(f);
  }

  /**
   * Watanabe's (2019) feature vector of every hidden unit: the Pearson correlations, over the
   * examples of {@code data}, of the unit's output with each input dimension, followed by its
   * correlations with each output unit's value (the network's output probabilities), concatenated
   * without further scaling: v_j = (r(o_j, x_1), …, r(o_j, x_I), r(o_j, y_1), …, r(o_j, y_O)). A
   * correlation with a constant variable (a dead unit, a constant input) is undefined and set to 0.
   * Rows in the node order of {@link #hiddenNodes()}; I + O columns.
   */
  public double[][] correlationFeatures(Dataset data) {
    List<float[]> outs = objective.layerOutputs(theta, data);
    int n = data.size();
    double[][] inputs = standardisedColumns(data.features(), n, data.inputSize());
    double[][] outputs =
        standardisedColumns(outs.get(outs.size() - 1), n, graph.layerSize(graph.layers() - 1));
    int[] nodes = hiddenNodes();
    double[][] f = new double[nodes.length][inputs.length + outputs.length];
    int row = 0;
    for (int l = 1; l < graph.layers() - 1; l++) {
      double[][] h = standardisedColumns(outs.get(l - 1), n, graph.layerSize(l));
      for (double[] unit : h) {
        for (int i = 0; i < inputs.length; i++) {
          f[row][i] = dot(unit, inputs[i]);
        }
        for (int k = 0; k < outputs.length; k++) {
          f[row][inputs.length + k] = dot(unit, outputs[k]);
        }
        row++;
      }
    }
    return f;
  }

  /**
   * The outputs of every hidden unit on {@code data}, one row per hidden node (order of {@link
   * #hiddenNodes()}), one column per example.
   */
  public double[][] hiddenActivations(Dataset data) {
    List<float[]> outs = objective.layerOutputs(theta, data);
    int n = data.size();
    double[][] a = new double[hiddenNodes().length][n];
    int row = 0;
    for (int l = 1; l < graph.layers() - 1; l++) {
      int w = graph.layerSize(l);
      float[] o = outs.get(l - 1);
      for (int u = 0; u < w; u++, row++) {
        for (int e = 0; e < n; e++) {
          a[row][e] = o[e * w + u];
        }
      }
    }
    return a;
  }

  /**
   * Columns of an n × width row-major matrix, centred and scaled to unit Euclidean length, so that
   * the dot product of two is their Pearson correlation; a constant column becomes all zeros.
   */
  private static double[][] standardisedColumns(float[] m, int n, int width) {
    double[][] c = new double[width][n];
    for (int e = 0; e < n; e++) {
      for (int j = 0; j < width; j++) {
        c[j][e] = m[e * width + j];
      }
    }
    for (double[] col : c) {
      double mean = 0;
      for (double v : col) {
        mean += v;
      }
      mean /= Math.max(1, n);
      double ss = 0;
      for (int e = 0; e < n; e++) {
        col[e] -= mean;
        ss += col[e] * col[e];
      }
      double norm = Math.sqrt(ss);
      // Relative threshold: float round-off of a constant column must not pass for variance.
      boolean constant = norm <= 1e-9 * Math.max(1.0, Math.abs(mean)) * Math.sqrt(n);
      for (int e = 0; e < n; e++) {
        col[e] = constant ? 0 : col[e] / norm;
      }
    }
    return c;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  public int[] hiddenNodes() {
    List<Integer> h = new ArrayList<>();
    for (int n = 0; n < graph.size(); n++) {
      if (hidden(n)) {
        h.add(n);
      }
    }
    return h.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Accuracy on each subtask with a cluster's hidden units ablated, against random unit sets. */
  public record Specialisation(
      int cluster,
      int hiddenUnits,
      String evalSubtask,
      double fullAccuracy,
      double accuracy,
      Ablation.ControlStats controls)
      implements Serializable {}

  public List<Specialisation> specialisation(
      int[] labels, Task task, int randomControls, SplittableRandom rng) {
    int k = 0;
    for (int l : labels) {
      k = Math.max(k, l + 1);
    }
    List<Specialisation> out = new ArrayList<>();
    List<Dataset> evals = new ArrayList<>();
    List<String> names = task.evalSubtasks();
    for (String name : names) {
      evals.add(task.evalExamples(name));
    }
    PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, evals);
    double[] full = accuracies(ev, theta, evals.size());
    // The unit sets first, in the serial order of the random draws: per cluster its own units,
    // then its random controls.
    List<int[]> sets = new ArrayList<>();
    List<Integer> clusters = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      int[] units = hiddenOf(labels, c);
      if (units.length == 0) {
        continue;
      }
      clusters.add(c);
      sets.add(units);
      for (int r = 0; r < randomControls; r++) {
        sets.add(randomLike(units, rng));
      }
    }
    double[][] lesioned = lesionAccuracies(ev, sets, evals.size());
    for (int at = 0; at < clusters.size(); at++) {
      int c = clusters.get(at);
      int first = at * (randomControls + 1);
      int[] units = sets.get(first);
      double[][] random = new double[evals.size()][randomControls];
      for (int r = 0; r < randomControls; r++) {
        for (int s = 0; s < evals.size(); s++) {
          random[s][r] = lesioned[first + 1 + r][s];
        }
      }
      for (int s = 0; s < evals.size(); s++) {
        double acc = lesioned[first][s];
        out.add(
            new Specialisation(
                c,
                units.length,
                names.get(s),
                full[s],
                acc,
                randomControls == 0 ? null : Ablation.ControlStats.of(acc, random[s])));
      }
    }
    return out;
  }

  /**
   * One sub-cluster lesion of Casper et al. (2022): the hidden units of cluster {@code cluster} in
   * unit-layer {@code layer} ablated together, against {@code controls} random sets of as many
   * units drawn within the same layer. Per eval subtask: the accuracy and its z-score/percentile
   * against the controls. Per sub-cluster (equal on every subtask row): the reference code's two
   * statistics, the mean accuracy over subtasks (importance; p = (1 + #controls with a lower
   * mean)/(n + 1)) and the range of the normalised accuracy changes (max − min over subtasks of Δ_s
   * / mean Δ, specialisation; p = (1 + #controls with a larger range)/(n + 1); null when the
   * sub-cluster's own range is undefined, i.e. its lesion changes no accuracy on average).
   */
  public record SubClusterLesion(
      int cluster,
      int layer,
      int units,
      int layerUnits,
      String evalSubtask,
      double fullAccuracy,
      double accuracy,
      Ablation.ControlStats controls,
      double meanAccuracy,
      Double meanPValue,
      double normalisedRange,
      Double rangePValue)
      implements Serializable {}

  /**
   * Casper et al.'s per-layer lesion test of a partition: every non-empty (cluster, hidden layer)
   * sub-cluster, each with its own within-layer random controls.
   */
  public List<SubClusterLesion> subClusterLesions(
      int[] labels, Task task, int randomControls, SplittableRandom rng) {
    int k = 0;
    for (int l : labels) {
      k = Math.max(k, l + 1);
    }
    List<String> names = task.evalSubtasks();
    List<Dataset> evals = new ArrayList<>();
    for (String name : names) {
      evals.add(task.evalExamples(name));
    }
    PrefixEvaluator ev = PrefixEvaluator.of(objective, theta, evals);
    double[] full = accuracies(ev, theta, evals.size());
    // The unit sets first, in the serial order of the random draws: per (cluster, layer) its own
    // units, then its random controls.
    List<int[]> sets = new ArrayList<>();
    List<int[]> subClusters = new ArrayList<>(); // (cluster, layer)
    for (int c = 0; c < k; c++) {
      int[] members = hiddenOf(labels, c);
      for (int l = 1; l < graph.layers() - 1; l++) {
        final int layer = l;
        int[] units =
            java.util.Arrays.stream(members).filter(u -> graph.layerOf(u) == layer).toArray();
        if (units.length == 0) {
          continue;
        }
        subClusters.add(new int[] {c, layer});
        sets.add(units);
        for (int r = 0; r < randomControls; r++) {
          sets.add(randomInLayer(layer, units.length, rng));
        }
      }
    }
    double[][] lesioned = lesionAccuracies(ev, sets, evals.size());
    List<SubClusterLesion> out = new ArrayList<>();
    for (int at = 0; at < subClusters.size(); at++) {
      int c = subClusters.get(at)[0];
      int layer = subClusters.get(at)[1];
      int first = at * (randomControls + 1);
      int[] units = sets.get(first);
      double[] acc = lesioned[first];
      double[][] random = new double[randomControls][];
      for (int r = 0; r < randomControls; r++) {
        random[r] = lesioned[first + 1 + r];
      }
      double mean = mean(acc);
      double range = normalisedRange(acc, full);
      Double meanP = null;
      Double rangeP = null;
      if (randomControls > 0) {
        int lower = 0;
        int larger = 0;
        for (double[] ra : random) {
          lower += mean(ra) < mean ? 1 : 0;
          larger += normalisedRange(ra, full) > range ? 1 : 0;
        }
        meanP = (1.0 + lower) / (randomControls + 1);
        // A lesion that changes no accuracy on average has no range; the reference code's NaN
        // comparison would give it the smallest p (most specialised): reported as null instead.
        rangeP = Double.isNaN(range) ? null : (1.0 + larger) / (randomControls + 1);
      }
      for (int s = 0; s < names.size(); s++) {
        double[] controls = new double[randomControls];
        for (int r = 0; r < randomControls; r++) {
          controls[r] = random[r][s];
        }
        out.add(
            new SubClusterLesion(
                c,
                layer,
                units.length,
                graph.layerSize(layer),
                names.get(s),
                full[s],
                acc[s],
                randomControls == 0 ? null : Ablation.ControlStats.of(acc[s], controls),
                mean,
                meanP,
                range,
                rangeP));
      }
    }
    return out;
  }

  private static double[] accuracies(PrefixEvaluator ev, float[] params, int datasets) {
    double[] a = new double[datasets];
    for (int s = 0; s < a.length; s++) {
      a[s] = ev.evaluate(params, s).accuracy();
    }
    return a;
  }

  /** Per unit set (ablated): the accuracy on each data set of {@code ev}, on all cores. */
  private double[][] lesionAccuracies(PrefixEvaluator ev, List<int[]> sets, int datasets) {
    double[][] out = new double[sets.size()][];
    parallel(sets.size(), i -> out[i] = accuracies(ev, ablate(sets.get(i)), datasets));
    return out;
  }

  /**
   * Runs {@code body} for 0 … n−1 on up to {@link Runtime#availableProcessors()} threads (each
   * index once; bodies write to their own slots, so results do not depend on the schedule).
   */
  private static void parallel(int n, java.util.function.IntConsumer body) {
    int threads = Math.min(n, Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
    try {
      pool.submit(() -> java.util.stream.IntStream.range(0, n).parallel().forEach(body)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while evaluating lesions", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  private static double mean(double[] v) {
    double m = 0;
    for (double x : v) {
      m += x;
    }
    return m / v.length;
  }

  /**
   * max − min over subtasks of (a_s − full_s) / mean_s(a_s − full_s): how unevenly a lesion hurts
   * the subtasks (NaN when the lesion changes no accuracy on average, as in the reference code's
   * division by zero).
   */
  static double normalisedRange(double[] acc, double[] full) {
    double[] change = new double[acc.length];
    for (int s = 0; s < acc.length; s++) {
      change[s] = acc[s] - full[s];
    }
    double m = mean(change);
    if (m == 0) {
      return Double.NaN;
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double ch : change) {
      lo = Math.min(lo, ch / m);
      hi = Math.max(hi, ch / m);
    }
    return hi - lo;
  }

  /** {@code count} distinct random units of unit-layer {@code layer}. */
  int[] randomInLayer(int layer, int count, SplittableRandom rng) {
    int[] perm = org.subnetlab.task.Seeds.permutation(graph.layerSize(layer), rng);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = graph.node(layer, perm[i]);
    }
    return out;
  }

  /** The hidden nodes labelled {@code c}. */
  public int[] hiddenOf(int[] labels, int c) {
    List<Integer> u = new ArrayList<>();
    for (int n = 0; n < labels.length; n++) {
      if (labels[n] == c && hidden(n)) {
        u.add(n);
      }
    }
    return u.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Random hidden nodes, as many per layer as {@code units} has. */
  int[] randomLike(int[] units, SplittableRandom rng) {
    List<Integer> out = new ArrayList<>();
    for (int l = 1; l < graph.layers() - 1; l++) {
      int count = 0;
      for (int u : units) {
        count += graph.layerOf(u) == l ? 1 : 0;
      }
      int[] perm = org.subnetlab.task.Seeds.permutation(graph.layerSize(l), rng);
      for (int i = 0; i < count; i++) {
        out.add(graph.node(l, perm[i]));
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Share of the given weights that {@code mask} keeps. */
  public static double keptShare(Mask mask, int[] weights) {
    if (weights.length == 0) {
      return Double.NaN;
    }
    int kept = 0;
    for (int w : weights) {
      kept += mask.kept(w) ? 1 : 0;
    }
    return (double) kept / weights.length;
  }
}
