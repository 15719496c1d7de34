package org.subnetlab.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.config.BadInputException;
import org.subnetlab.task.Task;

/**
 * Models the user brings: a DL4J MultiLayerNetwork file or a Keras Sequential HDF5 file, checked
 * against the task (input size and number of classes) before any mask is trained on it.
 */
public final class ModelImport {
  private ModelImport() {}

  public static MultiLayerNetwork load(Path file, Task task) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException("Cannot set model.import to " + file + ": no such file.");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean keras = name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".keras");
    MultiLayerNetwork net;
    try {
      // enforceTrainingConfig = true: only then does the import add the loss of the model's
      // training config, which the masks are trained on
      net = keras
          ? KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), true)
          : MultiLayerNetwork.load(file.toFile(), false);
    } catch (Exception | NoClassDefFoundError e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage().split("\n")[0];
      throw new BadInputException("Cannot import model " + file + " as a "
          + (keras ? "Keras Sequential model" : "DL4J MultiLayerNetwork") + ": " + why
          + (keras ? " (functional Keras models are not supported)" : "") + ".", e);
    }
    net.init();
    check(file, net, task);
    return net;
  }

  /** One forward pass on a task example: the input size and the output classes must match. */
  private static void check(Path file, MultiLayerNetwork net, Task task) {
    float[] x = new float[task.inputSize()];
    task.trainSplit().copyFeatures(0, x, 0);
    long outputs;
    try {
      outputs = net.output(Nd4j.create(x, new long[] {1, x.length}, 'c')
          .castTo(net.params().dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT),
          false).length();
    } catch (RuntimeException e) {
      throw new BadInputException("Model " + file + " does not take the task's inputs ("
          + task.inputSize() + " features): " + e.getMessage().split("\n")[0], e);
    }
    if (outputs != task.numClasses()) {
      throw new BadInputException("Model " + file + " has " + outputs + " outputs; task "
          + task.name() + " has " + task.numClasses() + " classes.");
    }
    if (net.getOutputLayer() == null
        || !(net.getOutputLayer() instanceof org.deeplearning4j.nn.api.layers.IOutputLayer)) {
      throw new BadInputException("Model " + file + " has no loss (output) layer; masks are"
          + " trained on its loss. Compile the Keras model with a loss (categorical_crossentropy)"
          + " or end the DL4J network with an OutputLayer or LossLayer.");
    }
  }
}
