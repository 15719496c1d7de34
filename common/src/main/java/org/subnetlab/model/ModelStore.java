package org.subnetlab.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.subnetlab.config.BadInputException;

/**
 * The base model on disk, in DL4J's own format: {@code model/model.zip} (trained), {@code
 * model/initial.zip} (the same network at its initial weights, for rewinding) and {@code
 * model/model.json} (fingerprint and eval figures). The directory is written under a temporary name
 * and renamed into place, so a model directory either is complete or is absent.
 */
public final class ModelStore {
  public static final String MODEL_FILE = "model.zip";
  public static final String INITIAL_FILE = "initial.zip";
  public static final String META_FILE = "model.json";

  private final Path dir;

  public ModelStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public boolean exists() {
    return Files.exists(dir);
  }

  /** Writes a trained model atomically; fails if a model is already there. */
  public void save(BaseModelTrainer.Trained t, String fingerprint) {
    Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(tmp);
      t.net().write(tmp.resolve(MODEL_FILE));
      Network init = t.net().copy();
      ParamBridge.write(t.initialParams(), init.params());
      init.write(tmp.resolve(INITIAL_FILE));
      Files.writeString(tmp.resolve(META_FILE), metadata(t, fingerprint), StandardCharsets.UTF_8);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new BadInputException("Cannot write the model to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Loads the model, checking it was made by a config with {@code fingerprint}. */
  public Network load(String fingerprint) {
    Path meta = dir.resolve(META_FILE);
    Path model = dir.resolve(MODEL_FILE);
    if (!Files.isRegularFile(meta) || !Files.isRegularFile(model)) {
      throw new BadInputException(
          "No base model at "
              + dir
              + " (missing "
              + (Files.isRegularFile(meta) ? model : meta)
              + "); run `subnetlab train-model` or `subnetlab run` with this --out first.");
    }
    String found;
    try {
      found = ConfigFactory.parseFile(meta.toFile()).getString("fingerprint");
    } catch (ConfigException e) {
      throw new BadInputException("Corrupt model metadata " + meta + ": " + e.getMessage(), e);
    }
    if (!found.equals(fingerprint)) {
      throw new BadInputException(
          "The model in "
              + dir
              + " was trained with another task/model config (fingerprint "
              + found
              + ", this config "
              + fingerprint
              + "); use a new --out, or delete "
              + dir
              + " to retrain.");
    }
    return read(model);
  }

  /** The fingerprint recorded with the stored model, or null when there is none (or unreadable). */
  public String storedFingerprint() {
    Path meta = dir.resolve(META_FILE);
    if (!Files.isRegularFile(meta)) {
      return null;
    }
    try {
      return ConfigFactory.parseFile(meta.toFile()).getString("fingerprint");
    } catch (ConfigException e) {
      return null; // load() reports it
    }
  }

  /** The initial parameters saved with the model (what rewinding methods rewind to). */
  public float[] initialParams() {
    return ParamBridge.toFloats(read(dir.resolve(INITIAL_FILE)).params());
  }

  /** The metadata written with the model. */
  public Config metadata() {
    return ConfigFactory.parseFile(dir.resolve(META_FILE).toFile());
  }

  /**
   * The metadata of the base model stored in {@code dir}, of either kind ({@value #META_FILE} of a
   * DL4J model, {@value TransformerStore#META_FILE} of a transformer); null when there is none.
   */
  public static Config metadataOf(Path dir) {
    for (String name : new String[] {META_FILE, TransformerStore.META_FILE}) {
      Path meta = dir.resolve(name);
      if (Files.isRegularFile(meta)) {
        return ConfigFactory.parseFile(meta.toFile());
      }
    }
    return null;
  }

  /** Reads a DL4J model file, turning any failure into a clear message about that file. */
  public static Network read(Path file) {
    String notModel = ModelImport.notZip(file);
    if (notModel != null) {
      throw new BadInputException(
          "Cannot read DL4J model file "
              + file
              + ": "
              + notModel
              + "; delete the model directory to train it again.");
    }
    try {
      return Network.read(file);
    } catch (Exception | Error e) {
      throw new BadInputException(
          "Cannot read DL4J model file "
              + file
              + " (corrupt, or not a DL4J MultiLayerNetwork or "
              + "ComputationGraph): "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()),
          e);
    }
  }

  /** The network as DL4J bytes (what Spark broadcasts to executors). */
  public static byte[] toBytes(Network net) {
    return net.toBytes();
  }

  public static Network fromBytes(byte[] bytes) {
    try {
      return Network.read(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String metadata(BaseModelTrainer.Trained t, String fingerprint) {
    return metadata(fingerprint, t.net().numParams(), t.evaluation());
  }

  /**
   * The metadata of a stored base model (JSON, read as HOCON): its config fingerprint, parameter
   * count and eval accuracy and loss per eval subtask.
   */
  static String metadata(String fingerprint, long numParams, Map<String, Evaluation> evaluation) {
    StringBuilder sb = new StringBuilder();
    sb.append("{\n  \"fingerprint\": \"").append(fingerprint).append("\",\n");
    sb.append("  \"num_params\": ").append(numParams).append(",\n");
    sb.append("  \"eval\": {\n");
    int i = 0;
    for (Map.Entry<String, Evaluation> e : evaluation.entrySet()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "    \"%s\": {\"accuracy\": %.6f, \"loss\": %.6f, \"examples\": %d}%s%n",
              e.getKey(),
              e.getValue().accuracy(),
              e.getValue().loss(),
              e.getValue().examples(),
              ++i < evaluation.size() ? "," : ""));
    }
    sb.append("  }\n}\n");
    return sb.toString();
  }

  /** Deletes a directory tree, ignoring failures (used to clean temporary output). */
  public static void deleteQuietly(Path p) {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
