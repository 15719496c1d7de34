package org.subnetlab.jobs.output;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.subnetlab.config.BadInputException;

/**
 * Prints a result table as CSV (RFC 4180, with a header) or as JSON lines, for readers without a
 * Parquet library. Binary columns (mask bits, Δ) become base64; maps and structs become JSON text
 * in CSV. Rows stream through the driver one partition at a time.
 */
public final class TableExport {
  private TableExport() {}

  /** The output formats. */
  public enum Format {
    CSV,
    JSON
  }

  public static void print(
      SparkSession spark, OutputLayout out, String table, Format format, PrintStream to) {
    Path dir = out.table(table);
    Tables.check(out, table); // an incomplete generation first: it may be why the table is missing
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(
          "No table " + table + " in " + out.tables() + " (tables: " + existing(out) + ").");
    }
    Dataset<Row> df = Tables.read(spark, out, table);
    try {
      if (format == Format.JSON) {
        Iterator<String> it = df.toJSON().toLocalIterator();
        while (it.hasNext()) {
          to.println(it.next());
        }
        return;
      }
      List<Column> cols = new ArrayList<>();
      for (StructField f : df.schema().fields()) {
        DataType t = f.dataType();
        Column c = col("`" + f.name() + "`");
        if (t instanceof BinaryType) {
          c = base64(c);
        } else if (t instanceof org.apache.spark.sql.types.MapType
            || t instanceof org.apache.spark.sql.types.StructType
            || t instanceof org.apache.spark.sql.types.ArrayType) {
          c = to_json(c);
        }
        cols.add(c.cast("string").as(f.name()));
      }
      Dataset<Row> flat = df.select(cols.toArray(Column[]::new));
      to.println(csvLine(flat.columns()));
      Iterator<Row> it = flat.toLocalIterator();
      while (it.hasNext()) {
        Row r = it.next();
        String[] v = new String[r.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = r.isNullAt(i) ? "" : r.getString(i);
        }
        to.println(csvLine(v));
      }
    } catch (BadInputException e) {
      throw e;
    } catch (Exception e) { // a part file whose footer is whole but whose data is not
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new BadInputException(
          "Cannot read table "
              + table
              + " ("
              + dir
              + "): "
              + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage())
              + ". "
              + Tables.heal(out, Tables.stageOf(TablesManifest.read(out), table)),
          e);
    }
  }

  /**
   * Writes a table to {@code dir/<table>.csv} (or {@code .jsonl}), replacing an earlier file in one
   * step; returns the file.
   */
  public static Path write(
      SparkSession spark, OutputLayout out, String table, Format format, Path dir) {
    Path file = dir.resolve(table + (format == Format.CSV ? ".csv" : ".jsonl"));
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + table, ".tmp");
      try (PrintStream ps =
          new PrintStream(
              new java.io.BufferedOutputStream(Files.newOutputStream(tmp)),
              false,
              java.nio.charset.StandardCharsets.UTF_8)) {
        print(spark, out, table, format, ps);
      }
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (java.io.IOException e) {
      throw new BadInputException(
          "Cannot write " + file + ": " + OutputLayout.describe(e) + ".", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (java.io.IOException ignored) {
          // best effort
        }
      }
    }
  }

  /** The tables of an output directory, by name. */
  public static List<String> tables(OutputLayout out) {
    if (!Files.isDirectory(out.tables())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(out.tables())) {
      return s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    } catch (java.io.IOException e) {
      throw new BadInputException("Cannot list " + out.tables() + ": " + e.getMessage(), e);
    }
  }

  /** One CSV record: fields with a comma, quote or line break are quoted, quotes doubled. */
  public static String csvLine(String[] fields) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      String f = fields[i];
      if (i > 0) {
        sb.append(',');
      }
      if (f.contains(",") || f.contains("\"") || f.contains("\n") || f.contains("\r")) {
        sb.append('"').append(f.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(f);
      }
    }
    return sb.toString();
  }

  private static String existing(OutputLayout out) {
    List<String> names = tables(out);
    return names.isEmpty() ? "none" : String.join(", ", names);
  }
}
