package org.subnetlab.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validated settings of one experiment. Every key is read (and range-checked) in the
 * constructors, so a bad value fails at start-up, before any work.
 */
public final class Settings {
  private final long seed;
  private final TaskSettings task;
  private final ModelSettings model;
  private final TransformerSettings transformer;
  private final MaskSettings masks;
  private final int randomControls;
  private final java.util.OptionalInt overlapBlock;
  private final boolean headAblation;
  private final ClusterSettings cluster;
  private final boolean composeInPipeline;
  private final CompositionSettings composition;
  private final int bootstrapResamples;
  private final double selectionTolerance;
  private final Config config;

  /**
   * The version of {@code TransformerTrainer}'s initialisation (2: embeddings N(0, 1), the rest
   * GPT-2's), hashed into a transformer's fingerprint.
   */
  static final String TRANSFORMER_INIT = "2";

  /** The tasks {@code model.kind = transformer} takes (as token sequences). */
  public static final List<String> TRANSFORMER_TASKS =
      List.of("arithmetic", "agreement", "sequences");

  public Settings(Config c) {
    this.config = c;
    this.seed = Keys.longIn(c, "seed", 0, Long.MAX_VALUE);
    this.task = new TaskSettings(c);
    this.model = new ModelSettings(c);
    this.transformer = TransformerSettings.selected(c) ? TransformerSettings.of(c) : null;
    if (transformer != null && !TRANSFORMER_TASKS.contains(task.name())) {
      throw Keys.bad(
          c,
          "task.name",
          "model.kind = transformer takes the sequence tasks "
              + String.join(", ", TRANSFORMER_TASKS)
              + " (arithmetic as text: a op b = answer)");
    }
    if (transformer == null && TaskSettings.SEQUENCE_ONLY.contains(task.name())) {
      throw Keys.bad(
          c,
          "task.name",
          task.name()
              + " is a task of token sequences, for model.kind = transformer only"
              + " (docs/transformers.md)");
    }
    if (transformer != null && task.name().equals("arithmetic") && transformer.context() < 4) {
      throw Keys.bad(
          c,
          "model.transformer.context",
          "must be at least 4: arithmetic as text is the 4 tokens a op b =");
    }
    if (transformer != null
        && task.name().equals("agreement")
        && transformer.context() < task.agreement().sequenceLength()) {
      throw Keys.bad(
          c,
          "model.transformer.context",
          "must be at least "
              + task.agreement().sequenceLength()
              + ": the agreement task's sentences are 6 + 2 x task.agreement.max-adjectives"
              + " tokens long");
    }
    this.masks = new MaskSettings(c);
    this.randomControls = Keys.intIn(c, "aggregate.random-controls", 0, 1000);
    this.overlapBlock =
        c.getValue("aggregate.overlap-block").valueType()
                    == com.typesafe.config.ConfigValueType.STRING
                && "auto".equals(c.getString("aggregate.overlap-block"))
            ? java.util.OptionalInt.empty()
            : java.util.OptionalInt.of(
                Keys.intIn(
                    c,
                    "aggregate.overlap-block",
                    1,
                    1_000_000,
                    "auto or an integer in [1, 1000000]"));
    if (c.getValue("aggregate.head-ablation").valueType()
        != com.typesafe.config.ConfigValueType.BOOLEAN) {
      throw Keys.bad(c, "aggregate.head-ablation", "must be true or false");
    }
    this.headAblation = c.getBoolean("aggregate.head-ablation");
    this.cluster = new ClusterSettings(c);
    if (c.getValue("pipeline.compose").valueType() != com.typesafe.config.ConfigValueType.BOOLEAN) {
      throw Keys.bad(c, "pipeline.compose", "must be true or false");
    }
    this.composeInPipeline = c.getBoolean("pipeline.compose");
    this.composition = new CompositionSettings(c);
    if (model.isImported() && composition.ablation().contains("rewind")) {
      throw Keys.bad(
          c,
          "composition.ablation",
          "rewind sets the ablated entries to the model's"
              + " initial weights, which an imported model (model.import) does not have; use zero"
              + " and reinit");
    }
    this.bootstrapResamples = Keys.intIn(c, "aggregate.bootstrap-resamples", 100, 1_000_000);
    com.typesafe.config.ConfigValue tol = c.getValue("aggregate.selection.tolerance");
    if (tol.valueType() != com.typesafe.config.ConfigValueType.NUMBER
        || !(((Number) tol.unwrapped()).doubleValue() >= 0)
        || !(((Number) tol.unwrapped()).doubleValue() < 1)) {
      throw Keys.bad(c, "aggregate.selection.tolerance", "must be a number in [0, 1)");
    }
    this.selectionTolerance = ((Number) tol.unwrapped()).doubleValue();
    if (model.isImported() && model.severalSeeds()) {
      throw Keys.bad(
          c,
          "model.seeds",
          "an imported model (model.import) has no seed: it was"
              + " trained elsewhere, so only the default [0] is allowed with model.import; leave"
              + " model.seeds unset, or set model.import = \"\" to train the base models here");
    }
    if (model.isImported() && model.trainsOnSpark()) {
      throw Keys.bad(
          c,
          "model.trainer",
          "spark trains a base model, and model.import brings a"
              + " trained one; set model.trainer = local (the default) with model.import");
    }
    if (!model.training().isOff() && (model.isImported() || model.trainsOnSpark())) {
      String key =
          model.training().pruning() != null
              ? "model.pruning.sparsity"
              : model.training().dropout() > 0
                  ? "model.dropout"
                  : model.training().l1() > 0 ? "model.l1" : "model.l2";
      throw Keys.bad(
          c,
          key,
          model.isImported()
              ? "an imported model (model.import) is not trained here, so it takes no training"
                  + " options; leave dropout, l1, l2 and pruning at 0"
              : "the training options (dropout, l1, l2, pruning) are for model.trainer = local;"
                  + " DL4J's Spark training is not given them");
    }
    if (model.isImported()) {
      masks.checkWithoutInitialWeights(c);
    }
  }

