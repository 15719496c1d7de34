package org.subnetlab.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoublePredicate;
import org.subnetlab.config.Keys.Range;

/**
 * One hyperparameter of a mask method, declared once by the method ({@link MethodDeclaration}): its
 * key under {@code masks.<method>}, type, allowed range, default, whether a list of values may
 * sweep it, and a one-line doc. Configuration validation, the sweep grid, the run-id hash and the
 * hyperparameter table of docs/methods.md are derived from it.
 *
 * <p>Every value is held as a double (the {@code hyperparameters} map of a run); its canonical text
 * ({@link #canonical}) is what the run-id hash and the tables' {@code hyperparameters} column
 * store: a whole number without a decimal point ({@code 1} for a true boolean, {@code 0} for a
 * false one, {@code 128}), any other number as Java prints it ({@code 0.01}, {@code 1.0E-4}).
 */
public final class HyperParameter {
  /** The type of a hyperparameter's values. */
  public enum Kind {
    /** A real number. */
    REAL,
    /** A whole number. */
    INTEGER,
    /** 0 (false) or 1 (true) in the config, a boolean in the method. */
    BOOLEAN
  }

  private final String name;
  private final Kind kind;
  private final Range range;
  private final double defaultValue;
  private final boolean sweepable;
  private final String doc;
  private final List<Double> auto;
  private final int sparser;
  private final DoublePredicate valueRule;
  private final String valueRuleText;
  private final String needsInitialWeights;

  private HyperParameter(
      String name,
      Kind kind,
      Range range,
      double defaultValue,
      boolean sweepable,
      String doc,
      List<Double> auto,
      int sparser,
      DoublePredicate valueRule,
      String valueRuleText,
      String needsInitialWeights) {
    this.name = Objects.requireNonNull(name);
    this.kind = kind;
    this.range = range;
    this.defaultValue = defaultValue;
    this.sweepable = sweepable;
    this.doc = Objects.requireNonNull(doc);
    this.auto = auto;
    this.sparser = sparser;
    this.valueRule = valueRule;
    this.valueRuleText = valueRuleText;
    this.needsInitialWeights = needsInitialWeights;
    if (!range.contains(defaultValue)) {
      throw new IllegalArgumentException(name + ": default " + defaultValue + " is not " + range);
    }
  }

  /** A real number in [min, max] (or (min, max] when {@code minOpen}). */
  public static HyperParameter real(
      String name, double min, boolean minOpen, double max, double defaultValue, String doc) {
    return new HyperParameter(
        name,
        Kind.REAL,
        Range.real(min, minOpen, max),
        defaultValue,
        true,
        doc,
        null,
        0,
        null,
        null,
        null);
  }

  /** A whole number in [min, max]. */
  public static HyperParameter integer(
      String name, long min, long max, long defaultValue, String doc) {
    return new HyperParameter(
        name,
        Kind.INTEGER,
        Range.integer(min, max),
        defaultValue,
        true,
        doc,
        null,
        0,
        null,
        null,
        null);
  }

  /** A boolean, written 0 or 1 in the config (a list [0, 1] sweeps both). */
  public static HyperParameter flag(String name, boolean defaultValue, String doc) {
    return new HyperParameter(
        name,
        Kind.BOOLEAN,
        Range.integer(0, 1),
        defaultValue ? 1 : 0,
        true,
        doc,
        null,
        0,
        null,
        null,
        null);
  }

  /**
   * This hyperparameter as the method's regulariser: the one that sets its sparsity, with the
   * direction in which the mask gets sparser (+1 when a larger value gives a sparser mask, −1 when
   * a smaller one does), and the regularisation path that {@code auto} stands for.
   */
  public HyperParameter regulariser(int sparserWhenLarger, List<Double> autoPath) {
    if (Math.abs(sparserWhenLarger) != 1 || autoPath.isEmpty()) {
      throw new IllegalArgumentException(name + ": direction +1 or -1 and a non-empty path");
    }
    return new HyperParameter(
        name,
        kind,
        range,
        defaultValue,
        sweepable,
        doc,
        List.copyOf(autoPath),
        sparserWhenLarger,
        valueRule,
        valueRuleText,
        needsInitialWeights);
  }

