package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.spark.SparkSessions;
import org.subnetlab.model.ModelImport;
import org.subnetlab.model.Networks;
import org.subnetlab.task.Task;
import org.subnetlab.task.Tasks;

/**
 * Models the user brings: a Keras Sequential HDF5 file (a tiny test resource written by {@code
 * keras/make_tiny_keras.py} with numpy and h5py) and a DL4J model file, imported, checked against
 * the task, and given masks by the whole pipeline.
 */
class ModelImportTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static Path keras;

  @BeforeAll
  static void start() throws Exception {
    spark = SparkSessions.local("import-test", "local[2]");
    keras = dir.resolve("tiny-keras.h5");
    try (InputStream in = ModelImportTest.class.getResourceAsStream("/keras/tiny-keras.h5")) {
      Files.copy(in, keras);
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static Settings settings(String extra) throws Exception {
    Path conf = Files.createTempFile(dir, "import", ".conf");
    Files.writeString(
        conf,
        "include \""
            + TestConfigs.copy("tiny.conf", Files.createTempDirectory(dir, "c"))
            + "\"\n"
            + extra);
    return ConfigLoader.load(conf, List.of());
  }

  @Test
  void theKerasModelImportsWithItsOwnOutputs() throws Exception {
    org.subnetlab.model.Network net = assertReproduces(keras, "/keras/tiny-keras-expected.json");
    assertThat(net.isGraph()).isFalse();
  }

  /**
   * A functional Keras model with a skip connection (dense_1 -> dense_2, both concatenated into the
   * softmax layer; tiny-keras-functional.h5 from make_tiny_keras_functional.py) imports as a
   * ComputationGraph with its own outputs and gets masks through the pipeline.
   */
  @Test
  void aFunctionalKerasModelImportsAsAGraphAndGetsMasks() throws Exception {
    Path functional = dir.resolve("tiny-keras-functional.h5");
    try (InputStream in = getClass().getResourceAsStream("/keras/tiny-keras-functional.h5")) {
      Files.copy(in, functional);
    }
    org.subnetlab.model.Network net =
        assertReproduces(functional, "/keras/tiny-keras-functional-expected.json");
    assertThat(net.isGraph()).isTrue();
    OutputLayout out = OutputLayout.prepare(dir.resolve("functional-out"));
    PipelineJob.run(
        spark, settings("model.import = \"" + functional + "\"\nmasks.seeds = [0]"), out);
    assertThat(
            new org.subnetlab.model.ModelStore(out.model())
                .metadata()
                .getDouble("eval.ALL.accuracy"))
        .isEqualTo(1.0);
    assertSubnetworksSolveTheirSubtasks(out);
  }

  /** Imports {@code file} and checks its probabilities against the expected ones (to 1e-4). */
  private org.subnetlab.model.Network assertReproduces(Path file, String expectedResource)
      throws Exception {
    Task task = Tasks.create(settings(""));
    org.subnetlab.model.Network net = ModelImport.load(file, task);
    Config expected;
    try (InputStream in = getClass().getResourceAsStream(expectedResource)) {
      expected = ConfigFactory.parseString(new String(in.readAllBytes()));
    }
    List<List<Number>> inputs = (List<List<Number>>) expected.getAnyRef("inputs");
    List<List<Number>> probs = (List<List<Number>>) expected.getAnyRef("probabilities");
    for (int i = 0; i < inputs.size(); i++) {
      float[] x = new float[inputs.get(i).size()];
      for (int k = 0; k < x.length; k++) {
        x[k] = inputs.get(i).get(k).floatValue();
      }
      INDArray out = net.output(Nd4j.create(x, new long[] {1, x.length}, 'c'));
      for (int c = 0; c < 5; c++) {
        assertThat(out.getDouble(0, c))
            .as("example %d class %d", i, c)
            .isCloseTo(probs.get(i).get(c).doubleValue(), within(1e-4));
      }
    }
    return net;
  }

  @Test
  void anImportedKerasModelGetsMasksThroughThePipeline() throws Exception {
    OutputLayout out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, settings("model.import = \"" + keras + "\"\nmasks.seeds = [0]"), out);
    assertThat(
            new org.subnetlab.model.ModelStore(out.model())
                .metadata()
                .getDouble("eval.ALL.accuracy"))
        .isEqualTo(1.0);
    assertSubnetworksSolveTheirSubtasks(out);
    List<Row> density =
        spark
            .read()
            .parquet(out.table("sparsity").toString())
            .where("layer = 'ALL'")
            .select("density")
            .collectAsList();
    assertThat(density).allSatisfy(r -> assertThat(r.getDouble(0)).isLessThan(1.0));
  }

  @Test
  void modelsThatDoNotFitTheTaskAreRefused() throws Exception {
    Task task = Tasks.create(settings(""));
    MultiLayerNetwork seven =
        Networks.mlp(12, List.of(8), 7, "relu", 0.01, DataType.FLOAT, new SplittableRandom(1));
    Path zip = dir.resolve("seven.zip");
    seven.save(zip.toFile());
    assertThatThrownBy(() -> ModelImport.load(zip, task))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Model " + zip + " has 7 outputs; task arithmetic has 5 classes.");
    MultiLayerNetwork wide =
        Networks.mlp(20, List.of(8), 5, "relu", 0.01, DataType.FLOAT, new SplittableRandom(1));
    Path wideZip = dir.resolve("wide.zip");
    wide.save(wideZip.toFile());
    assertThatThrownBy(() -> ModelImport.load(wideZip, task))
        .hasMessageStartingWith(
            "Model " + wideZip + " does not take the task's inputs (12" + " features)");
    MultiLayerNetwork fits =
        Networks.mlp(12, List.of(8), 5, "relu", 0.01, DataType.FLOAT, new SplittableRandom(1));
    Path fitsZip = dir.resolve("fits.zip");
    fits.save(fitsZip.toFile());
    assertThat(ModelImport.load(fitsZip, task).numParams()).isEqualTo(fits.numParams());
    Path junk = Files.writeString(dir.resolve("junk.h5"), "not hdf5");
    assertThatThrownBy(() -> ModelImport.load(junk, task))
        .hasMessage(
            "Cannot import model "
                + junk
                + " (model.import) as a Keras HDF5 model: it is"
                + " not an HDF5 file (no HDF5 signature).");
    // Checked before DL4J or the native HDF5 library reads them (DL4J said "stream may have been
    // closed"; HDF5 printed a native error dump).
    Path emptyZip = Files.write(dir.resolve("empty.zip"), new byte[0]);
    assertThatThrownBy(() -> ModelImport.load(emptyZip, task))
        .hasMessage(
            "Cannot import model "
                + emptyZip
                + " (model.import) as a DL4J model: the"
                + " file is empty (0 bytes), not a DL4J model.");
    Path emptyH5 = Files.write(dir.resolve("empty.h5"), new byte[0]);
    assertThatThrownBy(() -> ModelImport.load(emptyH5, task))
        .hasMessage(
            "Cannot import model "
                + emptyH5
                + " (model.import) as a Keras HDF5 model:"
                + " the file is empty (0 bytes).");
    assertThatThrownBy(
            () ->
                settings("model.import = \"" + keras + "\"\n" + "masks.methods = [lottery-ticket]"))
        .hasMessageContaining("lottery-ticket rewinds to the model's initial weights");
  }

  /**
   * A DL4J ComputationGraph file with a skip connection (dense h1 -> dense h2, [h1, h2]
   * concatenated into the softmax layer), trained here on the task: imported, given masks by the
   * whole pipeline, its subnetworks solve their subtasks; clustering refuses it with a message.
   */
  @Test
  void aComputationGraphWithASkipConnectionGetsMasksThroughThePipeline() throws Exception {
    Settings plain = settings("");
    Task task = Tasks.create(plain);
    org.deeplearning4j.nn.graph.ComputationGraph graph =
        skipGraph(task.inputSize(), task.numClasses());
    java.util.SplittableRandom order = new java.util.SplittableRandom(5);
    for (int epoch = 0; epoch < 60; epoch++) {
      org.subnetlab.model.BaseModelTrainer.forEachBatch(task.trainSplit(), 64, order, graph::fit);
    }
    Path file = dir.resolve("skip-graph.zip");
    graph.save(file.toFile());
    org.subnetlab.model.Network imported = ModelImport.load(file, task);
    assertThat(imported.isGraph()).isTrue();
    assertThat(imported.numParams()).isEqualTo(graph.numParams());

    OutputLayout out = OutputLayout.prepare(dir.resolve("graph-out"));
    Settings s = settings("model.import = \"" + file + "\"\nmasks.seeds = [0]");
    PipelineJob.run(spark, s, out);
    assertThat(
            new org.subnetlab.model.ModelStore(out.model())
                .metadata()
                .getDouble("eval.ALL.accuracy"))
        .isGreaterThan(0.95);
    assertSubnetworksSolveTheirSubtasks(out);
    assertThat(
            spark
                .read()
                .parquet(out.table("sparsity").toString())
                .select("layer")
                .distinct()
                .collectAsList()
                .stream()
                .map(r -> r.getString(0)))
        .contains("h1_W", "h2_W", "out_W", "ALL");
    assertThatThrownBy(() -> ClusterJob.run(spark, s, out))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("it is a ComputationGraph");
  }

  /** Each of the 4 masks (2 methods x 2 subtasks) keeps > 0.8 accuracy on its own subtask. */
  private static void assertSubnetworksSolveTheirSubtasks(OutputLayout out) {
    List<Row> own =
        spark
            .read()
            .parquet(out.table("ablation").toString())
            .where("mode = 'subnetwork' AND eval_subtask = mask_subtask")
            .select("method", "mask_subtask", "accuracy")
            .collectAsList();
    assertThat(own).hasSize(4);
    for (Row r : own) {
      assertThat(r.getDouble(2)).as("%s %s", r.getString(0), r.getString(1)).isGreaterThan(0.8);
    }
  }

  static org.deeplearning4j.nn.graph.ComputationGraph skipGraph(int inputs, int classes) {
    org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
            .seed(3)
            .dataType(DataType.FLOAT)
            .updater(new org.nd4j.linalg.learning.config.Adam(0.01))
            .weightInit(org.deeplearning4j.nn.weights.WeightInit.RELU)
            .graphBuilder()
            .addInputs("in")
            .addLayer(
                "h1",
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder()
                    .nIn(inputs)
                    .nOut(32)
                    .activation(org.nd4j.linalg.activations.Activation.RELU)
                    .build(),
                "in")
            .addLayer(
                "h2",
                new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder()
                    .nIn(32)
                    .nOut(32)
                    .activation(org.nd4j.linalg.activations.Activation.RELU)
                    .build(),
                "h1")
            .addVertex("skip", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "h1", "h2")
            .addLayer(
                "out",
                new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT)
                    .nIn(64)
                    .nOut(classes)
                    .activation(org.nd4j.linalg.activations.Activation.SOFTMAX)
                    .build(),
                "skip")
            .setOutputs("out")
            .build();
    org.deeplearning4j.nn.graph.ComputationGraph g =
        new org.deeplearning4j.nn.graph.ComputationGraph(conf);
    g.init();
    return g;
  }
}
