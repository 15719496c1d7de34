package org.subnetlab.model;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.task.Dataset;

/**
 * Reused ND4J arrays of minibatch features and one-hot labels, one pair per batch size, filled from
 * a {@link Dataset}'s rows. Not thread-safe.
 */
final class MinibatchArrays {
  private final DataType dtype;
  private final Map<Integer, INDArray[]> batches = new HashMap<>();
  private float[] featureScratch = new float[0];
  private float[] labelScratch = new float[0];

  MinibatchArrays(DataType dtype) {
    this.dtype = dtype;
  }

  /** Features [n, inputs] and one-hot labels [n, classes] of {@code rows[from, to)}. */
  INDArray[] fill(Dataset data, int[] rows, int from, int to) {
    int d = data.inputSize();
    int c = data.numClasses();
    int n = to - from;
    INDArray[] xy =
        batches.computeIfAbsent(
            n,
            k ->
                new INDArray[] {
                  Nd4j.create(dtype, k, d).dup('c'), Nd4j.create(dtype, k, c).dup('c')
                });
    if (featureScratch.length < n * d) {
      featureScratch = new float[n * d];
    }
    if (labelScratch.length < n * c) {
      labelScratch = new float[n * c];
    }
    java.util.Arrays.fill(labelScratch, 0, n * c, 0f);
    for (int k = 0; k < n; k++) {
      int r = rows[from + k];
      data.copyFeatures(r, featureScratch, k * d);
      labelScratch[k * c + data.label(r)] = 1f;
    }
    ParamBridge.write(featureScratch, n * d, xy[0]);
    ParamBridge.write(labelScratch, n * c, xy[1]);
    return xy;
  }

  /** Features of examples {@code [start, end)} of {@code data} as a new [n, inputs] array. */
  INDArray features(Dataset data, int start, int end) {
    float[] x = new float[(end - start) * data.inputSize()];
    for (int i = start; i < end; i++) {
      data.copyFeatures(i, x, (i - start) * data.inputSize());
    }
    return Nd4j.create(x, new long[] {end - start, data.inputSize()}, 'c').castTo(dtype);
  }
}
