package org.subnetlab.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.subnetlab.jobs.spark.SparkSessions;
import scala.collection.JavaConverters;

/**
 * Reads a planted-table sweep's Parquet tables (masks, ablation) and measures, independently of the
 * code that wrote them, where each mask's first-layer kept weights come from (own, other, noise and
 * indicator input columns), its subnetwork accuracy relative to the full model, the mask picked by
 * the selection rule, and the Jaccard between the two subtasks' masks. The first layer {@code 0_W}
 * is DL4J's [nIn, nOut] matrix in column-major order, so bit i reads input column i mod nIn.
 *
 * <p>Run as a program on a finished run directory to print the measurement table: {@code java -cp
 * <jar>:<runtime classpath>:jobs/target/test-classes org.subnetlab.jobs.PlantedTruth OUT_DIR
 * [tolerance]}.
 */
final class PlantedTruth {
  /** Input columns of conf/planted-table.conf: a0..a3, b0..b3, n0..n3, task_a, task_b. */
  static final int N_IN = 14;

  /** Which input columns each subtask's label reads. */
  static final Map<String, int[]> FEATURES =
      Map.of("a", new int[] {0, 1, 2, 3}, "b", new int[] {4, 5, 6, 7});

  /** Each subtask's indicator column (1 on its rows, 0 on the other subtask's). */
  static final Map<String, int[]> INDICATOR = Map.of("a", new int[] {12}, "b", new int[] {13});

  /** Columns no label reads. */
  static final int[] NOISE = {8, 9, 10, 11};

  /** One mask's measured figures. */
  record Figures(
      String runId,
      String method,
      String gridPoint,
      String subtask,
      int seed,
      long kept,
      long params,
      long firstKept,
      double ownFeatures,
      double ownIndicator,
      double otherFeatures,
      double otherIndicator,
      double noise,
      double subnetworkAccuracy,
      double fullAccuracy,
      boolean biasesMasked,
      String[] layers,
      byte[][] bits) {
    double density() {
      return (double) kept / params;
    }

    double relativeAccuracy() {
      return subnetworkAccuracy / fullAccuracy;
    }

    /** Share of the kept first-layer weights that read the subtask's own input columns. */
    double own() {
      return ownFeatures + ownIndicator;
    }

    /** Share of the kept first-layer weights that read the other subtask's input columns. */
    double other() {
      return otherFeatures + otherIndicator;
    }

    /** The own share among the kept first-layer weights that read a feature (no indicator). */
    double ownOfFeatures() {
      return ownFeatures / (ownFeatures + otherFeatures + noise);
    }

    /** The other subtask's share among the kept first-layer weights that read a feature. */
    double otherOfFeatures() {
      return otherFeatures / (ownFeatures + otherFeatures + noise);
    }
  }

  private PlantedTruth() {}