  /** This hyperparameter with a further rule every value must meet ({@code rule} says it). */
  public HyperParameter rule(DoublePredicate ok, String rule) {
    return new HyperParameter(
        name,
        kind,
        range,
        defaultValue,
        sweepable,
        doc,
        auto,
        sparser,
        ok,
        rule,
        needsInitialWeights);
  }

  /** This hyperparameter taking one value only (no list, so it does not enter the sweep). */
  public HyperParameter fixed() {
    return new HyperParameter(
        name,
        kind,
        range,
        defaultValue,
        false,
        doc,
        auto,
        sparser,
        valueRule,
        valueRuleText,
        needsInitialWeights);
  }

  /**
   * This boolean, when true, needs the base model's initial weights, which an imported model does
   * not have; {@code use} says what for (ends "has no initial weights to ...").
   */
  public HyperParameter trueNeedsInitialWeights(String use) {
    if (kind != Kind.BOOLEAN) {
      throw new IllegalArgumentException(name + " is not a boolean");
    }
    return new HyperParameter(
        name,
        kind,
        range,
        defaultValue,
        sweepable,
        doc,
        auto,
        sparser,
        valueRule,
        valueRuleText,
        use);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  /** The default, as a value of the hyperparameters map (0 or 1 for a boolean). */
  public double defaultValue() {
    return defaultValue;
  }

  /** Whether a list of values sweeps it. */
  public boolean sweepable() {
    return sweepable;
  }

  /** One line saying what it does. */
  public String doc() {
    return doc;
  }

  /** The values {@code auto} stands for; null when the key takes no {@code auto}. */
  public List<Double> autoPath() {
    return auto;
  }

  /** +1 or −1 for the method's regulariser (see {@link #regulariser}), 0 for any other key. */
  public int sparserWhenLarger() {
    return sparser;
  }

  /** What a true value needs the initial weights for; null when it needs none. */
  public String initialWeightsUse() {
    return needsInitialWeights;
  }

  /** Whether {@code v} is in the range (the further rule aside). */
  public boolean inRange(double v) {
    return range.contains(v);
  }

  /** The range as the error messages say it: "an integer in [0, 1]", "a number in (0.0, 10.0]". */
  public String rangeText() {
    return range.toString();
  }

  Range range() {
    return range;
  }

  /** The further rule's text when {@code v} breaks it, else null. */
  String ruleBrokenBy(double v) {
    return valueRule == null || valueRule.test(v) ? null : valueRuleText;
  }

  /** The text of the further rule; null when there is none. */
  public String ruleText() {
    return valueRuleText;
  }

  /**
   * The canonical text of a value, as hashed into run ids and stored in the tables' {@code
   * hyperparameters} column.
   */
  public String render(double v) {
    return canonical(v);
  }

  /**
   * The canonical text of any hyperparameter value: a whole number (below 1e15 in magnitude)
   * without a decimal point, any other as {@code String.valueOf(double)}.
   */
  public static String canonical(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%s", v);
  }

  /**
   * centre × 10^(k/2) for k = from … to, rounded to 3 significant digits (the values a user would
   * write, so that {@code auto} and its list written out give the same run ids).
   */
  public static List<Double> halfDecades(double centre, int from, int to) {
    List<Double> out = new ArrayList<>();
    for (int k = from; k <= to; k++) {
      double v = centre * Math.pow(10, k / 2.0);
      out.add(Double.parseDouble(String.format(Locale.ROOT, "%.3g", v)));
    }
    return out;
  }

  @Override
  public String toString() {
    return name
        + " ("
        + kind.name().toLowerCase(Locale.ROOT)
        + ", "
        + rangeText()
        + ", default "
        + canonical(defaultValue)
        + ")";
  }
}
