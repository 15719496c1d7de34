package org.subnetlab.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.AggregateJob;
import org.subnetlab.jobs.TrainModelJob;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.MaskTrainingResult;
import org.subnetlab.mask.PackedBits;
import org.subnetlab.model.Network;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;
import org.subnetlab.task.Tasks;

/**
 * {@code subnetlab bench --aggregation}: how the aggregate stage scales with runs. Per sweep size N
 * it builds a synthetic sweep cheaply — a base model trained for one epoch on the arithmetic task
 * with two subtasks (add, sub) and N / 2 mask seeds of the magnitude method, whose mask files are
 * written directly (random masks, each of its own density in [0.05, 0.5], drawn from a stream
 * seeded by the run's position; the layout {@code train-masks} writes) — then runs the aggregate
 * stage on an embedded Spark ({@code local[2]}) and prints one JSON line: runs, parameters, pairs
 * (all pairs, N(N − 1)/2, as the overlap table holds), total seconds and those of each table, the
 * overlap pass's pairs/s and bit operations/s (AND + popcount of one parameter of one pair = one),
 * the driver JVM's heap peaks, and the single-core packed-bits popcount rate measured in the same
 * JVM with the ratio of the two rates.
 */
final class AggregationBench {
  private AggregationBench() {}

  /** The sweep config; the model's hidden layers and the seeds are set per run. */
  private static final String CONF =
      String.join(
          "\n",
          "seed = 0",
          "task { name = arithmetic, arithmetic { modulus = 16, operations = [add, sub] } }",
          "model { epochs = 1, batch-size = 128, learning-rate = 0.003 }",
          "masks { methods = [magnitude] }");

  /**
   * Runs the bench for each sweep size of {@code sizes} (even, ≥ 2) with {@code randomControls}
   * random controls per mask on a model with hidden layers {@code hidden}; JSON lines to {@code
   * out}, progress to stderr. Temporary files are removed.
   */
  static void run(List<Integer> sizes, int randomControls, List<Integer> hidden, PrintStream out)
      throws IOException {
    run(sizes, randomControls, hidden, List.of(AUTO), out);
  }

  /**
   * As above; the aggregate stage runs with {@code aggregate.overlap-block = blocks.get(0)}, and
   * the counting pass is timed for every block size of {@code blocks}, side by side: {@link
   * #COUNT_ROUNDS} rounds, each timing every size once in turn.
   */
  static void run(
      List<Integer> sizes,
      int randomControls,
      List<Integer> hidden,
      List<Integer> blocks,
      PrintStream out)
      throws IOException {
    checkSizes(sizes, blocks);
    double[] popcount = {0};
    for (int n : sizes) {
      sweep(n, randomControls, hidden, blocks, popcount, null, out);
      out.flush();
    }
  }

  /**
   * Builds one sweep of {@code n} runs into {@code dir} (its config {@code bench.conf}, the base
   * model and the committed mask files under {@code out/}) and keeps it, without aggregating: for
   * timing the aggregate stage elsewhere, e.g. submitted to a cluster. Prints the command.
   */
  static void prepare(int n, int randomControls, List<Integer> hidden, int block, Path dir)
      throws IOException {
    checkSizes(List.of(n), List.of(block));
    sweep(n, randomControls, hidden, List.of(block), new double[] {0}, dir, System.out);
  }

  private static void checkSizes(List<Integer> sizes, List<Integer> blocks) {
    for (int n : sizes) {
      if (n < 2 || n % 2 != 0) {
        throw new IllegalArgumentException(
            "Cannot bench aggregation of " + n + " runs: must be even and at least 2");
      }
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("--overlap-block needs at least one block size");
    }
    for (int b : blocks) {
      if (b < 0) {
        throw new IllegalArgumentException(
            "Cannot use --overlap-block " + b + ": must be auto or ≥ 1");
      }
    }
  }

  /** The block size {@code auto} among the bench's block sizes. */
  static final int AUTO = 0;

