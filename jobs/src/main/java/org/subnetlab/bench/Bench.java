package org.subnetlab.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.TrainMasksJob;
import org.subnetlab.jobs.TrainModelJob;
import org.subnetlab.jobs.output.MaskFiles;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.mask.MaskContext;
import org.subnetlab.mask.MaskMethods;
import org.subnetlab.mask.PackedBits;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.Network;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.nativeblas.NativeKernels;
import org.subnetlab.nativeblas.NativeThreads;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;
import org.subnetlab.task.Dataset;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code subnetlab bench}: throughput figures, one JSON line each — mask-training steps/s per
 * method on one core for the reference shape (MLP 784-256-256-10, batch 128) and the demo model,
 * the demo sweep's speed-up from one to two Spark cores next to the same runs' speed-up on two
 * plain threads, overlap throughput on packed bits, and peak heap of one mask run. When the PyTorch
 * peer script and a Python with torch are present, runs it on the same shapes and adds its figures
 * and the ratio.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Print throughput figures as JSON lines (one core; see docs/performance.md).")
public final class Bench implements Callable<Integer> {
  @Option(names = "--steps", defaultValue = "200", description = "Timed steps per figure.")
  int steps;

  @Option(
      names = "--sweep-seeds",
      defaultValue = "4",
      description = "Seeds of the timed demo sweep (6 runs each; default: ${DEFAULT-VALUE}).")
  int sweepSeeds;

