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
  private final MaskSettings masks;
  private final int randomControls;
  private final ClusterSettings cluster;
  private final boolean composeInPipeline;
  private final CompositionSettings composition;
  private final int bootstrapResamples;
  private final Config config;
  /** The fingerprint of the output these settings work on, when it is this config's legacy one. */
  private final String storedLegacyFingerprint;

  public Settings(Config c) {
    this.storedLegacyFingerprint = null;
    this.config = c;
    this.seed = Keys.longIn(c, "seed", 0, Long.MAX_VALUE);
    this.task = new TaskSettings(c);
    this.model = new ModelSettings(c);
    this.masks = new MaskSettings(c);
    this.randomControls = Keys.intIn(c, "aggregate.random-controls", 0, 1000);
    this.cluster = new ClusterSettings(c);
    if (c.getValue("pipeline.compose").valueType() != com.typesafe.config.ConfigValueType.BOOLEAN) {
      throw Keys.bad(c, "pipeline.compose", "must be true or false");
    }
    this.composeInPipeline = c.getBoolean("pipeline.compose");
    this.composition = new CompositionSettings(c);
    if (model.isImported() && composition.ablation().contains("rewind")) {
      throw Keys.bad(c, "composition.ablation", "rewind sets the ablated entries to the model's"
          + " initial weights, which an imported model (model.import) does not have; use zero"
          + " and reinit");
    }
    this.bootstrapResamples = Keys.intIn(c, "aggregate.bootstrap-resamples", 100, 1_000_000);
    if (model.isImported() && model.trainsOnSpark()) {
      throw Keys.bad(c, "model.trainer", "spark trains a base model, and model.import brings a"
          + " trained one; set model.trainer = local (the default) with model.import");
    }
    if (model.isImported() && masks.methods().contains("lottery-ticket")) {
      throw Keys.bad(c, "masks.methods", "lottery-ticket rewinds to the model's initial weights,"
          + " which an imported model (model.import) does not have");
    }
    if (model.isImported() && masks.methods().contains("lt-sft")
        && c.getValue("masks.lt-sft.from-initial").render().contains("1")) {
      throw Keys.bad(c, "masks.lt-sft.from-initial", "an imported model (model.import) has no"
          + " initial weights to fine-tune from; use 0");
    }
  }

  private Settings(Settings s, String storedLegacyFingerprint) {
    this.seed = s.seed;
    this.task = s.task;
    this.model = s.model;
    this.masks = s.masks;
    this.randomControls = s.randomControls;
    this.cluster = s.cluster;
    this.composeInPipeline = s.composeInPipeline;
    this.composition = s.composition;
    this.bootstrapResamples = s.bootstrapResamples;
    this.config = s.config;
    this.storedLegacyFingerprint = storedLegacyFingerprint;
  }

  /**
   * These settings for an output whose stored base model has fingerprint {@code stored} (null:
   * none yet). When {@code stored} is this config's {@link #legacyModelFingerprint}, the output was
   * written by an earlier version for this very config: it keeps that fingerprint, so its model is
   * reused and its finished runs keep their ids.
   */
  public Settings forStoredModel(String stored) {
    if (stored == null || stored.equals(modelFingerprint())
        || !stored.equals(legacyModelFingerprint())) {
      return this;
    }
    return new Settings(this, stored);
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

  public int randomControls() {
    return randomControls;
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
    return storedLegacyFingerprint != null ? storedLegacyFingerprint
        : modelFingerprint(ConfigRenderOptions.concise());
  }

  /**
   * The fingerprint as versions up to 0.1 computed it, rendering values with their origin
   * comments: lists carried the config file's path and line numbers, so the same config given by
   * another path (or with lines moved) had another fingerprint. Only to recognise their outputs
   * ({@link #forStoredModel}).
   */
  public String legacyModelFingerprint() {
    return modelFingerprint(ConfigRenderOptions.defaults());
  }

  private String modelFingerprint(ConfigRenderOptions render) {
    Map<String, String> flat = flatten(config,
        List.of("seed", "task.name", "task." + task.name(), "model"), render);
    // Keys added after the first release, at the value that keeps the earlier behaviour, stay
    // out of the fingerprint: outputs of earlier versions are recognised, not retrained.
    for (Map.Entry<String, Object> e : Map.<String, Object>of("model.conv", List.of(),
        "model.import", "", "model.trainer", "local").entrySet()) {
      if (config.getAnyRef(e.getKey()).equals(e.getValue())) {
        flat.remove(e.getKey());
      }
    }
    if (!model.isCnn()) {
      flat.remove("model.kernel");
    }
    if (!model.trainsOnSpark()) {
      flat.keySet().removeIf(k -> k.startsWith("model.spark-training."));
    }
    return sha256(flat.toString()).substring(0, 16);
  }

  /**
   * SHA-256 (hex, first 16 chars) of the canonical rendering (no comments, so no origins) of the
   * given subtrees.
   */
  public static String fingerprint(Config c, List<String> paths) {
    return sha256(flatten(c, paths, ConfigRenderOptions.concise()).toString()).substring(0, 16);
  }

  private static Map<String, String> flatten(Config c, List<String> paths,
      ConfigRenderOptions render) {
    Map<String, String> flat = new TreeMap<>();
    for (String p : paths) {
      if (c.getValue(p) instanceof com.typesafe.config.ConfigObject) {
        c.getConfig(p).entrySet()
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
