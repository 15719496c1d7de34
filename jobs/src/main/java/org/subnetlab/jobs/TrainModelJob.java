package org.subnetlab.jobs;

import java.nio.file.Files;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkModelTrainer;
import org.subnetlab.jobs.spark.SparkTasks;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.BaseModelTrainer;
import org.subnetlab.model.Evaluation;
import org.subnetlab.model.Gpt2Model;
import org.subnetlab.model.ModelStore;
import org.subnetlab.model.Network;
import org.subnetlab.model.TransformerStore;
import org.subnetlab.model.TransformerTrainer;
import org.subnetlab.nativeblas.NativeThreads;
import org.subnetlab.task.Task;

/**
 * Stage 1: the base models, one per model seed ({@code model.seeds}; model seed 0 in {@code
 * model/}, model seed n in {@code model-seed-<n>/}). Reuses a model directory when it was made by
 * the same task/model config and model seed, refuses one made by another, and otherwise trains the
 * network on all subtasks (on the driver, or on the executors) and commits it atomically, one model
 * at a time: a killed run keeps the models finished before it.
 */
public final class TrainModelJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainModelJob.class);

  private TrainModelJob() {}

  public static void main(String[] args) {
    System.exit(StageMain.execute("subnetlab train-model", args, TrainModelJob::run));
  }

  /** Trains (or reuses) every base model; returns the one of the first model seed. */
  public static Network run(SparkSession spark, Settings s, OutputLayout out) {
    if (s.isTransformer()) {
      trainTransformers(spark, s, out);
      return null;
    }
    return runAll(spark, s, out).values().iterator().next();
  }

  /**
   * {@code model.kind = transformer}: trains (or reuses) one GPT-2-style decoder per model seed on
   * the driver and stores it as Hugging Face lays out a GPT-2 ({@link TransformerStore}).
   */
  public static Map<Long, TransformerTrainer.Trained> trainTransformers(
      Settings s, OutputLayout out) {
    return trainTransformers(null, s, out);
  }

  /**
   * As {@link #trainTransformers(Settings, OutputLayout)}, the task read through {@code spark} when
   * it is a table of token sequences ({@code task.name = sequences}); null: built-in tasks only.
   */
  public static Map<Long, TransformerTrainer.Trained> trainTransformers(
      SparkSession spark, Settings s, OutputLayout out) {
    Map<Long, TransformerTrainer.Trained> models = new java.util.LinkedHashMap<>();
    Task task = null;
    for (long modelSeed : s.model().seeds()) {
      TransformerStore store = new TransformerStore(out.model(modelSeed));
      String fp = s.modelFingerprint(modelSeed);
      if (task == null) {
        task = spark != null ? SparkTasks.create(spark, s) : org.subnetlab.task.Tasks.create(s);
      }
      if (store.exists()) {
        models.put(modelSeed, store.loadTrained(fp, task));
        LOG.info("Reusing the transformer in {} (fingerprint {})", store.dir(), fp);
        continue;
      }
      if (Files.exists(store.dir())) {
        throw new org.subnetlab.config.BadInputException(
            "Cannot use "
                + store.dir()
                + " as the model directory: it exists but holds no "
                + TransformerStore.META_FILE
                + " (not a subnetlab model); move it away or use a new --out.");
      }
      long t0 = System.nanoTime();
      TransformerTrainer.Trained t =
          s.transformer().isImported()
              ? TransformerTrainer.imported(
                  java.nio.file.Path.of(s.transformer().importPath()), task, s.seed(), modelSeed)
              : TransformerTrainer.train(s.transformer(), task, s.seed(), modelSeed);
      store.save(t, fp);
      for (Map.Entry<String, Evaluation> e : t.evaluation().entrySet()) {
        LOG.info(
            "transformer (model seed {}) eval accuracy {}: {}",
            modelSeed,
            e.getKey(),
            String.format("%.4f", e.getValue().accuracy()));
      }
      LOG.info(
          (s.transformer().isImported() ? "Imported" : "Trained")
              + " the transformer ({} parameters) in {} s; stored in {}",
          t.params().length,
          (System.nanoTime() - t0) / 1_000_000_000,
          store.dir());
      models.put(modelSeed, t);
    }
    return models;
  }

  /**
   * Trains (or reuses) every base model of either kind; returns the one of the first model seed as
   * the mask stages see it.
   */
  public static BaseModel trainBase(SparkSession spark, Settings s, OutputLayout out) {
    if (s.isTransformer()) {
      TransformerTrainer.Trained t = trainTransformers(spark, s, out).values().iterator().next();
      return new Gpt2Model(t.config(), t.params());
    }
    return runAll(spark, s, out).values().iterator().next();
  }

  /** Every base model of this config by model seed, in the order of {@code model.seeds}. */
  public static Map<Long, Network> runAll(SparkSession spark, Settings s, OutputLayout out) {
    Map<Long, Network> models = new java.util.LinkedHashMap<>();
    Task[] task = new Task[1]; // built once, and only when a model has to be trained
    for (long modelSeed : s.model().seeds()) {
      models.put(
          modelSeed,
          run(
              spark,
              s,
              out,
              modelSeed,
              () -> {
                if (task[0] == null) {
                  task[0] = SparkTasks.create(spark, s);
                }
                return task[0];
              }));
    }
    return models;
  }

  /** The stored base models by model seed (each checked against this config's fingerprint). */
  public static Map<Long, BaseModel> load(Settings s, OutputLayout out) {
    Map<Long, BaseModel> models = new java.util.LinkedHashMap<>();
    for (long modelSeed : s.model().seeds()) {
      models.put(modelSeed, load(s, out, modelSeed));
    }
    return models;
  }

  /** The stored base model of {@code modelSeed}, checked against this config's fingerprint. */
  public static BaseModel load(Settings s, OutputLayout out, long modelSeed) {
    String fp = s.modelFingerprint(modelSeed);
    if (s.isTransformer()) {
      TransformerStore store = new TransformerStore(out.model(modelSeed));
      if (!store.exists()) {
        throw new org.subnetlab.config.BadInputException(
            "No transformer at "
                + store.dir()
                + " (missing "
                + TransformerStore.META_FILE
                + "); run `subnetlab train-model` or `subnetlab run` with this --out first.");
      }
      return store.model(fp);
    }
    return new ModelStore(out.model(modelSeed)).load(fp);
  }

  /** The initial parameters θ_init stored with the base model of {@code modelSeed}. */
  public static float[] initialParams(Settings s, OutputLayout out, long modelSeed) {
    if (s.isTransformer()) {
      return new TransformerStore(out.model(modelSeed))
          .initialParams(s.modelFingerprint(modelSeed));
    }
    return new ModelStore(out.model(modelSeed)).initialParams();
  }

  private static Network run(
      SparkSession spark,
      Settings s,
      OutputLayout out,
      long modelSeed,
      java.util.function.Supplier<Task> tasks) {
    ModelStore store = new ModelStore(out.model(modelSeed));
    String fp = s.modelFingerprint(modelSeed);
    String which = s.model().severalSeeds() ? " of model seed " + modelSeed : "";
    if (Files.exists(store.dir().resolve(ModelStore.META_FILE))) {
      Network net = store.load(fp);
      LOG.info("Reusing the base model{} in {} (fingerprint {})", which, store.dir(), fp);
      return net;
    }
    if (store.exists()) {
      throw new org.subnetlab.config.BadInputException(
          "Cannot use "
              + store.dir()
              + " as the model directory: it exists but holds no "
              + ModelStore.META_FILE
              + " (not a subnetlab model); move it away or use a new --out.");
    }
    Task task = tasks.get();
    long t0 = System.nanoTime();
    if (s.model().isImported()) {
      java.nio.file.Path file = java.nio.file.Path.of(s.model().importPath());
      BaseModelTrainer.Trained t =
          BaseModelTrainer.imported(org.subnetlab.model.ModelImport.load(file, task), task);
      store.save(t, fp);
      LOG.info(
          "Imported the base model {} ({} parameters); eval accuracy {}",
          file,
          t.net().numParams(),
          String.format("%.4f", t.evaluation().get("ALL").accuracy()));
      return t.net();
    }
    LOG.info(
        "Training the base model{}{}: {} {} -> {}{} -> {}, {} epochs on {} examples",
        which,
        s.model().trainsOnSpark() ? " on the Spark executors" : "",
        s.model().isCnn() ? "CNN" : "MLP",
        java.util.Arrays.toString(task.inputShape()).replace(", ", "x"),
        s.model().isCnn()
            ? "conv "
                + s.model().conv()
                + " ("
                + s.model().kernel()
                + "x"
                + s.model().kernel()
                + ", 2x2 max-pool) -> "
            : "",
        s.model().hidden(),
        task.numClasses(),
        s.model().epochs(),
        task.trainSplit().size());
    BaseModelTrainer.Trained t;
    if (s.model().trainsOnSpark()) {
      t = SparkModelTrainer.train(spark, task, s.model(), s.seed(), modelSeed);
    } else {
      // The driver trains alone before the sweep: let libnd4j's ops use every core it has (the
      // sweep's tasks set one thread each again). OpenBLAS keeps its thread count (one under
      // bin/subnetlab): with two threads its sgemm rounds differently and the same config would
      // give another base model than before.
      NativeThreads.limitNd4j(Runtime.getRuntime().availableProcessors());
      try {
        t = BaseModelTrainer.train(task, s.model(), s.seed(), modelSeed);
      } finally {
        NativeThreads.limitNd4j(1);
      }
    }
    store.save(t, fp);
    for (Map.Entry<String, Evaluation> e : t.evaluation().entrySet()) {
      LOG.info(
          "base model{} eval accuracy {}: {}",
          which,
          e.getKey(),
          String.format("%.4f", e.getValue().accuracy()));
    }
    LOG.info(
        "Base model{} trained in {} s and saved to {}",
        which,
        (System.nanoTime() - t0) / 1_000_000_000,
        store.dir());
    return t.net();
  }
}