  /** Rounds of the side-by-side counting-pass timings (every block size once per round). */
  static final int COUNT_ROUNDS = 3;

  /**
   * One sweep: its figures printed as JSON lines; {@code popcount} holds the single-core popcount
   * rate, measured (and printed) on the first sweep's parameter count. With {@code keep} non-null
   * the sweep is built there and kept, and not aggregated.
   */
  private static void sweep(
      int n,
      int randomControls,
      List<Integer> hidden,
      List<Integer> blocks,
      double[] popcount,
      Path keep,
      PrintStream out)
      throws IOException {
    int overlapBlock = blocks.get(0);
    Path tmp = keep != null ? keep : Files.createTempDirectory("subnetlab-bench-aggregation");
    try {
      Path conf = tmp.resolve("bench.conf");
      List<String> overrides =
          List.of(
              "model.hidden=" + hidden,
              "masks.seeds=" + IntStream.range(0, n / 2).boxed().toList(),
              "aggregate.random-controls=" + randomControls,
              "aggregate.overlap-block=" + (overlapBlock == AUTO ? "auto" : overlapBlock));
      // the overrides are written into the config too, so that a kept sweep aggregates as timed
      Files.writeString(conf, CONF + "\n" + String.join("\n", overrides) + "\n");
      Settings s = ConfigLoader.load(conf, overrides);
      OutputLayout dirs = OutputLayout.prepare(tmp.resolve("out"));
      SparkSession spark = SparkSessions.local("subnetlab bench --aggregation", "local[2]");
      try {
        Network model = TrainModelJob.run(spark, s, dirs);
        ParamLayout layout = ParamLayout.of(model);
        if (keep == null && popcount[0] == 0) {
          popcount[0] = popcountBitsPerSecond(layout.total());
          out.println(
              String.format(
                  Locale.ROOT,
                  "{\"name\": \"popcount_bits_per_s/one_core\", \"params\": %d, \"value\":"
                      + " %.6g, \"unit\": \"bits/s\"}",
                  layout.total(),
                  popcount[0]));
        }
        List<RunSpec> runs = SweepGrid.expand(s, Tasks.create(s).subtasks());
        if (runs.size() != n) {
          throw new IllegalStateException("bench sweep has " + runs.size() + " runs, not " + n);
        }
        long w0 = System.nanoTime();
        writeMasks(spark, dirs, layout, runs);
        double writeSeconds = (System.nanoTime() - w0) / 1e9;
        System.err.printf(
            Locale.ROOT, "bench --aggregation: %d mask files in %.1f s%n", n, writeSeconds);
        if (keep != null) {
          out.println(
              "Sweep of "
                  + n
                  + " runs ready; aggregate it with: AggregateJob "
                  + conf.toAbsolutePath()
                  + " --out "
                  + tmp.resolve("out").toAbsolutePath());
          return;
        }
        HeapPeaks peaks = HeapPeaks.start();
        long t0 = System.nanoTime();
        Map<String, Double> tables = AggregateJob.run(spark, s, dirs);
        double total = (System.nanoTime() - t0) / 1e9;
        peaks.stop();
        long pairs = (long) n * (n - 1) / 2;
        int[] sizes = new int[blocks.size()];
        for (int b = 0; b < sizes.length; b++) {
          sizes[b] =
              blocks.get(b) == AUTO ? AggregateJob.overlapBlock(spark, s, n, model) : blocks.get(b);
        }
        double[][] counting = new double[blocks.size()][COUNT_ROUNDS];
        long[] tasks = new long[blocks.size()];
        long[] first = null;
        for (int r = 0; r < COUNT_ROUNDS; r++) {
          for (int b = 0; b < blocks.size(); b++) {
            long c0 = System.nanoTime();
            long[] counted = AggregateJob.overlapCountsOnly(spark, dirs, sizes[b]);
            counting[b][r] = (System.nanoTime() - c0) / 1e9;
            if (counted[0] != pairs || (first != null && counted[1] != first[1])) {
              throw new IllegalStateException(
                  "bench counting pass with blocks of "
                      + sizes[b]
                      + " saw "
                      + counted[0]
                      + " pairs and "
                      + counted[1]
                      + " intersections, not "
                      + pairs
                      + (first == null ? "" : " and " + first[1]));
            }
            first = counted;
            tasks[b] = counted[2];
          }
        }
        double countSeconds = Arrays.stream(counting[0]).min().orElseThrow();
        double overlap = tables.get("overlap");
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", "aggregation");
        f.put("runs", n);
        f.put("params", layout.total());
        f.put("layers", layout.layers());
        f.put("pairs", pairs);
        f.put("random_controls", randomControls);
        f.put("master", "local[2]");
        f.put("seconds_total", total);
        f.put("seconds_overlap", overlap);
        tables.forEach((t, sec) -> f.putIfAbsent("seconds_" + t, sec));
        f.put("pairs_per_s", pairs / overlap);
        double bitOps = (double) pairs * layout.total() / overlap;
        f.put("bit_ops_per_s", bitOps);
        f.put("popcount_bits_per_s_one_core", popcount[0]);
        f.put("overlap_vs_popcount", bitOps / popcount[0]);
        f.put("overlap_block", sizes[0]);
        f.put("overlap_block_auto", overlapBlock == AUTO);
        f.put("seconds_overlap_counts_only", countSeconds);
        double countBitOps = (double) pairs * layout.total() / countSeconds;
        f.put("bit_ops_per_s_counts_only", countBitOps);
        f.put("counts_only_vs_popcount", countBitOps / popcount[0]);
        f.put("driver_peak_heap_mb", peaks.peakUsed / 1e6);
        f.put("driver_peak_heap_after_gc_mb", peaks.peakAfterGc.get() / 1e6);
        f.put("driver_max_heap_mb", Runtime.getRuntime().maxMemory() / 1e6);
        out.println(line(f));
        for (int b = 0; b < blocks.size(); b++) {
          Map<String, Object> c = new LinkedHashMap<>();
          double best = Arrays.stream(counting[b]).min().orElseThrow();
          c.put("name", "aggregation_counting_pass");
          c.put("runs", n);
          c.put("params", layout.total());
          c.put("overlap_block", sizes[b]);
          c.put("overlap_block_auto", blocks.get(b) == AUTO);
          c.put("block_pairs", tasks[b]);
          c.put("seconds_rounds", counting[b]);
          c.put("seconds_best", best);
          c.put("bit_ops_per_s_best", (double) pairs * layout.total() / best);
          c.put("best_vs_popcount", (double) pairs * layout.total() / best / popcount[0]);
          out.println(line(c));
        }
      } finally {
        spark.stop();
      }
    } finally {
      if (keep == null) {
        delete(tmp);
      }
    }
  }

