package org.subnetlab.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.subnetlab.mask.Mask;
import org.subnetlab.metrics.Ablation;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;

/**
 * Unit-level analyses of clusters on a DL4J MLP: ablating hidden units (their outgoing weights set
 * to zero, so they no longer reach the next layer), Watanabe-style feature vectors of hidden units,
 * local specialisation of clusters against random unit sets, and the share of a cluster's incident
 * weights that a mask keeps.
 */
public final class UnitAnalysis {
  private final ParamLayout layout;
  private final WeightGraph graph;
  private final float[] theta;
  private final Dl4jObjective objective;
  private final List<Integer> weightBlocks;

  public UnitAnalysis(ParamLayout layout, WeightGraph graph, float[] theta, Dl4jObjective objective) {
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
   * Feature vector of every hidden unit (Watanabe 2019 represents a hidden unit by its effect on
   * the outputs): the mean, over {@code data}, of the change of each output probability when the
   * unit is ablated, p(x) − p_{−u}(x), scaled to unit length (so units group by which outputs they
   * move, not by how much; a unit without effect keeps the zero vector). Rows in the node order of
   * {@link #hiddenNodes()}.
   */
  public double[][] ablationFeatures(Dataset data) {
    int[] nodes = hiddenNodes();
    int c = data.numClasses();
    float[] full = objective.outputs(theta, data);
    double[][] f = new double[nodes.length][c];
    for (int u = 0; u < nodes.length; u++) {
      float[] p = objective.outputs(ablate(new int[] {nodes[u]}), data);
      for (int i = 0; i < data.size(); i++) {
        for (int k = 0; k < c; k++) {
          f[u][k] += (full[i * c + k] - p[i * c + k]) / data.size();
        }
      }
    }
    return Spectral.normaliseRows(f);
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
      int cluster, int hiddenUnits, String evalSubtask, double fullAccuracy, double accuracy,
      Ablation.ControlStats controls) implements Serializable {}

  public List<Specialisation> specialisation(
      int[] labels, Task task, int randomControls, SplittableRandom rng) {
    int k = 0;
    for (int l : labels) {
      k = Math.max(k, l + 1);
    }
    List<Specialisation> out = new ArrayList<>();
    List<Dataset> evals = new ArrayList<>();
    List<String> names = task.evalSubtasks();
    double[] full = new double[names.size()];
    for (int s = 0; s < names.size(); s++) {
      evals.add(task.evalExamples(names.get(s)));
      full[s] = objective.evaluate(theta, evals.get(s)).accuracy();
    }
    for (int c = 0; c < k; c++) {
      int[] units = hiddenOf(labels, c);
      if (units.length == 0) {
        continue;
      }
      float[] ablated = ablate(units);
      double[][] random = new double[evals.size()][randomControls];
      for (int r = 0; r < randomControls; r++) {
        float[] p = ablate(randomLike(units, rng));
        for (int s = 0; s < evals.size(); s++) {
          random[s][r] = objective.evaluate(p, evals.get(s)).accuracy();
        }
      }
      for (int s = 0; s < evals.size(); s++) {
        double acc = objective.evaluate(ablated, evals.get(s)).accuracy();
        out.add(new Specialisation(c, units.length, names.get(s), full[s], acc,
            randomControls == 0 ? null : Ablation.ControlStats.of(acc, random[s])));
      }
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