  public long seed() {
    return seed;
  }

  public TaskSettings task() {
    return task;
  }

  public ModelSettings model() {
    return model;
  }

  /** The transformer's settings when {@code model.kind = transformer}; null for an MLP/CNN. */
  public TransformerSettings transformer() {
    return transformer;
  }

  /** {@code model.kind = transformer}: a GPT-2-style decoder on the task as token sequences. */
  public boolean isTransformer() {
    return transformer != null;
  }

  /**
   * Fails with one message when {@code command} (e.g. {@code subnetlab cluster}) is asked for a
   * transformer: clustering is defined on MLP/CNN units only (issue 25 refuses it for now).
   */
  public void refuseForTransformer(String command) {
    if (transformer != null) {
      throw new BadInputException(
          command
              + " is not defined for model.kind = transformer: spectral clustering works on the"
              + " units of MLP and CNN layers, and attention heads are not units of that kind"
              + " (docs/transformers.md); use model.kind = mlp, or run the mask stages only.");
    }
  }

  public MaskSettings masks() {
    return masks;
  }

  /** Whether {@code run} ends with the composition stage. */
  public boolean composeInPipeline() {
    return composeInPipeline;
  }

  /** Settings of the composition stage (ablation modes, random-init control). */
  public CompositionSettings composition() {
    return composition;
  }

  public ClusterSettings cluster() {
    return cluster;
  }

  public int bootstrapResamples() {
    return bootstrapResamples;
  }

  /**
   * The relative accuracy tolerance of the summary's mask selection: a mask qualifies when its
   * subnetwork accuracy is at least (1 − tolerance) × the full model's on its subtask.
   */
  public double selectionTolerance() {
    return selectionTolerance;
  }

  public int randomControls() {
    return randomControls;
  }

  /** Whether the ablation table removes each attention head ({@code aggregate.head-ablation}). */
  public boolean headAblation() {
    return headAblation;
  }

  /**
   * Runs per block of the aggregate stage's overlap pass ({@code aggregate.overlap-block}); empty
   * for {@code auto}, a size the stage chooses from the runs, mask size and cores.
   */
  public java.util.OptionalInt overlapBlock() {
    return overlapBlock;
  }

