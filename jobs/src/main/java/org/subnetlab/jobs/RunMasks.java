package org.subnetlab.jobs;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.subnetlab.config.BadInputException;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.PackedBits;
import org.subnetlab.mask.SparseDelta;
import org.subnetlab.model.ParamLayout;
import scala.Tuple2;

/**
 * Each run's mask built where its rows are: on the executors, from the rows (one per layer) of the
 * masks table or the committed mask files, so that the driver never holds a mask and its memory
 * does not grow with runs × parameters. The driver only checks, from the layer sizes (runs × layers
 * small values), that every run's rows fit the base model, so that a mask that does not fit still
 * ends in one message naming the run before any Spark task runs.
 */
final class RunMasks {
  private RunMasks() {}

  /** One run's mask with what its rows say of the run, and its Δ when the rows hold one. */
  record RunMask(String runId, String method, String subtask, long seed, Mask mask, float[] delta)
      implements Serializable {}

  /** Every run's mask, keyed by run id, built on the executors ({@code delta} left null). */
  static JavaPairRDD<String, RunMask> masks(ParamLayout layout, Dataset<Row> masks) {
    return read(layout, masks, false);
  }

  /** As {@link #masks}, with each run's Δ over all parameters where its rows hold one. */
  static JavaPairRDD<String, RunMask> masksWithDeltas(ParamLayout layout, Dataset<Row> masks) {
    return read(layout, masks, true);
  }

  private static JavaPairRDD<String, RunMask> read(
      ParamLayout layout, Dataset<Row> masks, boolean deltas) {
    checkFits(layout, masks);
    Dataset<Row> rows =
        masks.select(
            col("run_id"),
            col("method"),
            col("subtask"),
            col("seed"),
            col("layer_index"),
            col("bits"),
            deltas ? col("delta") : functions.lit(null).cast("binary").as("delta"));
    return rows.javaRDD()
        .groupBy(r -> r.getString(0))
        .mapToPair(g -> new Tuple2<>(g._1(), runMask(layout, g._2())));
  }

  private static RunMask runMask(ParamLayout layout, Iterable<Row> rows) {
    byte[][] bits = new byte[layout.layers()][];
    byte[][] delta = new byte[layout.layers()][];
    Row first = null;
    boolean anyDelta = false;
    for (Row r : rows) {
      first = first == null ? r : first;
      int l = r.getInt(4);
      bits[l] = (byte[]) r.get(5);
      if (!r.isNullAt(6)) {
        delta[l] = (byte[]) r.get(6);
        anyDelta = true;
      }
    }
    Mask mask = new Mask(layout, bits);
    float[] d = null;
    if (anyDelta) {
      d = new float[layout.total()];
      for (int l = 0; l < layout.layers(); l++) {
        if (delta[l] != null) {
          SparseDelta.addTo(d, layout.offset(l), layout.size(l), bits[l], delta[l]);
        }
      }
    }
    return new RunMask(
        first.getString(0), first.getString(1), first.getString(2), first.getLong(3), mask, d);
  }

  /**
   * Refuses rows that do not make a mask of the base model: per run, every layer index, with as
   * many bytes of bits as the layer needs (a layer given twice counts once). Reads only the sizes,
   * not the bits.
   */
  static void checkFits(ParamLayout layout, Dataset<Row> masks) {
    Map<String, List<int[]>> sizes = new HashMap<>();
    for (Row r :
        masks
            .select(col("run_id"), col("layer_index"), functions.length(col("bits")))
            .collectAsList()) {
      sizes
          .computeIfAbsent(r.getString(0), k -> new ArrayList<>())
          .add(new int[] {r.getInt(1), r.getInt(2)});
    }
    for (Map.Entry<String, List<int[]>> e : new java.util.TreeMap<>(sizes).entrySet()) {
      String problem = misfit(layout, e.getValue());
      if (problem != null) {
        throw new BadInputException(
            "Mask file of run " + e.getKey() + " does not fit the base model: " + problem);
      }
    }
  }

  private static String misfit(ParamLayout layout, List<int[]> layers) {
    boolean[] seen = new boolean[layout.layers()];
    for (int[] l : layers) {
      if (l[0] < 0 || l[0] >= layout.layers()) {
        return "layer index " + l[0] + " is not one of the model's " + layout.layers();
      }
      // A layer read twice (the same file given twice, as a path with some characters can be) is
      // the same mask: the last row is taken, as the driver-side map of earlier versions did.
      seen[l[0]] = true;
      int needs = PackedBits.bytesFor(layout.size(l[0]));
      if (l[1] != needs) {
        return "layer " + layout.name(l[0]) + " has " + l[1] + " bytes of bits, needs " + needs;
      }
    }
    for (int l = 0; l < seen.length; l++) {
      if (!seen[l]) {
        return "layer " + layout.name(l) + " has no row (the model has " + layout.layers() + ")";
      }
    }
    return null;
  }
}
