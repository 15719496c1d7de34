package org.subnetlab.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the mask sweep: methods, subtasks, seeds, and per method the list of values of each
 * hyperparameter (the sweep is their cartesian product). The keys of a method, their ranges, their
 * {@code auto} paths and the rules between them are the method's {@link MethodDeclaration}.
 */
public final class MaskSettings {
  private final List<MethodDeclaration> declarations;
  private final List<String> methods;
  private final List<String> subtasks;
  private final List<Long> seeds;
  private final Map<String, Map<String, List<Double>>> grids = new LinkedHashMap<>();
  private final String matchedReference;
  private final List<String> matchedMethods;

  MaskSettings(Config c) {
    this.declarations = MethodCatalog.installed().methods();
    List<String> ids = declarations.stream().map(MethodDeclaration::id).toList();
    this.methods = Keys.stringsFrom(c, "masks.methods", ids, true);
    this.subtasks = Keys.stringsFrom(c, "masks.subtasks", null, false);
    this.seeds = Keys.longsIn(c, "masks.seeds", 0, Integer.MAX_VALUE, true);
    for (MethodDeclaration m : declarations) {
      checkDeclaredKeys(c, m);
      Map<String, List<Double>> grid = new LinkedHashMap<>();
      for (HyperParameter k : m.parameters()) {
        String path = "masks." + m.id() + "." + k.name();
        List<Double> values = Keys.sweepValues(c, path, k.range(), k.autoPath());
        if (!k.sweepable() && values.size() > 1) {
          throw Keys.bad(c, path, "takes one value, not a list (it is not swept)");
        }
        grid.put(k.name(), values);
      }
      grids.put(m.id(), grid);
    }
    checkRules(c);
    this.matchedMethods =
        Keys.stringsFrom(
            c,
            "masks.matched-density.methods",
            declarations.stream()
                .filter(MethodDeclaration::runsAtMatchedDensity)
                .map(MethodDeclaration::id)
                .toList(),
            false);
    String ref = c.getString("masks.matched-density.reference");
    if (!ref.isEmpty() && !methods.contains(ref)) {
      throw Keys.bad(
          c,
          "masks.matched-density.reference",
          "must be \"\" (off) or one of masks.methods " + methods);
    }
    if (!ref.isEmpty() && matchedMethods.isEmpty()) {
      throw Keys.bad(
          c,
          "masks.matched-density.methods",
          "must name at least one method when masks.matched-density.reference is set");
    }
    this.matchedReference = ref;
  }

  /** The method whose densities the matched runs take; empty when the comparison is off. */
  public String matchedReference() {
    return matchedReference;
  }

  public List<String> matchedMethods() {
    return matchedMethods;
  }

  /** Every registered method, in registration order (also the order of reference.conf). */
  public List<MethodDeclaration> declarations() {
    return declarations;
  }

  /** The declaration of method {@code id}. */
  public MethodDeclaration declaration(String id) {
    return declarations.stream()
        .filter(d -> d.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Unknown mask method " + id));
  }

  /** reference.conf's block of a method holds exactly its declared keys. */
  private static void checkDeclaredKeys(Config c, MethodDeclaration m) {
    String block = "masks." + m.id();
    if (!c.hasPath(block)) {
      throw Keys.bad(
          c,
          block,
          "the method " + m.id() + " is registered, but reference.conf has no" + " block for it");
    }
    for (String k : c.getConfig(block).root().keySet()) {
      if (!m.has(k)) {
        throw Keys.bad(
            c,
            block + "." + k,
            "not a hyperparameter of "
                + m.id()
                + " (it has "
                + m.parameters().stream().map(HyperParameter::name).toList()
                + ")");
      }
    }
  }

  /** Each value's further rule, for every method; then the rules between keys. */
  private void checkRules(Config c) {
    for (MethodDeclaration m : declarations) {
      for (HyperParameter k : m.parameters()) {
        for (double v : grids.get(m.id()).get(k.name())) {
          String broken = k.ruleBrokenBy(v);
          if (broken != null) {
            throw Keys.bad(c, "masks." + m.id() + "." + k.name(), broken);
          }
        }
      }
    }
    for (MethodDeclaration m : declarations) {
      for (MethodDeclaration.CrossRule r : m.rules()) {
        String broken = r.brokenBy(m.id(), grids.get(m.id()), m.param(r.bound()));
        if (broken != null) {
          throw Keys.bad(c, "masks." + m.id() + "." + r.key(), broken);
        }
      }
    }
  }

  /**
   * With an imported model (model.import), which has no initial weights: fails when a method of the
   * sweep, or a true value of one of its keys, needs them.
   */
  void checkWithoutInitialWeights(Config c) {
    for (MethodDeclaration m : declarations) {
      if (methods.contains(m.id()) && m.initialWeightsUse() != null) {
        throw Keys.bad(
            c,
            "masks.methods",
            m.id()
                + " "
                + m.initialWeightsUse()
                + ", which an imported model (model.import) does not have");
      }
    }
    for (MethodDeclaration m : declarations) {
      if (!methods.contains(m.id())) {
        continue;
      }
      for (HyperParameter k : m.parameters()) {
        if (k.initialWeightsUse() != null && grids.get(m.id()).get(k.name()).contains(1.0)) {
          throw Keys.bad(
              c,
              "masks." + m.id() + "." + k.name(),
              "an imported model"
                  + " (model.import) has no initial weights to "
                  + k.initialWeightsUse()
                  + "; use 0");
        }
      }
    }
  }

  public List<String> methods() {
    return methods;
  }

  /** Subtasks named in the config; empty means every subtask of the task. */
  public List<String> subtasks() {
    return subtasks;
  }

  public List<Long> seeds() {
    return seeds;
  }

  /** Per hyperparameter of {@code method}, its list of values. */
  public Map<String, List<Double>> grid(String method) {
    return grids.get(method);
  }

  /** Every combination of {@code method}'s hyperparameter values, as key → value. */
  public List<Map<String, Double>> gridPoints(String method) {
    List<Map<String, Double>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<Double>> k : grid(method).entrySet()) {
      List<Map<String, Double>> next = new ArrayList<>();
      for (Map<String, Double> p : points) {
        for (double v : k.getValue()) {
          Map<String, Double> q = new LinkedHashMap<>(p);
          q.put(k.getKey(), v);
          next.add(q);
        }
      }
      points = next;
    }
    return points;
  }
}
