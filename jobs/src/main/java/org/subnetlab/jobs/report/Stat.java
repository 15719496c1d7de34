package org.subnetlab.jobs.report;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * SQL's {@code avg} and {@code stddev_samp} over the non-null values of a group, for the report's
 * small tables grouped on the driver: the sum in row order for the mean, Welford's update for the
 * variance; {@code null} without values (the mean) or with fewer than two (the deviation).
 */
final class Stat {
  /** Keys of strings in ascending order, nulls first (SQL's ORDER BY). */
  static final Comparator<List<String>> STRINGS =
      (a, b) -> {
        Comparator<String> c = Comparator.nullsFirst(Comparator.<String>naturalOrder());
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
          int d = c.compare(a.get(i), b.get(i));
          if (d != 0) {
            return d;
          }
        }
        return Integer.compare(a.size(), b.size());
      };

  private long n;
  private double sum;
  private double mean;
  private double m2;

  void add(Object value) {
    if (value == null) {
      return;
    }
    double v = ((Number) value).doubleValue();
    n++;
    sum += v;
    double d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }

  Double avg() {
    return n == 0 ? null : sum / n;
  }

  Double sd() {
    return n < 2 ? null : Math.sqrt(m2 / (n - 1));
  }

  /** {@code sd()}, or 0 where it is undefined (one value): the report's error bars. */
  double sdOrZero() {
    Double s = sd();
    return s == null ? 0 : s;
  }

  /**
   * One {@code Stat} per value column for every key of {@code rows}, keys in ascending order:
   * {@code SELECT key, avg(c1), ... GROUP BY key ORDER BY key}.
   */
  static Map<List<String>, Stat[]> group(
      List<Row> rows, Function<Row, List<String>> key, String... columns) {
    Groups g = new Groups(columns);
    for (Row r : rows) {
      g.add(key.apply(r), r);
    }
    return g.result();
  }

  /**
   * {@link #group} fed one row at a time, for rows streamed from a table too large to collect: the
   * same sums in the same row order, so the same figures.
   */
  static final class Groups {
    private final String[] columns;
    private final Map<List<String>, Stat[]> groups = new TreeMap<>(STRINGS);

    Groups(String... columns) {
      this.columns = columns;
    }

    void add(List<String> key, Row r) {
      Stat[] s =
          groups.computeIfAbsent(
              key,
              k -> {
                Stat[] fresh = new Stat[columns.length];
                for (int i = 0; i < fresh.length; i++) {
                  fresh[i] = new Stat();
                }
                return fresh;
              });
      for (int i = 0; i < s.length; i++) {
        s[i].add(col(r, columns[i]));
      }
    }

    /** The groups, keys in ascending order. */
    Map<List<String>, Stat[]> result() {
      return groups;
    }
  }

  /** The value of a named column of a collected row ({@code null} if SQL NULL). */
  static Object col(Row r, String name) {
    return r.get(r.fieldIndex(name));
  }

  static String str(Row r, String name) {
    return r.getString(r.fieldIndex(name));
  }
}
