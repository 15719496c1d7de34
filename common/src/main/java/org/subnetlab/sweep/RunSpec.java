package org.subnetlab.sweep;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.Settings;

/**
 * One mask-training run of a sweep: base-model seed, method, subtask, seed and hyperparameters. Its
 * run id is readable ({@code method-subtask-s<seed>-<hash>}, with {@code -m<model seed>} before
 * {@code -s} for model seeds other than 0) and its hash covers everything that shapes the mask
 * (hyperparameters, global seed, base-model fingerprint, which holds the model seed), so one id
 * always means one mask. {@code streamId} names the run's random streams: the id the same run has
 * on model seed 0, so that mask seed s draws the same random numbers on every base model (for model
 * seed 0 it is the run id itself, as it always was).
 *
 * <p>{@code hyperparameters} holds the method's own keys ({@link
 * org.subnetlab.config.MethodDeclaration}); {@code matched} marks a matched-density rerun ({@link
 * SweepGrid#matched}). The hash, the {@code hyperparameters} column of the tables and the group key
 * record the flag as the key {@code matched = 1}, as they always have.
 */
public record RunSpec(
    String runId,
    String method,
    String subtask,
    long seed,
    long globalSeed,
    Map<String, Double> hyperparameters,
    String modelFingerprint,
    long modelSeed,
    String streamId,
    boolean matched)
    implements Serializable {
  /** The key under which the hash and the tables record {@link #matched}. */
  public static final String MATCHED_KEY = "matched";

  /** A run that is not a matched-density rerun, its id as given. */
  public RunSpec(
      String runId,
      String method,
      String subtask,
      long seed,
      long globalSeed,
      Map<String, Double> hyperparameters,
      String modelFingerprint,
      long modelSeed,
      String streamId) {
    this(
        runId,
        method,
        subtask,
        seed,
        globalSeed,
        hyperparameters,
        modelFingerprint,
        modelSeed,
        streamId,
        false);
  }

  /** A run on the base model of model seed 0. */
  public static RunSpec of(
      String method,
      String subtask,
      long seed,
      long globalSeed,
      Map<String, Double> hp,
      String modelFingerprint) {
    return of(method, subtask, seed, globalSeed, hp, modelFingerprint, 0, modelFingerprint);
  }

  /**
   * A run on the base model of {@code modelSeed}, whose fingerprint is {@code modelFingerprint};
   * {@code seed0Fingerprint} is the fingerprint of model seed 0 (the same for model seed 0).
   */
  public static RunSpec of(
      String method,
      String subtask,
      long seed,
      long globalSeed,
      Map<String, Double> hp,
      String modelFingerprint,
      long modelSeed,
      String seed0Fingerprint) {
    return of(
        method,
        subtask,
        seed,
        globalSeed,
        hp,
        modelFingerprint,
        modelSeed,
        seed0Fingerprint,
        false);
  }

  /** A matched-density rerun ({@link SweepGrid#matched}); otherwise as {@link #of}. */
  public static RunSpec matchedOf(
      String method,
      String subtask,
      long seed,
      long globalSeed,
      Map<String, Double> hp,
      String modelFingerprint,
      long modelSeed,
      String seed0Fingerprint) {
    return of(
        method, subtask, seed, globalSeed, hp, modelFingerprint, modelSeed, seed0Fingerprint, true);
  }

  private static RunSpec of(
      String method,
      String subtask,
      long seed,
      long globalSeed,
      Map<String, Double> hp,
      String modelFingerprint,
      long modelSeed,
      String seed0Fingerprint,
      boolean matched) {
    if (hp.containsKey(MATCHED_KEY)) {
      throw new IllegalArgumentException(
          "matched is not a hyperparameter: use RunSpec.matchedOf (got " + hp + ")");
    }
    Map<String, Double> sorted = recorded(hp, matched);
    String id = id(method, subtask, seed, globalSeed, sorted, modelFingerprint, modelSeed);
    String streamId =
        modelSeed == 0 ? id : id(method, subtask, seed, globalSeed, sorted, seed0Fingerprint, 0);
    return new RunSpec(
        id,
        method,
        subtask,
        seed,
        globalSeed,
        Map.copyOf(hp),
        modelFingerprint,
        modelSeed,
        streamId,
        matched);
  }

  /** The method's values plus, for a matched run, {@code matched = 1}: what is recorded. */
  private static Map<String, Double> recorded(Map<String, Double> hp, boolean matched) {
    Map<String, Double> out = new TreeMap<>(hp);
    if (matched) {
      out.put(MATCHED_KEY, 1.0);
    }
    return out;
  }

  private static String id(
      String method,
      String subtask,
      long seed,
      long globalSeed,
      Map<String, Double> sorted,
      String modelFingerprint,
      long modelSeed) {
    String key =
        String.join(
            "|",
            method,
            subtask,
            Long.toString(seed),
            Long.toString(globalSeed),
            format(sorted),
            modelFingerprint);
    return method
        + "-"
        + subtask
        + (modelSeed == 0 ? "" : "-m" + modelSeed)
        + "-s"
        + seed
        + "-"
        + Settings.sha256(key).substring(0, 10);
  }

  /**
   * Hyperparameters as the tables store them (integers without a decimal point, a matched run's
   * {@code matched = 1} among them), sorted by key.
   */
  public Map<String, String> hyperparameterStrings() {
    Map<String, String> out = new TreeMap<>();
    recorded(hyperparameters, matched).forEach((k, v) -> out.put(k, number(v)));
    return out;
  }

  /**
   * The hyperparameters that make runs comparable: all of them, except for matched-density runs the
   * top-k, which each run takes from its own reference mask.
   */
  public Map<String, Double> comparableHyperparameters() {
    Map<String, Double> hp = recorded(hyperparameters, matched);
    if (matched) {
      hp.remove("top-k");
    }
    return hp;
  }

  /**
   * Identifies the (base model, method, seed, hyperparameters) group: the runs whose masks are
   * compared (exclusive weights, composition), always of one base model. For model seed 0 the key
   * is the one of outputs written before model seeds existed (composition names its random
   * controls' streams after it).
   */
  public String groupKey() {
    return method
        + "|"
        + seed
        + "|"
        + format(comparableHyperparameters())
        + (modelSeed == 0 ? "" : "|model-seed=" + modelSeed);
  }

  private static String format(Map<String, Double> sorted) {
    StringBuilder sb = new StringBuilder();
    sorted.forEach((k, v) -> sb.append(k).append('=').append(number(v)).append(';'));
    return sb.toString();
  }

  static String number(double v) {
    return HyperParameter.canonical(v);
  }
}