  private static void delete(Path tmp) throws IOException {
    try (var files = Files.walk(tmp)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Commits one mask file per run, as {@code train-masks} would, with a random mask: run i keeps
   * each parameter with probability d_i ∈ [0.05, 0.5], both drawn from a stream seeded by i.
   */
  private static void writeMasks(
      SparkSession spark, OutputLayout out, ParamLayout layout, List<RunSpec> runs) {
    String dir = out.masks().toString();
    List<Integer> ids = IntStream.range(0, runs.size()).boxed().toList();
    ArrayList<RunSpec> specs = new ArrayList<>(runs);
    JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(ids, Math.min(ids.size(), 16))
        .foreach(
            i -> {
              SplittableRandom rng = new SplittableRandom(0x5eed_0000L + i);
              double density = 0.05 + 0.45 * rng.nextDouble();
              byte[][] bits = new byte[layout.layers()][];
              for (int l = 0; l < layout.layers(); l++) {
                float[] keep = new float[layout.size(l)];
                for (int p = 0; p < keep.length; p++) {
                  keep[p] = rng.nextDouble() < density ? 1f : 0f;
                }
                bits[l] = PackedBits.pack(keep, 0, keep.length);
              }
              MaskTrainingResult r =
                  new MaskTrainingResult(
                      new Mask(layout, bits), 0, 0.0, new float[0], new float[0]);
              MaskFiles.commit(Path.of(dir), new MaskRunner.Finished(specs.get(i), layout, r, 0L));
            });
  }

  /**
   * Bits per second of AND + popcount over two packed masks of {@code params} bits on one core (a
   * tight loop of {@code Long.bitCount(a[i] & b[i])}), the fastest of five timings of ~0.2 s.
   */
  static double popcountBitsPerSecond(long params) {
    int words = (int) ((params + 63) / 64);
    SplittableRandom rng = new SplittableRandom(7);
    long[] a = new long[words];
    long[] b = new long[words];
    for (int i = 0; i < words; i++) {
      a[i] = rng.nextLong();
      b[i] = rng.nextLong();
    }
    long sink = 0;
    for (int r = 0; r < 20_000; r++) { // warm-up: compiled before timing
      sink += andPopcount(a, b);
    }
    int reps = Math.max(1, (int) (2e8 / (64.0 * words)));
    double best = Double.POSITIVE_INFINITY;
    for (int t = 0; t < 5; t++) {
      long t0 = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        sink += andPopcount(a, b);
      }
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    if (sink == 42) {
      System.err.print("");
    }
    return 64.0 * words * reps / best;
  }

  private static long andPopcount(long[] a, long[] b) {
    long c = 0;
    for (int i = 0; i < a.length; i++) {
      c += Long.bitCount(a[i] & b[i]);
    }
    return c;
  }

  /** The heap's peak use over a span: pool peaks (garbage included) and the largest after GC. */
  private static final class HeapPeaks {
    final AtomicLong peakAfterGc = new AtomicLong();
    long peakUsed;
    private final List<Runnable> removals = new ArrayList<>();

    static HeapPeaks start() {
      System.gc();
      HeapPeaks h = new HeapPeaks();
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        p.resetPeakUsage();
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter e) {
          NotificationListener l =
              (notification, handback) -> {
                if (!notification
                    .getType()
                    .equals(
                        com.sun.management.GarbageCollectionNotificationInfo
                            .GARBAGE_COLLECTION_NOTIFICATION)) {
                  return;
                }
                var info =
                    com.sun.management.GarbageCollectionNotificationInfo.from(
                        (CompositeData) notification.getUserData());
                long used = 0;
                for (Map.Entry<String, MemoryUsage> u :
                    info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                  if (isHeap(u.getKey())) {
                    used += u.getValue().getUsed();
                  }
                }
                h.peakAfterGc.accumulateAndGet(used, Math::max);
              };
          e.addNotificationListener(l, null, null);
          h.removals.add(
              () -> {
                try {
                  e.removeNotificationListener(l);
                } catch (javax.management.ListenerNotFoundException ignored) {
                  // already gone
                }
              });
        }
      }
      return h;
    }

    void stop() {
      long peak = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP) {
          peak += p.getPeakUsage().getUsed();
        }
      }
      peakUsed = peak;
      removals.forEach(Runnable::run);
    }

    private static boolean isHeap(String pool) {
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getName().equals(pool)) {
          return p.getType() == MemoryType.HEAP;
        }
      }
      return false;
    }
  }

  private static String line(Map<String, Object> f) {
    return f.entrySet().stream()
        .map(e -> "\"" + e.getKey() + "\": " + json(e.getValue()))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static String json(Object v) {
    if (v instanceof double[] xs) {
      return Arrays.stream(xs)
          .mapToObj(x -> json((Object) x))
          .collect(Collectors.joining(", ", "[", "]"));
    }
    if (v instanceof String str) {
      return "\"" + str + "\"";
    }
    if (v instanceof Double d) {
      return String.format(Locale.ROOT, "%.6g", d);
    }
    return String.valueOf(v);
  }
}