  @Option(
      names = "--sweep-steps",
      description = "Steps of every run of the timed sweep (default: the demo's 1500 and 1000).")
  Integer sweepSteps;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description =
          "Timings per core count of the sweep and of the plain threads; the fastest "
              + "counts (default: ${DEFAULT-VALUE}; more on a noisy machine).")
  int repeats;

  @Option(
      names = "--warm-ups",
      defaultValue = "3",
      description =
          "Untimed sweeps on two cores before the timed ones, so that most of the JIT's "
              + "compile tail is behind the timings (default: ${DEFAULT-VALUE}).")
  int warmUps;

  @Option(
      names = "--eigen-commons-units",
      defaultValue = "600",
      description =
          "Units of the smaller weight graph on which LAPACK's dsyevr is timed against "
              + "commons-math3's EigenDecomposition (which takes ~40 s on the 1,818-unit one); 0 "
              + "skips that comparison (default: ${DEFAULT-VALUE}).")
  int eigenCommonsUnits;

  @Option(
      names = "--eigen-only",
      description = "Print only the eigen-decomposition figures (a minute or two).")
  boolean eigenOnly;

  @Option(
      names = "--peer",
      defaultValue = "jobs/src/bench/python/torch_masks.py",
      description =
          "The PyTorch peer script, relative to the repository root (default: ${DEFAULT-VALUE};"
              + " skipped when absent or torch is missing).")
  Path peer;

  @Option(
      names = "--transformer-only",
      description = "Print only the transformer mask-training figures beside their peer.")
  boolean transformerOnly;

  @Option(
      names = "--transformer-steps",
      defaultValue = "60",
      description =
          "Timed steps per transformer figure, the peer's too (default: ${DEFAULT-VALUE}).")
  int transformerSteps;

  @Option(
      names = "--transformer-peer",
      defaultValue = "jobs/src/bench/python/torch_transformer_masks.py",
      description =
          "The PyTorch transformer peer, relative to the repository root (default:"
              + " ${DEFAULT-VALUE}; skipped when absent or torch is missing).")
  Path transformerPeer;

  @Option(
      names = "--aggregation",
      description =
          "Print only the aggregation-scaling figures: the aggregate stage on synthetic sweeps"
              + " (see --aggregation-runs).")
  boolean aggregation;

  @Option(
      names = "--aggregation-runs",
      split = ",",
      defaultValue = "250,500,1000,2000",
      description = "Sweep sizes (runs, even) of --aggregation (default: ${DEFAULT-VALUE}).")
  List<Integer> aggregationRuns;

  @Option(
      names = "--random-controls",
      defaultValue = "2",
      description =
          "aggregate.random-controls of the --aggregation sweeps (default: ${DEFAULT-VALUE}).")
  int randomControls;

  @Option(
      names = "--aggregation-hidden",
      split = ",",
      defaultValue = "448,448",
      description =
          "Hidden layers of the --aggregation sweeps' MLP (default: ${DEFAULT-VALUE}: 224,016"
              + " parameters).")
  List<Integer> aggregationHidden;

  @Option(
      names = "--overlap-block",
      split = ",",
      defaultValue = "auto",
      description =
          "aggregate.overlap-block of the --aggregation sweeps, auto or runs (default:"
              + " ${DEFAULT-VALUE}); with several sizes the stage runs with the first and the"
              + " counting pass is timed for each, side by side.")
  List<String> overlapBlock;

  @Option(
      names = "--aggregation-prepare",
      paramLabel = "DIR",
      description =
          "With --aggregation and one --aggregation-runs size: build that sweep into DIR (its"
              + " bench.conf, base model and mask files under DIR/out) and keep it, without"
              + " aggregating; e.g. to time the aggregate stage submitted to a cluster.")
  Path aggregationPrepare;

  /** The --overlap-block sizes, auto as {@link AggregationBench#AUTO}. */
  private List<Integer> blockSizes() {
    List<Integer> out = new ArrayList<>();
    for (String b : overlapBlock) {
      if (b.equals("auto")) {
        out.add(AggregationBench.AUTO);
        continue;
      }
      try {
        int v = Integer.parseInt(b.trim());
        if (v >= 1) {
          out.add(v);
          continue;
        }
      } catch (NumberFormatException e) {
        // refused below
      }
      throw new IllegalArgumentException(
          "Cannot use --overlap-block " + b + ": must be auto or an integer ≥ 1");
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    if (repeats < 1) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--repeats must be at least 1, got " + repeats);
    }
    if (warmUps < 0) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--warm-ups must be at least 0, got " + warmUps);
    }
    if (transformerSteps < 1) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          "--transformer-steps must be at least 1, got " + transformerSteps);
    }
    NativeThreads.limit(1);
    if (aggregation) {
      try {
        if (aggregationPrepare != null) {
          if (aggregationRuns.size() != 1 || overlapBlock.size() != 1) {
            throw new IllegalArgumentException(
                "--aggregation-prepare builds one sweep: give one --aggregation-runs size and one"
                    + " --overlap-block");
          }
          if (Files.exists(aggregationPrepare)) {
            throw new IllegalArgumentException(
                "Cannot prepare a sweep in " + aggregationPrepare + ": it exists");
          }
          Files.createDirectories(aggregationPrepare);
          AggregationBench.prepare(
              aggregationRuns.get(0),
              randomControls,
              aggregationHidden,
              blockSizes().get(0),
              aggregationPrepare);
          return 0;
        }
        AggregationBench.run(
            aggregationRuns, randomControls, aggregationHidden, blockSizes(), System.out);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this), e.getMessage());
      }
      return 0;
    }
    if (eigenOnly) {
      eigenFigures();
      return 0;
    }
    if (transformerOnly) {
      transformerFigures();
      return 0;
    }
    // stdout is JSON lines
    System.err.println(
        "OpenBLAS kernels: "
            + NativeKernels.loadedCore()
            + "; MLP products: "
            + NativeKernels.mlpProducts());
    for (int[] shape : new int[][] {{784, 256, 256, 10}, {35, 128, 128, 16}}) {
      String sizes = join(shape);
      for (String method : List.of("csordas", "continuous-sparsification")) {
        double stepsPerS = maskSteps(shape, method, steps);
        Map<String, Object> peerFigures = peer(sizes, method);
        Double peerValue = (Double) peerFigures.get("steps_per_s");
        line("mask_steps_per_s/" + method + "/" + sizes, stepsPerS, "steps/s", peerValue);
        line(
            "mask_examples_per_s/" + method + "/" + sizes,
            stepsPerS * 128,
            "examples/s",
            peerValue == null ? null : peerValue * 128);
      }
    }
    double[] sweep = sweepSeconds(sweepSeeds, sweepSteps, warmUps, repeats);
    line("sweep_seconds/local[1]", sweep[0], "s", null);
    line("sweep_seconds/local[2]", sweep[1], "s", null);
    line("sweep_speedup_1_to_2_cores", sweep[0] / sweep[1], "x", null);
    line("threads_speedup_1_to_2/demo_runs", sweep[2] / sweep[3], "x", null);
    line("overlap_parameter_pairs_per_s", overlapPairsPerSecond(), "pairs/s", null);
    line("peak_heap_one_run/csordas/784,256,256,10", peakHeapMb(), "MB", null);
    transformerFigures();
    eigenFigures();
    return 0;
  }

  /** Mask-training steps/s and tokens/s per method on the transformer peer's shape. */
  void transformerFigures() {
    for (TransformerBench.Figure f :
        TransformerBench.figures(transformerSteps, transformerPeer, repeats)) {
      line(f.name(), f.value(), f.unit(), f.peerValue());
    }
  }

  /**
   * One decomposition of the normalised Laplacian of a random 4 × 256 MLP's weight graph (784
   * inputs, 10 outputs: 1,818 units, the setting of Filan et al.'s MLPs): the k = 12 smallest
   * eigenpairs by LAPACK's dsyevr (what the exact cluster backend runs) against LAPACK's full
   * dsyevd; and on a smaller graph dsyevr against commons-math3's EigenDecomposition (the solver of
   * earlier versions). The fastest of two timings each.
   */
  void eigenFigures() {
    System.err.println("bench: LAPACK " + org.subnetlab.cluster.SymmetricEigen.backend());
    double[][] big = laplacian(784, List.of(256, 256, 256, 256), 10);
    int n = big.length;
    double evr =
        fastestOf(2, () -> org.subnetlab.cluster.SymmetricEigen.smallest(columnMajor(big), n, 12));
    double evd = fastestOf(2, () -> org.subnetlab.cluster.SymmetricEigen.all(columnMajor(big), n));
    line("eigen_seconds/dsyevr_k12/n" + n, evr, "s", null);
    line("eigen_seconds/dsyevd_full/n" + n, evd, "s", null);
    line("eigen_speedup_dsyevr_vs_dsyevd/n" + n, evd / evr, "x", null);
    if (eigenCommonsUnits > 0) {
      // inputs : hidden = 784 : 256 as above, two hidden layers, 10 outputs
      int hidden = Math.max(2, (int) Math.round((eigenCommonsUnits - 10) / (784.0 / 256 + 2)));
      int inputs = Math.max(2, eigenCommonsUnits - 10 - 2 * hidden);
      double[][] small = laplacian(inputs, List.of(hidden, hidden), 10);
      int m = small.length;
      double smallEvr =
          fastestOf(
              2, () -> org.subnetlab.cluster.SymmetricEigen.smallest(columnMajor(small), m, 12));
      double cm =
          fastestOf(
              2,
              () ->
                  new org.apache.commons.math3.linear.EigenDecomposition(
                      new org.apache.commons.math3.linear.Array2DRowRealMatrix(small, true)));
      line("eigen_seconds/dsyevr_k12/n" + m, smallEvr, "s", null);
      line("eigen_seconds/commons_math3/n" + m, cm, "s", null);
      line("eigen_speedup_dsyevr_vs_commons_math3/n" + m, cm / smallEvr, "x", null);
    }
  }

  /** The normalised Laplacian of the weight graph of a DL4J-initialised MLP. */
  private static double[][] laplacian(int in, List<Integer> hidden, int out) {
    org.deeplearning4j.nn.multilayer.MultiLayerNetwork net =
        org.subnetlab.model.Networks.mlp(
            in,
            hidden,
            out,
            "relu",
            0.01,
            org.nd4j.linalg.api.buffer.DataType.FLOAT,
            new SplittableRandom(0));
    org.subnetlab.model.ParamLayout layout = org.subnetlab.model.ParamLayout.of(net);
    float[] theta = org.subnetlab.model.ParamBridge.toFloats(net.params());
    return org.subnetlab.cluster.Spectral.normalisedLaplacian(
        org.subnetlab.cluster.WeightGraph.of(layout, theta).adjacency());
  }

  private static double[] columnMajor(double[][] a) {
    int n = a.length;
    double[] out = new double[n * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, out, i * n, n); // symmetric: rows are columns
    }
    return out;
  }

  private static double fastestOf(int times, Runnable r) {
    double best = Double.POSITIVE_INFINITY;
    for (int t = 0; t < times; t++) {
      long t0 = System.nanoTime();
      r.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  private static String join(int[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int s : shape) {
      sb.append(sb.length() == 0 ? "" : ",").append(s);
    }
    return sb.toString();
  }

  private static MaskContext context(int[] shape, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Integer> hidden = new ArrayList<>();
    for (int i = 1; i < shape.length - 1; i++) {
      hidden.add(shape[i]);
    }
    int classes = shape[shape.length - 1];
    MultiLayerNetwork net =
        Networks.mlp(shape[0], hidden, classes, "relu", 0.01, DataType.FLOAT, rng);
    int n = 1024;
    float[] x = new float[n * shape[0]];
    int[] y = new int[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Networks.gaussian(rng);
    }
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(classes);
    }
    Dataset data = new Dataset(shape[0], classes, x, y, new int[n], List.of("all"));
    float[] theta = ParamBridge.toFloats(net.params());
    return new MaskContext(new Dl4jObjective(net), theta, theta, ParamLayout.of(net), data, rng);
  }

  private static Map<String, Double> hyperparameters(String method, int steps) {
    Map<String, Double> hp = new LinkedHashMap<>();
    hp.put("steps", (double) steps);
    hp.put("batch-size", 128.0);
    hp.put("learning-rate", 0.01);
    if (method.equals("csordas")) {
      hp.put("alpha", 1e-4);
      hp.put("tau", 1.0);
      hp.put("logit-init", 0.9);
      hp.put("masks-per-batch", 4.0);
    } else {
      hp.put("lambda", 1e-4);
      hp.put("beta-start", 1.0);
      hp.put("beta-end", 1.0);
      hp.put("mask-init", 1.0);
    }
    return hp;
  }

  /** Steps/s of one mask run after a warm-up run of 20 steps (the peer warms up 20 too). */
  static double maskSteps(int[] shape, String method, int steps) {
    MaskContext ctx = context(shape, 1);
    MaskMethods.create(method, hyperparameters(method, 20)).train(ctx);
    long t0 = System.nanoTime();
    MaskMethods.create(method, hyperparameters(method, steps)).train(ctx);
    return steps / ((System.nanoTime() - t0) / 1e9);
  }

  /** The demo's task, model and sweep (conf/demo.conf): csordas and CS, 3 subtasks per seed. */
  private static final String DEMO =
      String.join(
          "\n",
          "seed = 0",
          "task { name = arithmetic, arithmetic { modulus = 16, operations = [add, sub, mul] } }",
          "model { hidden = [128, 128], epochs = 20, batch-size = 128, learning-rate = 0.003 }",
          "masks { methods = [csordas, continuous-sparsification], seeds = [0, 1, 2],",
          "  csordas.steps = 1500, continuous-sparsification.steps = 1000 }");

  /**
   * Wall seconds of the demo's mask sweep with {@code seeds} seeds (the train-masks stage: Spark
   * tasks that train each run's mask and commit its file) on an embedded Spark with one and with
   * two cores, and of the same runs without Spark ({@link #threadsSeconds}), on one trained base
   * model, after {@code warmUps} untimed sweeps on two cores; session start excluded; the fastest
   * of {@code repeats} each ({@link #fastest}). Returns {sweep on 1 core, on 2, threads 1, threads
   * 2}.
   */
  static double[] sweepSeconds(int seeds, Integer steps, int warmUps, int repeats)
      throws Exception {
    Path tmp = Files.createTempDirectory("subnetlab-bench");
    try {
      Path conf = tmp.resolve("demo.conf");
      Files.writeString(conf, DEMO);
      List<String> sweep = new ArrayList<>();
      sweep.add("masks.seeds=" + java.util.stream.IntStream.range(0, seeds).boxed().toList());
      if (steps != null) {
        sweep.add("masks.csordas.steps=" + steps);
        sweep.add("masks.continuous-sparsification.steps=" + steps);
      }
      Settings s = ConfigLoader.load(conf, sweep);
      OutputLayout base = OutputLayout.prepare(tmp.resolve("base"));
      Network model;
      SparkSession spark = SparkSessions.local("subnetlab bench", "local[2]");
      try {
        model = TrainModelJob.run(spark, s, base);
      } finally {
        spark.stop();
      }
      Task task = Tasks.create(s);
      List<RunSpec> runs = SweepGrid.longestFirst(SweepGrid.expand(s, task.subtasks()));
      float[] initial = new ModelStore(base.model()).initialParams();
      // Warm-up: whole sweeps, so that the JIT has compiled the commit path (Parquet, Spark's task
      // code) as well as the training loop before anything is timed. Code that runs a few times
      // per run reaches its compile thresholds over several sweeps: the compiler threads took
      // 5.5, 2.3, 1.6, 1.7, 0.7, 0.5 s of CPU in six consecutive 24-run sweeps of one JVM, which
      // on two cores comes out of the runs' time and on one core runs on the idle other core.
      for (int w = 1; w <= warmUps; w++) {
        Path dir = tmp.resolve("warm-up-" + w);
        logged(
            "warm-up sweep " + w + " of " + warmUps,
            2,
            cores -> timedSweep(s, base, model, dir, "local[" + cores + "]"));
      }
      int[] k = {0};
      return fastest(
          repeats,
          cores ->
              timedSweep(s, base, model, tmp.resolve("sweep-" + k[0]++), "local[" + cores + "]"),
          threads ->
              threadsSeconds(
                  runs,
                  model,
                  initial,
                  task,
                  Files.createDirectories(tmp.resolve("threads-" + k[0]++)),
                  threads));
    } finally {
      try (var files = Files.walk(tmp)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static double timedSweep(
      Settings s, OutputLayout base, Network model, Path dir, String master) throws IOException {
    OutputLayout out = OutputLayout.prepare(dir);
    try (var files = Files.walk(base.model())) {
      for (Path p : files.toList()) {
        Path target = out.model().resolve(base.model().relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    SparkSession spark = SparkSessions.local("subnetlab bench", master);
    try {
      long t0 = System.nanoTime();
      TrainMasksJob.SweepOutcome o = TrainMasksJob.sweep(spark, s, out, model);
      if (o.trained() != o.total()) {
        throw new IllegalStateException("bench sweep trained " + o.trained() + " of " + o.total());
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      spark.stop();
    }
  }

  /**
   * What one or two cores of this machine give the sweep's work without Spark: the same runs,
   * longest first, each trained ({@link MaskRunner#run}) and its file committed, on {@code threads}
   * plain Java threads that take runs from one queue and share the base model, as the tasks of one
   * executor do. The sweep's speed-up cannot exceed this one's by much; the gap between the two is
   * what Spark costs.
   */
  static double threadsSeconds(
      List<RunSpec> runs, Network model, float[] initial, Task task, Path masks, int threads)
      throws Exception {
    java.util.concurrent.ConcurrentLinkedQueue<RunSpec> queue =
        new java.util.concurrent.ConcurrentLinkedQueue<>(runs);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Runnable work =
        () -> {
          try {
            for (RunSpec r; failure.get() == null && (r = queue.poll()) != null; ) {
              MaskFiles.commit(masks, MaskRunner.run(r, model, initial, task));
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          }
        };
    long t0 = System.nanoTime();
    List<Thread> others = new ArrayList<>();
    for (int t = 1; t < threads; t++) {
      Thread other = new Thread(work, "bench-thread-" + t);
      other.start();
      others.add(other);
    }
    work.run();
    for (Thread other : others) {
      other.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("bench runs on plain threads failed", failure.get());
    }
    if (MaskFiles.committed(masks).size() != runs.size()) {
      throw new IllegalStateException(
          "bench threads committed "
              + MaskFiles.committed(masks).size()
              + " of "
              + runs.size()
              + " runs");
    }
    return seconds;
  }

  /** Seconds of one timing with 1 or 2 cores (Spark cores or threads). */
  private interface Timing {
    double seconds(int cores) throws Exception;
  }

  /**
   * The fastest of {@code repeats} timings of the sweep and of the plain threads with one core and
   * of as many with two, taken in pairs whose order alternates (1, 2, then 2, 1, then 1, 2, ...),
   * the sweep and the threads one after the other at each step, so that the VM's drift hits all
   * four: the same sweep varies by 10–25 % from one repetition to the next here. Every timing goes
   * to stderr. Returns {sweep 1, sweep 2, threads 1, threads 2}.
   */
  private static double[] fastest(int repeats, Timing sweep, Timing threads) throws Exception {
    double[] fastest = new double[4];
    java.util.Arrays.fill(fastest, Double.POSITIVE_INFINITY);
    for (int r = 0; r < repeats; r++) {
      for (int cores : r % 2 == 0 ? new int[] {1, 2} : new int[] {2, 1}) {
        fastest[cores - 1] = Math.min(fastest[cores - 1], logged("sweep", cores, sweep));
        fastest[cores + 1] = Math.min(fastest[cores + 1], logged("threads", cores, threads));
      }
    }
    return fastest;
  }

  /**
   * Times {@code timing} and logs the seconds on stderr with the JIT compiler's time over the same
   * span (CPU of HotSpot's compiler threads, summed, where the JVM reports it).
   */
  private static double logged(String what, int cores, Timing timing) throws Exception {
    var jit = ManagementFactory.getCompilationMXBean();
    boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
    long jit0 = jitTimed ? jit.getTotalCompilationTime() : 0;
    double t = timing.seconds(cores);
    String compiler =
        jitTimed
            ? String.format(
                Locale.ROOT, " (JIT compiler %.2f s)", (jit.getTotalCompilationTime() - jit0) / 1e3)
            : "";
    System.err.printf(
        Locale.ROOT,
        "bench: %s with %d core%s: %.3f s%s%n",
        what,
        cores,
        cores == 1 ? "" : "s",
        t,
        compiler);
    return t;
  }

  /** Parameter pairs compared per second by the popcount intersection of two packed masks. */
  static double overlapPairsPerSecond() {
    int n = 268_800;
    SplittableRandom rng = new SplittableRandom(3);
    float[] a = new float[n];
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextBoolean() ? 1 : 0;
      b[i] = rng.nextBoolean() ? 1 : 0;
    }
    byte[] pa = PackedBits.pack(a, 0, n);
    byte[] pb = PackedBits.pack(b, 0, n);
    long sink = 0;
    for (int r = 0; r < 2000; r++) {
      sink += PackedBits.intersection(pa, pb);
    }
    int reps = 20_000;
    long t0 = System.nanoTime();
    for (int r = 0; r < reps; r++) {
      sink += PackedBits.intersection(pa, pb);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    if (sink == 42) {
      System.err.print("");
    }
    return (double) n * reps / s;
  }

  /** Peak heap (MB) while one csordas run of 100 steps trains on the reference shape. */
  static double peakHeapMb() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
    maskSteps(new int[] {784, 256, 256, 10}, "csordas", 100);
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        peak += p.getPeakUsage().getUsed();
      }
    }
    return peak / 1e6;
  }

  /** The peer's figures for one shape and method, or an empty map when it cannot run. */
  private Map<String, Object> peer(String sizes, String method) {
    Map<String, Object> out = new LinkedHashMap<>();
    Double v =
        PeerProcess.stepsPerSecond(
            peer,
            List.of("--sizes", sizes, "--method", method.equals("csordas") ? "csordas" : "cs"),
            steps);
    if (v != null) {
      out.put("steps_per_s", v);
    }
    return out;
  }

  private static void line(String name, double value, String unit, Double peerValue) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "{\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"",
                name,
                value,
                unit));
    if (peerValue != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              ", \"peer_value\": %.6g, \"ratio_vs_peer\": %.4f",
              peerValue,
              value / peerValue));
    }
    System.out.println(sb.append('}'));
  }
}