  /** Every mask of the run directory's tables, measured. */
  static List<Figures> measure(SparkSession spark, Path out) {
    Path tables = out.resolve("tables");
    Map<String, Double> subnet = new HashMap<>();
    Map<String, Double> full = new HashMap<>();
    for (Row r :
        spark
            .read()
            .parquet(tables.resolve("ablation").toString())
            .where("eval_subtask = mask_subtask AND mode IN ('full', 'subnetwork')")
            .select("run_id", "mode", "accuracy")
            .collectAsList()) {
      (r.getString(1).equals("full") ? full : subnet).put(r.getString(0), r.getDouble(2));
    }
    Map<String, List<Row>> layers = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .parquet(tables.resolve("masks").toString())
            .select(
                "run_id",
                "method",
                "subtask",
                "seed",
                "hyperparameters",
                "layer",
                "n_params",
                "bits")
            .collectAsList()) {
      layers.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r);
    }
    List<Figures> all = new ArrayList<>();
    for (Map.Entry<String, List<Row>> e : layers.entrySet()) {
      List<Row> rows = new ArrayList<>(e.getValue());
      rows.sort((x, y) -> x.getString(5).compareTo(y.getString(5)));
      Row first = rows.get(0);
      String subtask = first.getString(2);
      long kept = 0;
      long params = 0;
      long[] perColumn = new long[N_IN];
      byte[][] bits = new byte[rows.size()][];
      String[] names = new String[rows.size()];
      for (int l = 0; l < rows.size(); l++) {
        Row r = rows.get(l);
        int n = ((Number) r.get(6)).intValue();
        byte[] b = (byte[]) r.get(7);
        bits[l] = b;
        names[l] = r.getString(5);
        params += n;
        for (int i = 0; i < n; i++) {
          if ((b[i >>> 3] & (1 << (i & 7))) != 0) {
            kept++;
            if (r.getString(5).equals("0_W")) {
              perColumn[i % N_IN]++;
            }
          }
        }
      }
      long firstKept = 0;
      for (long c : perColumn) {
        firstKept += c;
      }
      String other = subtask.equals("a") ? "b" : "a";
      boolean planted = FEATURES.containsKey(subtask); // shares mean nothing on other tasks
      all.add(
          new Figures(
              e.getKey(),
              first.getString(1),
              gridPoint(first.getMap(4)),
              subtask,
              ((Number) first.get(3)).intValue(),
              kept,
              params,
              firstKept,
              planted ? share(perColumn, FEATURES.get(subtask), firstKept) : Double.NaN,
              planted ? share(perColumn, INDICATOR.get(subtask), firstKept) : Double.NaN,
              planted ? share(perColumn, FEATURES.get(other), firstKept) : Double.NaN,
              planted ? share(perColumn, INDICATOR.get(other), firstKept) : Double.NaN,
              planted ? share(perColumn, NOISE, firstKept) : Double.NaN,
              subnet.get(e.getKey()),
              full.get(e.getKey()),
              biasesMasked(first.getMap(4)),
              names,
              bits));
    }
    return all;
  }

  private static double share(long[] perColumn, int[] columns, long total) {
    long s = 0;
    for (int c : columns) {
      s += perColumn[c];
    }
    return total == 0 ? 0 : (double) s / total;
  }

  /** Whether the run masked the biases ({@code mask-biases}; runs before that key masked them). */
  private static boolean biasesMasked(scala.collection.Map<Object, Object> hp) {
    Object v = JavaConverters.mapAsJavaMap(hp).get("mask-biases");
    return v == null || Double.parseDouble((String) v) != 0;
  }

  private static String gridPoint(scala.collection.Map<Object, Object> hp) {
    Map<String, String> m = new TreeMap<>();
    JavaConverters.mapAsJavaMap(hp)
        .forEach(
            (k, v) -> {
              if (k.equals("alpha") || k.equals("lambda") || k.equals("steps")) {
                m.put((String) k, (String) v);
              }
            });
    return m.toString();
  }

  /**
   * The selection rule of issue 22, computed here from the tables: per (method, subtask, seed), the
   * sparsest mask whose subnetwork accuracy is at least (1 − tolerance) × the full model's on its
   * subtask; null when none qualifies.
   */
  static Map<String, Figures> selectSparsestWithinTolerance(List<Figures> all, double tolerance) {
    Map<String, Figures> chosen = new TreeMap<>();
    for (Figures f : all) {
      if (f.subnetworkAccuracy() < (1 - tolerance) * f.fullAccuracy()) {
        continue;
      }
      String key = f.method() + "/" + f.subtask() + "/" + f.seed();
      Figures best = chosen.get(key);
      if (best == null || f.kept() < best.kept()) {
        chosen.put(key, f);
      }
    }
    return chosen;
  }

  /**
   * Jaccard |a ∩ b| / |a ∪ b| over the parameters the two masks chose: every parameter, or only the
   * weights when biases were not masked (unmasked biases are kept by every mask).
   */
  static double jaccard(Figures a, Figures b) {
    long inter = 0;
    long union = 0;
    boolean biases = a.biasesMasked() && b.biasesMasked();
    for (int l = 0; l < a.bits().length; l++) {
      if (!a.layers()[l].equals(b.layers()[l])) {
        throw new IllegalStateException(a.layers()[l] + " against " + b.layers()[l]);
      }
      if (!biases && a.layers()[l].endsWith("_b")) {
        continue;
      }
      byte[] x = a.bits()[l];
      byte[] y = b.bits()[l];
      for (int i = 0; i < x.length; i++) {
        inter += Integer.bitCount((x[i] & y[i]) & 0xff);
        union += Integer.bitCount((x[i] | y[i]) & 0xff);
      }
    }
    return union == 0 ? 0 : (double) inter / union;
  }

  /** The Jaccard between the other subtask's mask of the same method, grid point and seed. */
  static Double jaccardWithOtherSubtask(List<Figures> all, Figures f) {
    for (Figures g : all) {
      if (FEATURES.containsKey(f.subtask())
          && !g.subtask().equals(f.subtask())
          && g.method().equals(f.method())
          && g.gridPoint().equals(f.gridPoint())
          && g.seed() == f.seed()) {
        return jaccard(f, g);
      }
    }
    return null;
  }

  public static void main(String[] args) {
    double tolerance = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
    SparkSession spark = SparkSessions.local("planted-truth", "local[1]");
    try {
      List<Figures> all = measure(spark, Path.of(args[0]));
      all.sort(
          (x, y) ->
              (x.method() + x.gridPoint() + x.subtask() + x.seed())
                  .compareTo(y.method() + y.gridPoint() + y.subtask() + y.seed()));
      Map<String, Figures> selected = selectSparsestWithinTolerance(all, tolerance);
      System.out.println(
          "| method | grid point | subtask | seed | density | own | other | noise"
              + " | own indicator | own of features | subnet acc | full acc | rel | Jaccard a-b"
              + " | selected |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      for (Figures f : all) {
        Double j = jaccardWithOtherSubtask(all, f);
        System.out.println(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %d | %.4f | %.3f | %.3f | %.3f | %.3f | %.3f | %.4f | %.4f | %.3f"
                    + " | %s | %s |",
                f.method(),
                f.gridPoint(),
                f.subtask(),
                f.seed(),
                f.density(),
                f.own(),
                f.other(),
                f.noise(),
                f.ownIndicator(),
                f.ownOfFeatures(),
                f.subnetworkAccuracy(),
                f.fullAccuracy(),
                f.relativeAccuracy(),
                j == null ? "-" : String.format(Locale.ROOT, "%.3f", j),
                selected.containsValue(f) ? "yes" : ""));
      }
    } finally {
      spark.stop();
    }
  }
}
