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
import org.subnetlab.model.ParamGroup;
import scala.Tuple2;

/**
 * The overlap table by block pairs: the runs (in run-id order) are split into blocks; one Spark
 * task per block pair (i ≤ j) holds the masks of its two blocks, each once, and emits only
 * intersection counts (popcounts of AND over packed 64-bit words) for each of its run pairs, per
 * layer, with the {@code ALL} counts merged from the same pass ({@link OverlapCounts}, the one
 * overlap formula). A mask row moves through the shuffle once per block pair of its block, not once
 * per run pair. All pairs {@code run_a < run_b} are computed.
 *
 * <p>For a model with attention heads, each head ({@link ParamGroup}) is one more row per pair,
 * named {@code h.i.attn.head.k}, counted over the head's gathered bits; heads are not added into
 * {@code ALL} (their parameters are already counted in their blocks).
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

  /**
   * One run's mask, its layers in layer-index order, bits as packed little-endian words; after the
   * first {@code blocks} entries (the parameter blocks) come the parameter groups' gathered bits.
   */
  record RunMask(
      String run,
      String method,
      String subtask,
      long seed,
      long modelSeed,
      String[] layers,
      long[] kept,
      long[][] words,
      int blocks)
      implements Serializable {}

  /**
   * Memory one task of the automatic block size may give the masks of its two blocks: 256 MiB, a
   * quarter of Spark's default 1 GiB executor.
   */
  static final long AUTO_TASK_BYTES = 256L << 20;

  /** Block pairs per core the automatic size asks for at least, for balance (see below). */
  static final int AUTO_TASKS_PER_CORE = 4;

  /**
   * The automatic block size ({@code aggregate.overlap-block = auto}) for {@code runs} runs whose
   * masks take {@code maskBytes} each in a task (packed bits of every parameter and of every
   * parameter group), on {@code cores} task slots: the largest block such that the run ids split
   * into enough blocks b for b(b + 1)/2 ≥ {@value #AUTO_TASKS_PER_CORE} × cores block pairs (a
   * diagonal pair is half a full one's work, so a few per core keep the cores evenly busy), and the
   * masks of two blocks fit in {@link #AUTO_TASK_BYTES}. Fewer, larger blocks move each mask
   * through the shuffle fewer times (once per block).
   */
  static int autoBlock(int runs, long maskBytes, int cores) {
    long target = (long) AUTO_TASKS_PER_CORE * Math.max(1, cores);
    int blocks = 1;
    while ((long) blocks * (blocks + 1) / 2 < target) {
      blocks++;
    }
    long byParallelism = Math.max(1, (Math.max(1, runs) + blocks - 1) / blocks);
    long byMemory = Math.max(1, AUTO_TASK_BYTES / (2 * Math.max(1, maskBytes)));
    return (int) Math.min(byParallelism, byMemory);
  }

  /** The overlap table of the mask rows, with runs in blocks of {@code blockSize}. */
  static Dataset<Row> overlap(Dataset<Row> masks, int blockSize) {
    return overlap(masks, blockSize, List.of());
  }

  /** The same, with a row per parameter group ({@code groups}: the model's attention heads). */
  static Dataset<Row> overlap(Dataset<Row> masks, int blockSize, List<ParamGroup> groups) {
    JavaRDD<Row> rows =
        blockTasks(masks, blockSize, groups)
            .flatMap(
                t -> {
                  List<Row> out = new ArrayList<>();
                  t.forEachPair(
                      (a, b, layer, c) ->
                          out.add(row(a, b, layer == null ? AggregateJob.ALL : layer, c)));
                  return out.iterator();
                });
    return masks.sparkSession().createDataFrame(rows, SCHEMA).orderBy("run_a", "run_b", "layer");
  }

  /**
   * The counting pass alone, without the table: the same block-pair tasks, each summing its pairs'
   * {@code ALL} intersections. Returns {pairs, sum of intersections, block pairs}: what the bench
   * times to separate the arithmetic from building, sorting and writing the table's rows.
   */
  static long[] countOnly(Dataset<Row> masks, int blockSize) {
    return blockTasks(masks, blockSize, List.of())
        .map(
            t -> {
              long[] c = {0, 0, 1};
              t.forEachPair(
                  (a, b, layer, counts) -> {
                    if (layer == null) {
                      c[0]++;
                      c[1] += counts.intersection();
                    }
                  });
              return c;
            })
        .reduce((x, y) -> new long[] {x[0] + y[0], x[1] + y[1], x[2] + y[2]});
  }

  /** One task per block pair (i ≤ j), holding the masks of its blocks, each once. */
  private static JavaRDD<BlockPair> blockTasks(
      Dataset<Row> masks, int blockSize, List<ParamGroup> groups) {
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
            .map(g -> runMask(g, groups));
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
    return byPair
        .groupByKey(pairs)
        .map(
            e -> {
              List<RunMask> ms = new ArrayList<>();
              e._2().forEach(ms::add);
              return new BlockPair(ms, block);
            });
  }

  static int pairIndex(int i, int j, int blocks) {
    return i * blocks - i * (i - 1) / 2 + (j - i);
  }

  private static RunMask runMask(Tuple2<String, Iterable<Row>> g, List<ParamGroup> groups) {
    List<Row> rs = new ArrayList<>();
    g._2().forEach(rs::add);
    rs.sort(java.util.Comparator.comparingInt(r -> r.getInt(5)));
    Row f = rs.get(0);
    int n = rs.size();
    String[] layers = new String[n + groups.size()];
    long[] kept = new long[n + groups.size()];
    long[][] words = new long[n + groups.size()][];
    for (int i = 0; i < n; i++) {
      layers[i] = rs.get(i).getString(6);
      words[i] = PackedBits.words((byte[]) rs.get(i).get(7));
      kept[i] = PackedBits.cardinality(words[i]);
    }
    if (!groups.isEmpty()) {
      // gathered by layer index: the groups index blocks by their place in the layout
      long[][] byIndex = new long[ParamGroup.lastLayer(groups) + 1][];
      for (int i = 0; i < n; i++) {
        int li = rs.get(i).getInt(5);
        if (li < byIndex.length) {
          byIndex[li] = words[i];
        }
      }
      for (int k = 0; k < groups.size(); k++) {
        layers[n + k] = groups.get(k).name();
        words[n + k] = groups.get(k).gather(byIndex);
        kept[n + k] = PackedBits.cardinality(words[n + k]);
      }
    }
    return new RunMask(
        f.getString(0),
        f.getString(1),
        f.getString(2),
        f.getLong(3),
        f.getLong(4),
        layers,
        kept,
        words,
        n);
  }

  /** What one pair of runs gives: per layer, then {@code layer == null} for {@code ALL}. */
  @FunctionalInterface
  interface PairConsumer {
    void accept(RunMask a, RunMask b, String layer, OverlapCounts c);
  }

  /**
   * The runs of one block pair: the runs of block i and, when j differs, those of block j (all of
   * whose run ids sort after block i's). Its pairs are those within block i when i = j, else those
   * across the two blocks, so that each pair of runs is seen by exactly one task. Layers are
   * matched by name, through an index built once per run (not once per pair).
   */
  static final class BlockPair {
    private final List<RunMask> low = new ArrayList<>();
    private final List<RunMask> high = new ArrayList<>();
    private final Map<RunMask, int[]> ids = new java.util.IdentityHashMap<>();
    private final Map<RunMask, int[]> positions = new java.util.IdentityHashMap<>();

    BlockPair(List<RunMask> ms, Map<String, Integer> block) {
      ms.sort(java.util.Comparator.comparing(RunMask::run));
      int first = block.get(ms.get(0).run());
      for (RunMask m : ms) {
        (block.get(m.run()) == first ? low : high).add(m);
      }
      // every layer name of the task gets an id; each run maps its layers to ids and back
      Map<String, Integer> names = new HashMap<>();
      for (RunMask m : ms) {
        int[] id = new int[m.layers().length];
        for (int l = 0; l < id.length; l++) {
          Integer known = names.putIfAbsent(m.layers()[l], names.size());
          id[l] = known == null ? names.size() - 1 : known;
        }
        ids.put(m, id);
      }
      for (RunMask m : ms) {
        int[] pos = new int[names.size()];
        java.util.Arrays.fill(pos, -1);
        int[] id = ids.get(m);
        for (int l = 0; l < id.length; l++) {
          pos[id[l]] = l;
        }
        positions.put(m, pos);
      }
    }

    void forEachPair(PairConsumer out) {
      if (high.isEmpty()) {
        for (int x = 0; x < low.size(); x++) {
          for (int y = x + 1; y < low.size(); y++) {
            pair(low.get(x), low.get(y), out);
          }
        }
      } else {
        for (RunMask a : low) {
          for (RunMask b : high) {
            pair(a, b, out);
          }
        }
      }
    }

    /** The layers of a (in a's order) that b has too, then their sum as {@code ALL}. */
    private void pair(RunMask a, RunMask b, PairConsumer out) {
      long keptA = 0;
      long keptB = 0;
      long inter = 0;
      int[] idA = ids.get(a);
      int[] posB = positions.get(b);
      for (int l = 0; l < idA.length; l++) {
        int lb = posB[idA[l]];
        if (lb < 0) {
          continue;
        }
        long i = PackedBits.intersection(a.words()[l], b.words()[lb]);
        long ka = a.kept()[l];
        long kb = b.kept()[lb];
        out.accept(a, b, a.layers()[l], new OverlapCounts(ka, kb, i, ka + kb - i));
        if (l >= a.blocks()) {
          continue; // a parameter group: its parameters are counted in their blocks
        }
        keptA += ka;
        keptB += kb;
        inter += i;
      }
      out.accept(a, b, null, new OverlapCounts(keptA, keptB, inter, keptA + keptB - inter));
    }
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
