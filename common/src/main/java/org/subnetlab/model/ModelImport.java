package org.subnetlab.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.subnetlab.config.BadInputException;
import org.subnetlab.task.Task;

/**
 * Models the user brings: a DL4J model file (MultiLayerNetwork or ComputationGraph) or a Keras HDF5
 * file (Sequential, or functional with one input and one output, which DL4J imports as a
 * ComputationGraph), checked against the task (input size and number of classes) before any mask is
 * trained on it.
 */
public final class ModelImport {
  private ModelImport() {}

  public static Network load(Path file, Task task) {
    String unreadable = org.subnetlab.config.RegularFiles.problem(file);
    if (unreadable != null) {
      throw new BadInputException("Cannot set model.import to " + file + ": " + unreadable + ".");
    }
    boolean keras = isKeras(file);
    checkFile(file);
    Network net;
    try {
      net = keras ? keras(file) : Network.read(file);
    } catch (Exception | NoClassDefFoundError e) {
      String why =
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
      throw new BadInputException(
          "Cannot import model "
              + file
              + " as a "
              + (keras ? "Keras model" : "DL4J MultiLayerNetwork or ComputationGraph")
              + ": "
              + why
              + ".",
          e);
    }
    net.model().init();
    check(file, net, task);
    return net;
  }

  private static boolean isKeras(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".keras");
  }

  /**
   * Checks that a file to import is a file of its format (a Keras HDF5 file by its signature, a
   * DL4J model as a zip archive) before DL4J or the native HDF5 library reads it. A path that is
   * not a regular file is left to {@link #load}.
   */
  public static void checkFile(Path file) {
    if (!Files.isRegularFile(file)) {
      return;
    }
    boolean keras = isKeras(file);
    String notModel = keras ? notHdf5(file) : notZip(file);
    if (notModel != null) {
      throw new BadInputException(
          "Cannot import model "
              + file
              + " (model.import) as a "
              + (keras ? "Keras HDF5 model" : "DL4J model")
              + ": "
              + notModel
              + ".");
    }
  }

  /** The 8 bytes that open an HDF5 superblock. */
  private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  /**
   * Why {@code file} is not an HDF5 file, or null: HDF5 puts its signature at offset 0, or after a
   * user block at 512, 1024, 2048, ... bytes. Checked before the native HDF5 library opens the
   * file, which prints a long native error dump for anything else.
   */
  static String notHdf5(Path file) {
    try (var ch = java.nio.channels.FileChannel.open(file)) {
      long size = ch.size();
      if (size == 0) {
        return "the file is empty (0 bytes)";
      }
      byte[] sig = new byte[8];
      for (long at = 0; at + 8 <= size; at = at == 0 ? 512 : at * 2) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(sig);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
          // read the 8 bytes
        }
        if (java.util.Arrays.equals(sig, HDF5_SIGNATURE)) {
          return null;
        }
      }
      byte[] head = new byte[4];
      ch.read(java.nio.ByteBuffer.wrap(head), 0);
      return "it is not an HDF5 file (no HDF5 signature"
          + (head[0] == 'P' && head[1] == 'K'
              ? "; it is a zip archive, as Keras 3 .keras files"
                  + " are: save the model as HDF5, model.save(\"model.h5\")"
              : "")
          + ")";
    } catch (java.io.IOException e) {
      return "cannot read it: " + e.getMessage();
    }
  }

  /** Why {@code file} is not a DL4J model file (a zip archive), or null. */
  static String notZip(Path file) {
    try (var in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(4);
      if (head.length == 0) {
        return "the file is empty (0 bytes), not a DL4J model";
      }
      if (head.length < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
        return "it is not a DL4J model (DL4J writes its models as zip archives; this file is not"
            + " one)";
      }
      return null;
    } catch (java.io.IOException e) {
      return "cannot read it: " + e.getMessage();
    }
  }

  /**
   * A Keras HDF5 file: Sequential models become a MultiLayerNetwork, functional ones a
   * ComputationGraph. enforceTrainingConfig = true: only then does the import add the loss of the
   * model's training config, which the masks are trained on.
   */
  private static Network keras(Path file) throws Exception {
    try {
      return Network.of(
          KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), true));
    } catch (
        org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException e) {
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
      throw new BadInputException(
          "Model "
              + file
              + " has "
              + io[0]
              + " inputs and "
              + io[1]
              + " outputs; subnetlab analyses networks with one input and one output.");
    }
    float[] x = new float[task.inputSize()];
    task.trainSplit().copyFeatures(0, x, 0);
    long outputs;
    try {
      outputs =
          net.output(
                  Nd4j.create(x, new long[] {1, x.length}, 'c')
                      .castTo(net.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT))
              .length();
    } catch (RuntimeException e) {
      throw new BadInputException(
          "Model "
              + file
              + " does not take the task's inputs ("
              + task.inputSize()
              + " features): "
              + e.getMessage().split("\n")[0],
          e);
    }
    if (outputs != task.numClasses()) {
      throw new BadInputException(
          "Model "
              + file
              + " has "
              + outputs
              + " outputs; task "
              + task.name()
              + " has "
              + task.numClasses()
              + " classes.");
    }
    if (!net.hasLoss()) {
      throw new BadInputException(
          "Model "
              + file
              + " has no loss (output) layer; masks are"
              + " trained on its loss. Compile the Keras model with a loss (categorical_crossentropy)"
              + " or end the DL4J network with an OutputLayer or LossLayer.");
    }
  }
}
