package org.subnetlab.model;

import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.config.BadInputException;
import org.subnetlab.task.Task;

/**
 * Models the user brings: a DL4J model file (MultiLayerNetwork or ComputationGraph) or a Keras
 * HDF5 file (Sequential, or functional with one input and one output, which DL4J imports as a
 * ComputationGraph), checked against the task (input size and number of classes) before any mask
 * is trained on it.
 */
public final class ModelImport {
  private ModelImport() {}

  public static Network load(Path file, Task task) {
    String unreadable = org.subnetlab.config.RegularFiles.problem(file);
    if (unreadable != null) {
      throw new BadInputException("Cannot set model.import to " + file + ": " + unreadable + ".");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean keras = name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".keras");
    Network net;
    try {
      net = keras ? keras(file) : Network.read(file);
    } catch (Exception | NoClassDefFoundError e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage().split("\n")[0];
      throw new BadInputException("Cannot import model " + file + " as a "
          + (keras ? "Keras model" : "DL4J MultiLayerNetwork or ComputationGraph") + ": " + why
          + ".", e);
    }
    net.model().init();
    check(file, net, task);
    return net;
  }

  /**
   * A Keras HDF5 file: Sequential models become a MultiLayerNetwork, functional ones a
   * ComputationGraph. enforceTrainingConfig = true: only then does the import add the loss of the
   * model's training config, which the masks are trained on.
   */
  private static Network keras(Path file) throws Exception {
    try {
      return Network.of(KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), true));
    } catch (org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException e) {
      if (e.getMessage() == null || !e.getMessage().contains("Sequential")) {
        throw e;
      }
      return Network.of(KerasModelImport.importKerasModelAndWeights(file.toString(), true));
    }
  }

  /** One forward pass on a task example: the input size and the output classes must match. */
  private static void check(Path file, Network net, Task task) {
    int[] io = net.inputsAndOutputs();
    if (io[0] != 1 || io[1] != 1) {
      throw new BadInputException("Model " + file + " has " + io[0] + " inputs and " + io[1]
          + " outputs; subnetlab analyses networks with one input and one output.");
    }
    float[] x = new float[task.inputSize()];
    task.trainSplit().copyFeatures(0, x, 0);
    long outputs;
    try {
      outputs = net.output(Nd4j.create(x, new long[] {1, x.length}, 'c')
          .castTo(net.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT))
          .length();
    } catch (RuntimeException e) {
      throw new BadInputException("Model " + file + " does not take the task's inputs ("
          + task.inputSize() + " features): " + e.getMessage().split("\n")[0], e);
    }
    if (outputs != task.numClasses()) {
      throw new BadInputException("Model " + file + " has " + outputs + " outputs; task "
          + task.name() + " has " + task.numClasses() + " classes.");
    }
    if (!net.hasLoss()) {
      throw new BadInputException("Model " + file + " has no loss (output) layer; masks are"
          + " trained on its loss. Compile the Keras model with a loss (categorical_crossentropy)"
          + " or end the DL4J network with an OutputLayer or LossLayer.");
    }
  }
}
