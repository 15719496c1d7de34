package org.subnetlab.jobs;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.subnetlab.mask.PackedBits;
import org.subnetlab.metrics.OverlapCounts;
import scala.Tuple2;

/**
 * The overlap table by block pairs: the runs (in run-id order) are split into blocks; one Spark
 * task per block pair (i ≤ j) holds the masks of its two blocks, each once, and emits only
 * intersection counts (popcounts of AND over packed 64-bit words) for each of its run pairs, per
 * layer, with the {@code ALL} counts merged from the same pass ({@link OverlapCounts}, the one
 * overlap formula). A mask row moves through the shuffle once per block pair of its block, not once
 * per run pair. All pairs {@code run_a < run_b} are computed.
 */
final class BlockOverlap {
  private BlockOverlap() {}

  static final StructType SCHEMA =
      new StructType()
          .add("run_a", DataTypes.StringType, false)
          .add("run_b", DataTypes.StringType, false)
          .add("method_a", DataTypes.StringType, false)
          .add("method_b", DataTypes.StringType, false)
          .add("subtask_a", DataTypes.StringType, false)
          .add("subtask_b", DataTypes.StringType, false)
          .add("seed_a", DataTypes.LongType, false)
          .add("seed_b", DataTypes.LongType, false)
          .add("layer", DataTypes.StringType, false)
          .add("n_kept_a", DataTypes.LongType, false)
          .add("n_kept_b", DataTypes.LongType, false)
          .add("intersection", DataTypes.LongType, false)
          .add("union", DataTypes.LongType, false)
          .add("jaccard", DataTypes.DoubleType, false)
          .add("share_a_in_b", DataTypes.DoubleType, false)
          .add("share_b_in_a", DataTypes.DoubleType, false)
          .add("model_seed_a", DataTypes.LongType, false)
          .add("model_seed_b", DataTypes.LongType, false);

  /** One run's mask, its layers in layer-index order, bits as packed little-endian words. */
  record RunMask(
      String run,
      String method,
      String subtask,
      long seed,
      long modelSeed,
      String[] layers,
      long[] kept,
      long[][] words)
      implements Serializable {}

  /** The overlap table of the mask rows, with runs in blocks of {@code blockSize}. */
  static Dataset<Row> overlap(Dataset<Row> masks, int blockSize) {
    List<String> ids = new ArrayList<>();
    for (Row r : masks.select("run_id").distinct().orderBy("run_id").collectAsList()) {
      ids.add(r.getString(0));
    }
    HashMap<String, Integer> block = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      block.put(ids.get(i), i / blockSize);
    }
    int blocks = Math.max(1, (ids.size() + blockSize - 1) / blockSize);
    JavaRDD<RunMask> runs =
        masks
            .select(
                col("run_id"),
                col("method"),
                col("subtask"),
                col("seed"),
                col("model_seed"),
                col("layer_index"),
                col("layer"),
                col("bits"))
            .javaRDD()
            .groupBy(r -> r.getString(0))
            .map(BlockOverlap::runMask);
    // a run of block b goes to every block pair (min, max) containing b
    JavaPairRDD<Integer, RunMask> byPair =
        runs.flatMapToPair(
            m -> {
              int b = block.get(m.run());
              List<Tuple2<Integer, RunMask>> out = new ArrayList<>();
              for (int o = 0; o < blocks; o++) {
                out.add(new Tuple2<>(pairIndex(Math.min(b, o), Math.max(b, o), blocks), m));
              }
              return out.iterator();
            });
    int pairs = blocks * (blocks + 1) / 2;
    JavaRDD<Row> rows =
        byPair
            .groupByKey(pairs)
            .flatMap(
                e -> {
                  List<RunMask> ms = new ArrayList<>();
                  e._2().forEach(ms::add);
                  return pairRows(ms, block).iterator();
                });
    return masks.sparkSession().createDataFrame(rows, SCHEMA).orderBy("run_a", "run_b", "layer");
  }

  static int pairIndex(int i, int j, int blocks) {
    return i * blocks - i * (i - 1) / 2 + (j - i);
  }

  private static RunMask runMask(Tuple2<String, Iterable<Row>> g) {
    List<Row> rs = new ArrayList<>();
    g._2().forEach(rs::add);
    rs.sort(java.util.Comparator.comparingInt(r -> r.getInt(5)));
    Row f = rs.get(0);
    String[] layers = new String[rs.size()];
    long[] kept = new long[rs.size()];
    long[][] words = new long[rs.size()][];
    for (int i = 0; i < rs.size(); i++) {
      layers[i] = rs.get(i).getString(6);
      words[i] = PackedBits.words((byte[]) rs.get(i).get(7));
      kept[i] = PackedBits.cardinality(words[i]);
    }
    return new RunMask(
        f.getString(0),
        f.getString(1),
        f.getString(2),
        f.getLong(3),
        f.getLong(4),
        layers,
        kept,
        words);
  }

  /**
   * The rows of every pair a < b of {@code ms} whose blocks differ or, within one block, both
   * members; a pair of runs of two different blocks is seen by exactly one task.
   */
  private static List<Row> pairRows(List<RunMask> ms, Map<String, Integer> block) {
    ms.sort(java.util.Comparator.comparing(RunMask::run));
    List<Row> out = new ArrayList<>();
    for (int x = 0; x < ms.size(); x++) {
      for (int y = x + 1; y < ms.size(); y++) {
        RunMask a = ms.get(x);
        RunMask b = ms.get(y);
        int ba = block.get(a.run());
        int bb = block.get(b.run());
        // a task of blocks (i, j), i < j, also holds pairs within i and within j: those belong
        // to the tasks (i, i) and (j, j)
        if (ba == bb && hasTwoBlocks(ms, block)) {
          continue;
        }
        OverlapCounts all = new OverlapCounts(0, 0, 0, 0);
        Map<String, Integer> layerIndex = new HashMap<>();
        for (int l = 0; l < b.layers().length; l++) {
          layerIndex.put(b.layers()[l], l);
        }
        for (int l = 0; l < a.layers().length; l++) {
          Integer lb = layerIndex.get(a.layers()[l]);
          if (lb == null) {
            continue;
          }
          long inter = PackedBits.intersection(a.words()[l], b.words()[lb]);
          OverlapCounts c =
              new OverlapCounts(
                  a.kept()[l], b.kept()[lb], inter, a.kept()[l] + b.kept()[lb] - inter);
          out.add(row(a, b, a.layers()[l], c));
          all = all.merge(c);
        }
        out.add(row(a, b, AggregateJob.ALL, all));
      }
    }
    return out;
  }

  private static boolean hasTwoBlocks(List<RunMask> ms, Map<String, Integer> block) {
    int first = block.get(ms.get(0).run());
    for (RunMask m : ms) {
      if (block.get(m.run()) != first) {
        return true;
      }
    }
    return false;
  }

  private static Row row(RunMask a, RunMask b, String layer, OverlapCounts c) {
    return RowFactory.create(
        a.run(),
        b.run(),
        a.method(),
        b.method(),
        a.subtask(),
        b.subtask(),
        a.seed(),
        b.seed(),
        layer,
        c.keptA(),
        c.keptB(),
        c.intersection(),
        c.union(),
        c.jaccard(),
        c.shareOfA(),
        c.shareOfB(),
        a.modelSeed(),
        b.modelSeed());
  }
}
