package org.subnetlab.sweep;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.subnetlab.config.Settings;

/**
 * One mask-training run of a sweep: method, subtask, seed and hyperparameters. Its run id is
 * readable ({@code method-subtask-s<seed>-<hash>}) and its hash covers everything that shapes the
 * mask (hyperparameters, global seed, base-model fingerprint), so one id always means one mask.
 */
public record RunSpec(
    String runId,
    String method,
    String subtask,
    long seed,
    long globalSeed,
    Map<String, Double> hyperparameters,
    String modelFingerprint)
    implements Serializable {

  public static RunSpec of(
      String method, String subtask, long seed, long globalSeed, Map<String, Double> hp,
      String modelFingerprint) {
    Map<String, Double> sorted = new TreeMap<>(hp);
    String key =
        String.join("|", method, subtask, Long.toString(seed), Long.toString(globalSeed),
            format(sorted), modelFingerprint);
    String id = method + "-" + subtask + "-s" + seed + "-" + Settings.sha256(key).substring(0, 10);
    return new RunSpec(id, method, subtask, seed, globalSeed, Map.copyOf(sorted), modelFingerprint);
  }

  /** Hyperparameters as strings (integers without a decimal point), sorted by key. */
  public Map<String, String> hyperparameterStrings() {
    Map<String, String> out = new TreeMap<>();
    hyperparameters.forEach((k, v) -> out.put(k, number(v)));
    return out;
  }

  /**
   * The hyperparameters that make runs comparable: all of them, except for matched-density runs
   * the top-k, which each run takes from its own reference mask.
   */
  public Map<String, Double> comparableHyperparameters() {
    Map<String, Double> hp = new TreeMap<>(hyperparameters);
    if (hp.getOrDefault("matched", 0.0) == 1.0) {
      hp.remove("top-k");
    }
    return hp;
  }

  /** Identifies the (method, seed, hyperparameters) group: the runs whose masks are compared. */
  public String groupKey() {
    return method + "|" + seed + "|" + format(comparableHyperparameters());
  }

  private static String format(Map<String, Double> sorted) {
    StringBuilder sb = new StringBuilder();
    sorted.forEach((k, v) -> sb.append(k).append('=').append(number(v)).append(';'));
    return sb.toString();
  }

  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%s", v);
  }
}
