package org.subnetlab.jobs.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.ModelSettings;
import org.subnetlab.model.BaseModelTrainer;
import org.subnetlab.model.ParamBridge;
import org.subnetlab.task.Task;

/**
 * The base model trained on the Spark executors ({@code model.trainer = spark}) with
 * Deeplearning4j's synchronous parameter averaging: each round, every executor fits {@code
 * averaging-frequency} minibatches from the same parameters, then parameters and Adam state are
 * averaged. Same network, initialisation and seeded minibatches as local training; the result
 * differs from it in the last digits (averaging is not sequential SGD).
 */
public final class SparkModelTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(SparkModelTrainer.class);

  private SparkModelTrainer() {}

  /**
   * The base model of {@code modelSeed}: initial weights, minibatch order and DL4J's training seed
   * from the model seed's streams ({@link BaseModelTrainer#stream}); model seed 0 keeps the ones
   * used before model seeds existed (DL4J's seed is then the global seed itself).
   */
  public static BaseModelTrainer.Trained train(
      SparkSession spark, Task task, ModelSettings s, long seed, long modelSeed) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    MultiLayerNetwork net =
        BaseModelTrainer.build(task, s, BaseModelTrainer.stream(seed, modelSeed, "model/init"));
    long dl4jSeed =
        modelSeed == 0
            ? seed
            : BaseModelTrainer.stream(seed, modelSeed, "model/spark-training").nextLong();
    float[] initial = ParamBridge.toFloats(net.params());
    int workers = jsc.defaultParallelism();
    ParameterAveragingTrainingMaster master =
        new ParameterAveragingTrainingMaster.Builder(workers, s.batchSize())
            .batchSizePerWorker(s.batchSize())
            .averagingFrequency(s.averagingFrequency())
            .workerPrefetchNumBatches(0)
            .rddTrainingApproach(RDDTrainingApproach.Direct)
            .collectTrainingStats(false)
            .rngSeed(dl4jSeed)
            .build();
    SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(jsc, net, master);
    SplittableRandom order = BaseModelTrainer.stream(seed, modelSeed, "model/batches");
    LOG.info(
        "DL4J Spark training (parameter averaging) on {} executor cores, averaging every {} "
            + "minibatches of {}",
        workers,
        s.averagingFrequency(),
        s.batchSize());
    try (JobGroup group =
        JobGroup.enter(
            spark, "subnetlab-train-model", "subnetlab: DL4J Spark training of the base model")) {
      for (int epoch = 0; epoch < s.epochs(); epoch++) {
        List<DataSet> batches = new ArrayList<>();
        BaseModelTrainer.forEachBatch(task.trainSplit(), s.batchSize(), order, batches::add);
        JavaRDD<DataSet> rdd = jsc.parallelize(batches, workers);
        sparkNet.fit(rdd);
        BaseModelTrainer.logEpoch(epoch, s.epochs(), task.trainSplit().size(), sparkNet.getScore());
      }
    } finally {
      master.deleteTempFiles(jsc);
    }
    MultiLayerNetwork trained = sparkNet.getNetwork();
    org.subnetlab.model.Network result = org.subnetlab.model.Network.of(trained);
    return new BaseModelTrainer.Trained(result, initial, BaseModelTrainer.evaluate(result, task));
  }
}
