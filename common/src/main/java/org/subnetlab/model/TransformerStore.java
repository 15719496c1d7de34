package org.subnetlab.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.subnetlab.config.BadInputException;
import org.subnetlab.transformer.Gpt2Export;
import org.subnetlab.transformer.Gpt2Import;

/**
 * A trained decoder in a model directory, as Hugging Face lays out a GPT-2: {@code config.json} and
 * {@code model.safetensors} (the trained parameters), {@code initial/} the same for the
 * initialisation (for the rewinding mask methods), and {@code subnetlab-model.txt} with the
 * fingerprint of the config that made it. A directory of this kind can be given back to {@link
 * Gpt2Import} (or to Hugging Face's {@code GPT2LMHeadModel.from_pretrained}).
 */
public final class TransformerStore {
  public static final String META_FILE = "subnetlab-model.txt";
  static final String INITIAL = "initial";

  private final Path dir;

  public TransformerStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** Whether a finished model is stored here. */
  public boolean exists() {
    return Files.exists(dir.resolve(META_FILE));
  }

  public void save(TransformerTrainer.Trained t, String fingerprint) {
    Gpt2Export.write(dir, t.config(), t.params());
    Gpt2Export.write(dir.resolve(INITIAL), t.config(), t.initial());
    try {
      Files.writeString(
          dir.resolve(META_FILE),
          ModelStore.metadata(fingerprint, t.params().length, t.evaluation()),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The trained checkpoint, refused when another config made it. */
  public Gpt2Import.Checkpoint load(String fingerprint) {
    checkFingerprint(fingerprint);
    return Gpt2Import.read(dir);
  }

  /** The stored model with its initial parameters, evaluated on {@code task}'s eval split. */
  public TransformerTrainer.Trained loadTrained(String fingerprint, org.subnetlab.task.Task task) {
    Gpt2Import.Checkpoint c = load(fingerprint);
    float[] init = initial(fingerprint).params();
    return new TransformerTrainer.Trained(
        c.config(),
        init,
        c.params(),
        TransformerTrainer.evaluate(new Gpt2Objective(c.config()), c.params(), task));
  }

  /** The trained model as the mask stages see it, refused when another config made it. */
  public Gpt2Model model(String fingerprint) {
    Gpt2Import.Checkpoint c = load(fingerprint);
    return new Gpt2Model(c.config(), c.params());
  }

  /** The initial parameters θ_init of the stored model. */
  public float[] initialParams(String fingerprint) {
    return initial(fingerprint).params();
  }

  /** The initial parameters of the stored model. */
  public Gpt2Import.Checkpoint initial(String fingerprint) {
    checkFingerprint(fingerprint);
    return Gpt2Import.read(dir.resolve(INITIAL));
  }

  private void checkFingerprint(String fingerprint) {
    String stored;
    try {
      stored =
          com.typesafe.config.ConfigFactory.parseFile(dir.resolve(META_FILE).toFile())
              .getString("fingerprint");
    } catch (com.typesafe.config.ConfigException e) {
      throw new BadInputException(
          "Cannot read the transformer model's metadata "
              + dir.resolve(META_FILE)
              + ": "
              + e.getMessage(),
          e);
    }
    if (!stored.equals(fingerprint)) {
      throw new BadInputException(
          "The transformer model in "
              + dir
              + " was made by another config (fingerprint "
              + stored
              + ", this config "
              + fingerprint
              + "); use a new --out.");
    }
  }
}
