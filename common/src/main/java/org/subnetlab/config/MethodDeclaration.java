package org.subnetlab.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a mask method declares about itself, once, in its own class: its id (the config block {@code
 * masks.<id>} and the {@code method} column), a one-line summary, its hyperparameters in the order
 * of reference.conf, the rules between them, whether it can rerun at a matched density and whether
 * it needs the base model's initial weights. {@link MaskSettings} validates the config against it,
 * the sweep expands its lists, and docs/methods.md shows it as a table (checked by a test).
 */
public final class MethodDeclaration {
  /** A rule between two keys of one method, over every value of their sweep lists. */
  public record CrossRule(String key, String bound, boolean atMost) {
    /** The message when it fails, or null: "must be at most masks.m.bound (v)". */
    String brokenBy(String method, Map<String, List<Double>> grid, HyperParameter boundKey) {
      List<Double> ks = grid.get(key);
      List<Double> bs = grid.get(bound);
      double k = atMost ? max(ks) : min(ks);
      double b = atMost ? min(bs) : max(bs);
      if (atMost ? k <= b : k >= b) {
        return null;
      }
      String shown =
          boundKey.kind() == HyperParameter.Kind.REAL
              ? Double.toString(b)
              : Long.toString((long) b);
      return "must be "
          + (atMost ? "at most" : "at least")
          + " masks."
          + method
          + "."
          + bound
          + " ("
          + shown
          + ")";
    }

    private static double max(List<Double> v) {
      return v.stream().mapToDouble(d -> d).max().orElseThrow();
    }

    private static double min(List<Double> v) {
      return v.stream().mapToDouble(d -> d).min().orElseThrow();
    }
  }

  private final String id;
  private final String summary;
  private final Map<String, HyperParameter> params;
  private final List<CrossRule> rules;
  private final boolean matchedDensity;
  private final String needsInitialWeights;

  private MethodDeclaration(
      String id,
      String summary,
      Map<String, HyperParameter> params,
      List<CrossRule> rules,
      boolean matchedDensity,
      String needsInitialWeights) {
    this.id = Objects.requireNonNull(id);
    this.summary = Objects.requireNonNull(summary);
    this.params = params;
    this.rules = rules;
    this.matchedDensity = matchedDensity;
    this.needsInitialWeights = needsInitialWeights;
  }

  /** A method with these hyperparameters, in the order of its reference.conf block. */
  public static MethodDeclaration of(String id, String summary, HyperParameter... params) {
    Map<String, HyperParameter> byName = new LinkedHashMap<>();
    for (HyperParameter p : params) {
      if (byName.put(p.name(), p) != null) {
        throw new IllegalArgumentException(id + " declares " + p.name() + " twice");
      }
    }
    if (byName.values().stream().filter(p -> p.sparserWhenLarger() != 0).count() > 1) {
      throw new IllegalArgumentException(id + " declares more than one regulariser");
    }
    return new MethodDeclaration(id, summary, byName, List.of(), false, null);
  }

  /** The largest value of {@code key} must be at most the smallest of {@code bound}. */
  public MethodDeclaration atMost(String key, String bound) {
    return with(new CrossRule(key, bound, true));
  }

  /** The smallest value of {@code key} must be at least the largest of {@code bound}. */
  public MethodDeclaration atLeast(String key, String bound) {
    return with(new CrossRule(key, bound, false));
  }

  private MethodDeclaration with(CrossRule r) {
    param(r.key());
    param(r.bound());
    List<CrossRule> all = new ArrayList<>(rules);
    all.add(r);
    return new MethodDeclaration(
        id, summary, params, List.copyOf(all), matchedDensity, needsInitialWeights);
  }

  /**
   * The method can rerun at another mask's density ({@code masks.matched-density}): it takes that
   * mask's kept count as {@code top-k}, over the whole model ({@code per-layer = 0}) and every
   * parameter ({@code mask-biases = 1}), so it must declare those three keys.
   */
  public MethodDeclaration matchedDensity() {
    for (String k : List.of("top-k", "per-layer", "mask-biases")) {
      param(k);
    }
    return new MethodDeclaration(id, summary, params, rules, true, needsInitialWeights);
  }

  /**
   * The method needs the base model's initial weights for {@code what} (an imported one has none).
   */
  public MethodDeclaration needsInitialWeights(String what) {
    return new MethodDeclaration(id, summary, params, rules, matchedDensity, what);
  }

  public String id() {
    return id;
  }

  public String summary() {
    return summary;
  }

  /** The hyperparameters, in the order of reference.conf. */
  public List<HyperParameter> parameters() {
    return List.copyOf(params.values());
  }

  /** The hyperparameter {@code name}; an error when the method has none of that name. */
  public HyperParameter param(String name) {
    HyperParameter p = params.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          id + " has no hyperparameter " + name + " (it has " + params.keySet() + ")");
    }
    return p;
  }

  public boolean has(String name) {
    return params.containsKey(name);
  }

  public List<CrossRule> rules() {
    return rules;
  }

  public boolean runsAtMatchedDensity() {
    return matchedDensity;
  }

  /** What the method needs the initial weights for ("rewinds to ..."); null when it does not. */
  public String initialWeightsUse() {
    return needsInitialWeights;
  }

  /** The hyperparameter that sets the sparsity, if the method has one. */
  public Optional<HyperParameter> regulariser() {
    return params.values().stream().filter(p -> p.sparserWhenLarger() != 0).findFirst();
  }

  /** Typed access to one run's values (missing keys at their defaults). */
  public Hyperparameters values(Map<String, Double> values) {
    return new Hyperparameters(this, values);
  }

  @Override
  public String toString() {
    return id + " " + params.values();
  }
}
