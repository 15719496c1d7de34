package org.subnetlab.model;

import java.util.List;
import org.subnetlab.task.Dataset;

/**
 * Evaluates many variants of one reference parameter vector — lesions, which zero some weights of a
 * network — on fixed data sets, each from the lowest layer it changes on. The hidden-layer outputs
 * of the reference are computed once per data set; a variant whose first l layers equal the
 * reference's starts from hidden layer l's stored outputs, so lesions of deep units cost a fraction
 * of a forward pass. The arithmetic is that of the whole forward pass, in the same order and the
 * same chunks of examples as {@link Dl4jObjective#outputs}, so outputs and accuracies are
 * bit-identical to {@link Dl4jObjective#evaluate} on networks its BLAS MLP path takes.
 *
 * <p>Thread-safe: each thread evaluates on its own BLAS path. Networks outside that path (CNNs,
 * graphs, layers with weight noise) and a disabled path ({@code -Dsubnetlab.fast-path=off}) are
 * evaluated whole by the objective, one call at a time. Layers with dropout or weight penalties
 * take the path at test time (they compute the same outputs as DL4J's test-time forward pass to
 * float rounding; {@link Dl4jObjective} keeps DL4J's own layers for them).
 */
public final class PrefixEvaluator {
  private final Dl4jObjective objective;
  private final float[] reference;
  private final List<Dataset> data;
  private final ThreadLocal<BlasMlpPass> paths;

  /** Per data set, per chunk of {@link Dl4jObjective#EVAL_CHUNK} examples: inputs, hidden[l]. */
  private final float[][][][] stored;

  private PrefixEvaluator(Dl4jObjective objective, float[] reference, List<Dataset> data) {
    this.objective = objective;
    this.reference = reference.clone();
    this.data = List.copyOf(data);
    Network net = objective.network();
    BlasMlpPass first = FastPass.off() ? null : BlasMlpPass.forInference(net);
    if (first == null) {
      paths = null;
      stored = null;
      return;
    }
    paths =
        ThreadLocal.withInitial(
            () -> {
              synchronized (net) {
                return BlasMlpPass.forInference(net);
              }
            });
    paths.set(first);
    stored = new float[data.size()][][][];
    for (int d = 0; d < data.size(); d++) {
      Dataset ds = data.get(d);
      first.requireShape(ds);
      int chunks = (ds.size() + Dl4jObjective.EVAL_CHUNK - 1) / Dl4jObjective.EVAL_CHUNK;
      stored[d] = new float[chunks][][];
      for (int ch = 0; ch < chunks; ch++) {
        int start = ch * Dl4jObjective.EVAL_CHUNK;
        int n = Math.min(ds.size(), start + Dl4jObjective.EVAL_CHUNK) - start;
        float[] x = new float[n * ds.inputSize()];
        for (int i = 0; i < n; i++) {
          ds.copyFeatures(start + i, x, i * ds.inputSize());
        }
        float[][] h = first.hidden(this.reference, x, n);
        h[0] = x;
        stored[d][ch] = h;
      }
    }
  }

  /**
   * An evaluator of variants of {@code reference} (copied) on {@code data}, with {@code objective}
   * for networks outside the BLAS path.
   */
  public static PrefixEvaluator of(Dl4jObjective objective, float[] reference, List<Dataset> data) {
    return new PrefixEvaluator(objective, reference, data);
  }

  /** Whether variants are evaluated from their lowest changed layer on (else whole, serially). */
  public boolean fromLowestChangedLayer() {
    return paths != null;
  }

  /** Output probabilities (n × classes, row-major) of data set {@code d} with {@code params}. */
  public float[] outputs(float[] params, int d) {
    Dataset ds = data.get(d);
    if (paths == null) {
      synchronized (objective) {
        return objective.outputs(params, ds);
      }
    }
    BlasMlpPass path = paths.get();
    int from = Math.min(path.firstDifference(reference, params), path.layers() - 1);
    int c = ds.numClasses();
    float[] out = new float[ds.size() * c];
    float[] p = new float[Math.min(ds.size(), Dl4jObjective.EVAL_CHUNK) * c];
    for (int ch = 0; ch < stored[d].length; ch++) {
      int start = ch * Dl4jObjective.EVAL_CHUNK;
      int n = Math.min(ds.size(), start + Dl4jObjective.EVAL_CHUNK) - start;
      path.outputsFrom(params, from, stored[d][ch][from], n, p);
      System.arraycopy(p, 0, out, start * c, n * c);
    }
    return out;
  }

  /** Accuracy and mean cross-entropy on data set {@code d} with {@code params}. */
  public Evaluation evaluate(float[] params, int d) {
    return Dl4jObjective.evaluation(outputs(params, d), data.get(d));
  }
}
