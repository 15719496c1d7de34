package org.subnetlab.model;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen DL4J network of either kind: a {@link MultiLayerNetwork} (a stack of layers) or a {@link
 * ComputationGraph} with one input and one output (any DAG: skip connections, merges, the
 * functional Keras models). Everything the masks need — the flattened parameters, their per-layer
 * table, one forward pass, one backprop of the loss — goes through here, so the mask methods and
 * metrics never see which kind it is.
 */
public final class Network implements BaseModel {
  private final MultiLayerNetwork layers;
  private final ComputationGraph graph;

  private Network(MultiLayerNetwork layers, ComputationGraph graph) {
    this.layers = layers;
    this.graph = graph;
  }

  public static Network of(MultiLayerNetwork net) {
    return new Network(net, null);
  }

  public static Network of(ComputationGraph graph) {
    return new Network(null, graph);
  }

  /** The DL4J model. */
  public Model model() {
    return layers != null ? layers : graph;
  }

  public boolean isGraph() {
    return graph != null;
  }

  /** The MultiLayerNetwork, for what is defined only on layer stacks (clustering of units). */
  public MultiLayerNetwork layerStack() {
    if (layers == null) {
      throw new IllegalStateException("a ComputationGraph is not a MultiLayerNetwork");
    }
    return layers;
  }

  public INDArray params() {
    return model().params();
  }

  public long numParams() {
    return model().numParams();
  }

  public Map<String, INDArray> paramTable() {
    return model().paramTable();
  }

  public DataType dataType() {
    return params().dataType();
  }

  /** A deep copy (parameters, configuration, updater state). */
  public Network copy() {
    return layers != null ? of(layers.clone()) : of(graph.clone());
  }

  /** Output probabilities for the inputs {@code x} (inference mode). */
  public INDArray output(INDArray x) {
    return layers != null ? layers.output(x, false) : graph.outputSingle(false, x);
  }

  /**
   * Runs the loss and its backprop on ({@code x}, {@code y}) with the current parameters; the
   * flattened gradient is then {@link #gradient()}. Returns the mean loss.
   */
  public double lossAndBackprop(INDArray x, INDArray y) {
    if (layers != null) {
      layers.setInput(x);
      layers.setLabels(y);
      layers.computeGradientAndScore();
      return layers.score();
    }
    graph.setInputs(x);
    graph.setLabels(y);
    graph.computeGradientAndScore();
    return graph.score();
  }

  /** The flattened gradient of the last {@link #lossAndBackprop} (sum over the minibatch). */
  public INDArray gradient() {
    return model().gradient().gradient();
  }

  /** Number of inputs and outputs of a graph (1 and 1 for a layer stack). */
  public int[] inputsAndOutputs() {
    return layers != null
        ? new int[] {1, 1}
        : new int[] {
          graph.getConfiguration().getNetworkInputs().size(),
          graph.getConfiguration().getNetworkOutputs().size()
        };
  }

  @Override
  public ParamLayout layout() {
    return ParamLayout.of(this);
  }

  @Override
  public float[] theta() {
    return ParamBridge.toFloats(params());
  }

  /** An objective over a private copy of this network (DL4J's forward pass writes its params). */
  @Override
  public MaskedObjective objective() {
    return new Dl4jObjective(copy());
  }

  @Override
  public BaseModel withParams(float[] p) {
    Network n = copy();
    ParamBridge.write(p, n.params());
    return n;
  }

  @Override
  public byte[] bytes() {
    return BaseModels.toBytes(this);
  }

  /** Whether the network ends in a loss (output) layer, which mask training needs. */
  public boolean hasLoss() {
    if (layers != null) {
      return layers.getOutputLayer() instanceof IOutputLayer;
    }
    return graph.getNumOutputArrays() == 1 && graph.getOutputLayer(0) instanceof IOutputLayer;
  }

  public void write(OutputStream out) throws IOException {
    ModelSerializer.writeModel(model(), out, false);
  }

  public void write(Path file) throws IOException {
    ModelSerializer.writeModel(model(), file.toFile(), false);
  }

  public byte[] toBytes() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      write(out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A DL4J model file of either kind (ModelSerializer's zip format). */
  public static Network read(Path file) throws IOException {
    return read(Files.readAllBytes(file));
  }

  /** DL4J model bytes of either kind; the kind is read from the stored configuration. */
  public static Network read(byte[] bytes) throws IOException {
    if (isGraphConfiguration(bytes)) {
      return of(ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false));
    }
    return of(ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false));
  }

  /** A ComputationGraph's configuration lists vertices; a MultiLayerNetwork's does not. */
  private static boolean isGraphConfiguration(byte[] bytes) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals("configuration.json")) {
          String json = new String(readAll(zip), StandardCharsets.UTF_8);
          return json.contains("\"vertices\"");
        }
      }
    }
    return false;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }
}