  /** The merged config (subnetlab subtree), for recording next to results. */
  public Config config() {
    return config;
  }

  /**
   * Identifies the base model: a hash of everything that shapes it (seed, task, model). A model on
   * disk is reused only if its fingerprint equals this one.
   */
  public String modelFingerprint() {
    return sha256(fingerprintInputs().toString()).substring(0, 16);
  }

  /**
   * Identifies the base model of one model seed ({@code model.seeds}). Model seed 0 is the model
   * subnetlab has always trained: its fingerprint is {@link #modelFingerprint()}, so its directory
   * and run ids stay those of outputs written before model seeds existed. Any other model seed adds
   * {@code model.seed = <n>} to what is hashed.
   */
  public String modelFingerprint(long modelSeed) {
    if (modelSeed == 0) {
      return modelFingerprint();
    }
    Map<String, String> flat = fingerprintInputs();
    flat.put("model.seed", Long.toString(modelSeed));
    return sha256(flat.toString()).substring(0, 16);
  }

  /** What the fingerprint of model seed 0 hashes: the config keys that shape the base model. */
  private Map<String, String> fingerprintInputs() {
    Map<String, String> flat =
        flatten(config, List.of("seed", "task.name", "task." + task.name(), "model"));
    // Keys added after the first release, at the value that keeps the earlier behaviour, stay
    // out of the fingerprint: outputs of earlier versions are recognised, not retrained.
    for (Map.Entry<String, Object> e :
        Map.<String, Object>of(
                "model.conv", List.of(), "model.import", "", "model.trainer", "local")
            .entrySet()) {
      if (config.getAnyRef(e.getKey()).equals(e.getValue())) {
        flat.remove(e.getKey());
      }
    }
    // The training options of issue 27 enter only when set (0 = off, as before them).
    for (String k : List.of("model.dropout", "model.l1", "model.l2")) {
      if (config.getDouble(k) == 0) {
        flat.remove(k);
      }
    }
    if (model.training().pruning() == null) {
      flat.keySet().removeIf(k -> k.startsWith("model.pruning."));
    }
    // model.kind (issue 25) enters only for a transformer, and then its keys do too.
    if (transformer == null) {
      flat.remove("model.kind");
      flat.keySet().removeIf(k -> k.startsWith("model.transformer."));
    } else {
      // The initialisation is code, not a key: its version enters the fingerprint, so a
      // transformer stored with GPT-2's 0.02 embeddings (before issue 25's fix) is not reused.
      flat.put("model.transformer.init", TRANSFORMER_INIT);
      if (!transformer.isImported()) {
        flat.remove(
            "model.transformer.import"); // fingerprints of trained decoders stay as they were
      }
    }
    if (!model.isCnn()) {
      flat.remove("model.kernel");
    }
    if (!model.trainsOnSpark()) {
      flat.keySet().removeIf(k -> k.startsWith("model.spark-training."));
    }
    // The list of base-model seeds says which models exist, not what one of them is: each
    // model's own seed enters its fingerprint (modelFingerprint(long)).
    flat.remove("model.seeds");
    return flat;
  }

  /**
   * SHA-256 (hex, first 16 chars) of the canonical rendering (no comments, so no origins) of the
   * given subtrees.
   */
  public static String fingerprint(Config c, List<String> paths) {
    return sha256(flatten(c, paths).toString()).substring(0, 16);
  }

  /** The given subtrees as key → value rendered without comments (so without their origins). */
  private static Map<String, String> flatten(Config c, List<String> paths) {
    ConfigRenderOptions render = ConfigRenderOptions.concise();
    Map<String, String> flat = new TreeMap<>();
    for (String p : paths) {
      if (c.getValue(p) instanceof com.typesafe.config.ConfigObject) {
        c.getConfig(p)
            .entrySet()
            .forEach(e -> flat.put(p + "." + e.getKey(), e.getValue().render(render)));
      } else {
        flat.put(p, c.getValue(p).render(render));
      }
    }
    return flat;
  }

  public static String sha256(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
