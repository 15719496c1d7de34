package org.subnetlab.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The table of every mask method's hyperparameters in docs/methods.md, generated from their
 * declarations (a test compares the page with {@link #markdown}).
 */
public final class HyperParameterTable {
  /** The line before the generated table in docs/methods.md. */
  public static final String BEGIN =
      "<!-- hyperparameters: generated from the methods' declarations; HyperParameterDocTest -->";

  /** The line after it. */
  public static final String END = "<!-- /hyperparameters -->";

  private HyperParameterTable() {}

  /** One row per hyperparameter of each method, in registration and declaration order. */
  public static String markdown(List<MethodDeclaration> methods) {
    StringBuilder sb = new StringBuilder();
    sb.append("| method | key | type | values | default | `auto` | what it sets |\n");
    sb.append("|---|---|---|---|---|---|---|\n");
    for (MethodDeclaration m : methods) {
      for (HyperParameter p : m.parameters()) {
        sb.append("| `")
            .append(m.id())
            .append("` | `")
            .append(p.name())
            .append("` | ")
            .append(type(p))
            .append(" | ")
            .append(values(m, p))
            .append(" | ")
            .append(HyperParameter.canonical(p.defaultValue()))
            .append(" | ")
            .append(
                p.autoPath() == null
                    ? ""
                    : p.autoPath().stream()
                        .map(HyperParameter::canonical)
                        .collect(Collectors.joining(", ")))
            .append(" | ")
            .append(p.doc())
            .append(" |\n");
      }
    }
    return sb.toString();
  }

  private static String type(HyperParameter p) {
    String t =
        switch (p.kind()) {
          case REAL -> "real";
          case INTEGER -> "integer";
          case BOOLEAN -> "boolean";
        };
    return p.sweepable() ? t : t + ", one value";
  }

  private static String values(MethodDeclaration m, HyperParameter p) {
    Keys.Range r = p.range();
    StringBuilder sb =
        new StringBuilder(
            p.kind() == HyperParameter.Kind.BOOLEAN
                ? "0 or 1"
                : (r.minOpen() ? "(" : "[")
                    + HyperParameter.canonical(r.min())
                    + ", "
                    + HyperParameter.canonical(r.max())
                    + "]");
    if (p.ruleText() != null) {
      sb.append("; ").append(p.ruleText().replaceFirst("^must be ", ""));
    }
    for (MethodDeclaration.CrossRule c : m.rules()) {
      if (c.key().equals(p.name())) {
        sb.append("; every value ")
            .append(c.atMost() ? "≤" : "≥")
            .append(" every `")
            .append(c.bound())
            .append('`');
      }
    }
    if (p.sparserWhenLarger() != 0) {
      sb.append("; the regulariser (")
          .append(p.sparserWhenLarger() > 0 ? "larger" : "smaller")
          .append(" is sparser)");
    }
    if (p.initialWeightsUse() != null) {
      sb.append("; 1 needs the initial weights (not with `model.import`)");
    }
    return sb.toString();
  }
}
