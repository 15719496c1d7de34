package org.subnetlab.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.mask.PackedBits;

/**
 * The block-pair overlap pass against the Spark self-join it replaced (kept here as the reference
 * implementation), row for row, on masks of several layers, densities and model seeds.
 */
class BlockOverlapTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("block-overlap-test", "local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static final StructType MASKS =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("method", DataTypes.StringType, false)
          .add("subtask", DataTypes.StringType, false)
          .add("seed", DataTypes.LongType, false)
          .add("layer", DataTypes.StringType, false)
          .add("layer_index", DataTypes.IntegerType, false)
          .add("n_kept", DataTypes.LongType, false)
          .add("bits", DataTypes.BinaryType, false)
          .add("model_seed", DataTypes.LongType, false);

  /** Random masks of {@code runs} runs over layers of 0, 5, 64, 67 and 1000 parameters. */
  static Dataset<Row> masks(int runs, long seed) {
    int[] sizes = {5, 64, 67, 1000, 0};
    Random rnd = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      double density = r % 7 == 0 ? 0.0 : rnd.nextDouble();
      for (int l = 0; l < sizes.length; l++) {
        float[] v = new float[sizes[l]];
        for (int i = 0; i < v.length; i++) {
          v[i] = rnd.nextDouble() < density ? 1f : 0f;
        }
        byte[] bits = PackedBits.pack(v, 0, v.length);
        rows.add(
            RowFactory.create(
                String.format("run-%03d", r),
                r % 3 == 0 ? "magnitude" : "hardconcrete",
                "sub" + (r % 2),
                (long) (r % 4),
                "layer" + l,
                l,
                PackedBits.cardinality(bits),
                bits,
                (long) (r % 2)));
      }
    }
    return spark.createDataFrame(rows, MASKS);
  }

  @Test
  void blockPairsGiveTheSelfJoinTableRowForRow() {
    Dataset<Row> m = masks(23, 7).cache();
    List<Row> expected = selfJoinOverlap(m).collectAsList();
    assertThat(expected).hasSize(23 * 22 / 2 * 6);
    for (int block : new int[] {1, 5, 23, 64}) {
      Dataset<Row> got = BlockOverlap.overlap(m, block);
      assertThat(got.columns()).containsExactly(selfJoinOverlap(m).columns());
      assertThat(got.collectAsList()).as("block size " + block).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void autoBlockGivesFourBlockPairsPerCoreWithinTheTaskMemory() {
    // 2 cores: 8 block pairs wanted; 3 blocks give 6, 4 give 10 -> 2,000 / 4 = 500 runs per
    // block; two blocks of 224,016-bit masks (28,002 bytes) are far below 256 MiB
    assertThat(BlockOverlap.autoBlock(2000, 28_002, 2)).isEqualTo(500);
    // 100 cores: 400 wanted; 27 blocks give 378, 28 give 406 -> ceil(10,000 / 28) = 358, but two
    // blocks of 15.5 MB masks within 256 MiB allow 268,435,456 / 31,000,000 = 8 runs per block
    assertThat(BlockOverlap.autoBlock(10_000, 15_500_000, 100)).isEqualTo(8);
    // 6 runs on 2 cores: 4 blocks -> ceil(6 / 4) = 2; a mask larger than the budget: 1
    assertThat(BlockOverlap.autoBlock(6, 100, 2)).isEqualTo(2);
    assertThat(BlockOverlap.autoBlock(6, 1L << 30, 2)).isEqualTo(1);
    // whatever the block, the table is the same (blockPairsGiveTheSelfJoinTableRowForRow)
  }

  @Test
  void pairIndicesNumberTheBlockPairsWithoutGaps() {
    int blocks = 6;
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      for (int j = i; j < blocks; j++) {
        seen.add(BlockOverlap.pairIndex(i, j, blocks));
      }
    }
    List<Integer> want = new ArrayList<>();
    for (int k = 0; k < blocks * (blocks + 1) / 2; k++) {
      want.add(k);
    }
    assertThat(seen).containsExactlyElementsOf(want);
  }

  // --- the overlap pass before issue 26: a self-join carrying both masks' bits in every pair row

  static Dataset<Row> selfJoinOverlap(Dataset<Row> masks) {
    UserDefinedFunction inter =
        org.apache.spark.sql.functions.udf(
            (UDF2<byte[], byte[], Long>) PackedBits::intersection, DataTypes.LongType);
    UserDefinedFunction union =
        org.apache.spark.sql.functions.udf(
            (UDF2<byte[], byte[], Long>) PackedBits::union, DataTypes.LongType);
    Dataset<Row> a = side(masks, "a");
    Dataset<Row> b = side(masks, "b");
    Dataset<Row> perLayer =
        a.join(b, a.col("layer_a").equalTo(b.col("layer_b")).and(a.col("run_a").lt(b.col("run_b"))))
            .withColumn("intersection", inter.apply(col("bits_a"), col("bits_b")))
            .withColumn("union", union.apply(col("bits_a"), col("bits_b")))
            .withColumn("layer", col("layer_a"))
            .drop("bits_a", "bits_b", "layer_a", "layer_b")
            .cache();
    Column[] pair = {
      col("run_a"),
      col("run_b"),
      col("method_a"),
      col("method_b"),
      col("subtask_a"),
      col("subtask_b"),
      col("seed_a"),
      col("seed_b"),
      col("model_seed_a"),
      col("model_seed_b")
    };
    Dataset<Row> all =
        perLayer
            .groupBy(pair)
            .agg(
                sum("n_kept_a").as("n_kept_a"),
                sum("n_kept_b").as("n_kept_b"),
                sum("intersection").as("intersection"),
                sum("union").as("union"))
            .withColumn("layer", lit(AggregateJob.ALL));
    Dataset<Row> both = perLayer.unionByName(all);
    return both.withColumn("jaccard", ratio(col("intersection"), col("union")))
        .withColumn("share_a_in_b", ratio(col("intersection"), col("n_kept_a")))
        .withColumn("share_b_in_a", ratio(col("intersection"), col("n_kept_b")))
        .select(
            col("run_a"),
            col("run_b"),
            col("method_a"),
            col("method_b"),
            col("subtask_a"),
            col("subtask_b"),
            col("seed_a"),
            col("seed_b"),
            col("layer"),
            col("n_kept_a"),
            col("n_kept_b"),
            col("intersection"),
            col("union"),
            col("jaccard"),
            col("share_a_in_b"),
            col("share_b_in_a"),
            col("model_seed_a"),
            col("model_seed_b"))
        .orderBy("run_a", "run_b", "layer");
  }

  static Column ratio(Column num, Column den) {
    return when(den.equalTo(0), lit(0.0)).otherwise(num.cast("double").divide(den));
  }

  static Dataset<Row> side(Dataset<Row> masks, String s) {
    return masks.select(
        col("run_id").as("run_" + s),
        col("method").as("method_" + s),
        col("subtask").as("subtask_" + s),
        col("seed").as("seed_" + s),
        col("model_seed").as("model_seed_" + s),
        col("layer").as("layer_" + s),
        col("n_kept").as("n_kept_" + s),
        col("bits").as("bits_" + s));
  }
}
