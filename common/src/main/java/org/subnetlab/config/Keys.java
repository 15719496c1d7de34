package org.subnetlab.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Typed, range-checked reads of config keys; every failure names key, value and rule. */
final class Keys {
  private Keys() {}

  static BadInputException bad(Config c, String path, String rule) {
    String shown =
        c.hasPath(path)
            ? c.getValue(path).render(com.typesafe.config.ConfigRenderOptions.concise())
            : "(missing)";
    return new BadInputException(
        String.format(Locale.ROOT, "Cannot set %s to %s: %s.", path, shown, rule));
  }

  static long longIn(Config c, String path, long min, long max) {
    return longIn(c, path, min, max, "an integer in [" + min + ", " + max + "]");
  }

  /** As above, the message naming {@code what} the key takes. */
  static long longIn(Config c, String path, long min, long max, String what) {
    String rule = "must be " + what;
    double d = number(c, path, rule);
    if (d != Math.rint(d) || d < min || d > max) {
      throw bad(c, path, rule);
    }
    return (long) d;
  }

  static int intIn(Config c, String path, int min, int max) {
    return (int) longIn(c, path, min, max);
  }

  static int intIn(Config c, String path, int min, int max, String what) {
    return (int) longIn(c, path, min, max, what);
  }

  static double doubleIn(Config c, String path, double min, boolean minOpen, double max) {
    String rule = "must be a number in " + (minOpen ? "(" : "[") + min + ", " + max + "]";
    double d = number(c, path, rule);
    if (!Double.isFinite(d) || d < min || (minOpen && d == min) || d > max) {
      throw bad(c, path, rule);
    }
    return d;
  }

  private static double number(Config c, String path, String rule) {
    ConfigValue v = c.getValue(path);
    if (v.valueType() != ConfigValueType.NUMBER) {
      throw bad(c, path, rule);
    }
    return ((Number) v.unwrapped()).doubleValue();
  }

  /** A non-empty string. */
  static String string(Config c, String path) {
    ConfigValue v = c.getValue(path);
    if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
      throw bad(c, path, "must be a non-empty string");
    }
    return (String) v.unwrapped();
  }

  static String oneOf(Config c, String path, List<String> allowed) {
    String rule = "must be one of " + allowed;
    ConfigValue v = c.getValue(path);
    if (v.valueType() != ConfigValueType.STRING || !allowed.contains((String) v.unwrapped())) {
      throw bad(c, path, rule);
    }
    return (String) v.unwrapped();
  }

  /** A list of strings, each from {@code allowed} (null = any), without repeats. */
  static List<String> stringsFrom(Config c, String path, List<String> allowed, boolean nonEmpty) {
    String rule =
        (nonEmpty ? "must be a non-empty list" : "must be a list")
            + " of distinct strings"
            + (allowed == null ? "" : " from " + allowed);
    List<String> out;
    try {
      out = c.getStringList(path);
    } catch (ConfigException.WrongType e) {
      throw bad(c, path, rule);
    }
    if (nonEmpty && out.isEmpty()) {
      throw bad(c, path, rule);
    }
    if (out.stream().distinct().count() != out.size()) {
      throw bad(c, path, rule);
    }
    if (allowed != null && !allowed.containsAll(out)) {
      throw bad(c, path, rule);
    }
    return List.copyOf(out);
  }

  /** A list of integers in [min, max]. */
  static List<Long> longsIn(Config c, String path, long min, long max, boolean nonEmpty) {
    String rule =
        (nonEmpty ? "must be a non-empty list" : "must be a list")
            + " of distinct integers in ["
            + min
            + ", "
            + max
            + "]";
    List<Double> ds = numberList(c, path, rule);
    List<Long> out = new ArrayList<>();
    for (double d : ds) {
      if (d != Math.rint(d) || d < min || d > max) {
        throw bad(c, path, rule);
      }
      out.add((long) d);
    }
    if ((nonEmpty && out.isEmpty()) || out.stream().distinct().count() != out.size()) {
      throw bad(c, path, rule);
    }
    return List.copyOf(out);
  }

  /** One number or a non-empty list of numbers, each in {@code range}. */
  static List<Double> sweepValues(Config c, String path, Range range) {
    return sweepValues(c, path, range, null);
  }

  /**
   * One number, a non-empty list of numbers, each in {@code range}, or — when {@code auto} is not
   * null — the string {@code auto}, which stands for the list {@code auto} (validated like a list
   * written out, so both give the same runs).
   */
  static List<Double> sweepValues(Config c, String path, Range range, List<Double> auto) {
    String rule =
        auto == null
            ? "must be a number or a non-empty list of numbers, each " + range
            : "must be a number, a non-empty list of numbers, each "
                + range
                + ", or \"auto\" (= "
                + auto
                + ")";
    ConfigValue v = c.getValue(path);
    List<Double> out;
    if (auto != null && v.valueType() == ConfigValueType.STRING && "auto".equals(v.unwrapped())) {
      out = auto;
    } else if (v.valueType() == ConfigValueType.NUMBER) {
      out = List.of(((Number) v.unwrapped()).doubleValue());
    } else {
      out = numberList(c, path, rule);
    }
    if (out.isEmpty()) {
      throw bad(c, path, rule);
    }
    for (double d : out) {
      if (!range.contains(d)) {
        throw bad(c, path, rule);
      }
    }
    for (int j = 1; j < out.size(); j++) {
      int first = out.subList(0, j).indexOf(out.get(j));
      if (first >= 0) {
        throw bad(
            c,
            path,
            "the values must be distinct (each is one point of the sweep); value "
                + (j + 1)
                + " ("
                + render(c, path, j)
                + ") repeats value "
                + (first + 1)
                + " ("
                + render(c, path, first)
                + ")");
      }
    }
    return List.copyOf(out);
  }

  /** Element {@code j} of the list at {@code path}, as written. */
  private static String render(Config c, String path, int j) {
    return c.getList(path).get(j).render(com.typesafe.config.ConfigRenderOptions.concise());
  }

  private static List<Double> numberList(Config c, String path, String rule) {
    ConfigValue v = c.getValue(path);
    if (v.valueType() != ConfigValueType.LIST) {
      throw bad(c, path, rule);
    }
    try {
      List<Double> out = new ArrayList<>();
      for (Number n : c.getNumberList(path)) {
        out.add(n.doubleValue());
      }
      return out;
    } catch (ConfigException.WrongType e) {
      throw bad(c, path, rule);
    }
  }

  /** A closed or half-open numeric range, optionally integral. */
  record Range(double min, boolean minOpen, double max, boolean integral) {
    static Range integer(long min, long max) {
      return new Range(min, false, max, true);
    }

    static Range real(double min, boolean minOpen, double max) {
      return new Range(min, minOpen, max, false);
    }

    boolean contains(double d) {
      return Double.isFinite(d)
          && d >= min
          && !(minOpen && d == min)
          && d <= max
          && (!integral || d == Math.rint(d));
    }

    @Override
    public String toString() {
      String lo = integral ? String.valueOf((long) min) : String.valueOf(min);
      String hi = integral ? String.valueOf((long) max) : String.valueOf(max);
      return (integral ? "an integer" : "a number")
          + " in "
          + (minOpen ? "(" : "[")
          + lo
          + ", "
          + hi
          + "]";
    }
  }
}
