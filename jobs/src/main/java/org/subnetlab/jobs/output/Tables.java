package org.subnetlab.jobs.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.BadInputException;
import org.subnetlab.model.ModelStore;

/**
 * Writes result tables as generations and reads them back checked. A stage ({@code aggregate},
 * {@code cluster}, {@code compose}) writes all its tables as one {@link Generation}: each table is
 * first written by Spark aside, as {@code tables/.<name>.tmp-<uuid>/}, while the previous tables
 * stay as they were; only when every table of the stage is written does {@link Generation#commit}
 * mark the stage's generation as being written in {@code tables/_MANIFEST.json} ({@link
 * TablesManifest}), move each table to {@code tables/<name>/} and mark the generation complete. A
 * kill before that leaves the previous generation complete and readable (the leftovers go at the
 * next stage start, {@link #cleanLeftovers}); a kill during the moves leaves a generation the
 * manifest names as incomplete, which readers ({@link #read}) refuse with the command that heals
 * it: re-running the stage rewrites all its tables.
 */
public final class Tables {
  private static final Logger LOG = LoggerFactory.getLogger(Tables.class);

  private Tables() {}

  /** One table as a generation of its own (kept for callers that write a single table). */
  public static void replace(Dataset<Row> table, OutputLayout out, Table t) {
    try (Generation g = begin(out, t.stage())) {
      g.add(table, t);
      g.commit(Map.of());
    }
  }

  /** Starts the generation of {@code stage}'s tables; nothing visible changes until commit. */
  public static Generation begin(OutputLayout out, String stage) {
    return new Generation(out, stage);
  }

  /** The tables of one stage, written aside and then committed together. */
  public static final class Generation implements AutoCloseable {
    private final OutputLayout out;
    private final String stage;
    private final Map<String, Path> staged = new LinkedHashMap<>();
    private final String started = java.time.Instant.now().toString();
    private boolean committed;

    private Generation(OutputLayout out, String stage) {
      this.out = out;
      this.stage = stage;
    }

    /**
     * Writes {@code table} aside as the next version of {@code tables/<name>/}; refuses (a bug, not
     * bad input) a table of another stage or whose columns are not exactly the catalog's ({@link
     * Table#schema}: names, order and types).
     */
    public void add(Dataset<Row> table, Table t) {
      if (!t.stage().equals(stage)) {
        throw new IllegalStateException(
            "Table " + t + " is written by stage " + t.stage() + ", not by " + stage);
      }
      List<String> wrong = t.mismatches(table.schema());
      if (!wrong.isEmpty()) {
        throw new IllegalStateException(
            "Table "
                + t
                + " does not have the catalog's columns (Table."
                + t.name()
                + "): "
                + wrong);
      }
      String name = t.id();
      Path tmp = out.tables().resolve("." + name + ".tmp-" + UUID.randomUUID());
      try {
        Files.createDirectories(out.tables());
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write table " + out.table(name), e);
      }
      Path previous = staged.put(name, tmp);
      if (previous != null) {
        ModelStore.deleteQuietly(previous);
      }
      LOG.info("Writing table {} aside ({})", name, tmp.getFileName());
      table.coalesce(1).write().parquet(SparkPaths.of(tmp));
    }

    /**
     * A table added to this generation, read back before the commit. Its files are named one by
     * one: Spark ignores a directory whose name starts with a dot.
     */
    public Dataset<Row> staged(SparkSession spark, Table t) {
      String name = t.id();
      Path p = staged.get(name);
      if (p == null) {
        throw new IllegalStateException("Table " + name + " is not in this generation");
      }
      try (Stream<Path> s = Files.list(p)) {
        Path[] parts =
            s.filter(
                    f -> {
                      String n = f.getFileName().toString();
                      return !n.startsWith("_") && !n.startsWith(".") && Files.isRegularFile(f);
                    })
                .sorted()
                .toArray(Path[]::new);
        return SparkPaths.parquet(spark, parts);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the table written aside at " + p, e);
      }
    }

    /**
     * Makes the added tables the current ones: the manifest marks this stage's generation as being
     * written, the tables move in, the manifest marks it complete with {@code details} (run set,
     * fingerprints: written as they are).
     */
    public void commit(Map<String, Object> details) {
      List<String> names = new ArrayList<>(staged.keySet());
      TablesManifest m = TablesManifest.read(out);
      long generation = m.writing(stage, names, started);
      try {
        for (String name : names) {
          swap(staged.get(name), out.table(name));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot write tables "
                + names
                + " under "
                + out.tables()
                + " (generation "
                + generation
                + " of "
                + stage
                + " is left marked incomplete)",
            e);
      }
      m.complete(stage, details);
      committed = true;
      LOG.info("Tables generation {} of {}: {}", generation, stage, names);
    }

    /** Deletes what was written aside and not committed. */
    @Override
    public void close() {
      if (!committed) {
        staged.values().forEach(ModelStore::deleteQuietly);
      }
    }
  }

  /** Replaces {@code dest} by {@code tmp}: two renames, the previous version deleted after. */
  private static void swap(Path tmp, Path dest) throws IOException {
    Path old = dest.resolveSibling("." + dest.getFileName() + ".old-" + UUID.randomUUID());
    if (Files.exists(dest)) {
      Files.move(dest, old, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, dest, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    ModelStore.deleteQuietly(old);
  }

  /**
   * A result table for reading: refused, naming the command that heals it, when the generation it
   * belongs to is incomplete or one of its part files is not a whole Parquet file.
   */
  public static Dataset<Row> read(SparkSession spark, OutputLayout out, String name) {
    check(out, name);
    return SparkPaths.parquet(spark, out.table(name));
  }

  /** {@link #read(SparkSession, OutputLayout, String)} of a catalog table. */
  public static Dataset<Row> read(SparkSession spark, OutputLayout out, Table t) {
    return read(spark, out, t.id());
  }

  /** Whether {@code tables/<name>/} of a catalog table exists (complete or not). */
  public static boolean exists(OutputLayout out, Table t) {
    return exists(out, t.id());
  }

  /** Whether a catalog table exists and belongs to no incomplete generation. */
  public static boolean complete(OutputLayout out, Table t) {
    return complete(out, t.id());
  }

  /** Whether {@code tables/<name>/} exists (complete or not). */
  public static boolean exists(OutputLayout out, String name) {
    return Files.isDirectory(out.table(name));
  }

  /** The stages whose last generation of tables is incomplete (tables/_MANIFEST.json). */
  public static List<String> incompleteStages(OutputLayout out) {
    return TablesManifest.read(out).incompleteStages();
  }

  /** Whether {@code tables/<name>/} exists and belongs to no incomplete generation. */
  public static boolean complete(OutputLayout out, String name) {
    return exists(out, name) && TablesManifest.read(out).incomplete(name) == null;
  }

  /** What happened to {@code stage}'s incomplete generation and what to run to heal it. */
  public static String incompleteNote(OutputLayout out, String stage) {
    return "The tables under "
        + out.tables()
        + " are of an incomplete generation: "
        + TablesManifest.read(out).describe(stage)
        + ". "
        + heal(out, stage);
  }

  /** {@link #read}'s checks: complete generation, whole part files. */
  public static void check(OutputLayout out, String name) {
    TablesManifest m = TablesManifest.read(out);
    String incomplete = m.incomplete(name);
    if (incomplete != null) {
      throw new BadInputException(incomplete + " " + heal(out, m.stageOf(name)));
    }
    Path dir = out.table(name);
    if (!Files.isDirectory(dir)) {
      return; // the caller says which table is missing
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.sorted().toList()) {
        String n = f.getFileName().toString();
        if (n.startsWith("_") || n.startsWith(".") || !Files.isRegularFile(f)) {
          continue; // Spark skips these too
        }
        String damage = parquetDamage(f);
        if (damage != null) {
          throw new BadInputException(
              "Table "
                  + name
                  + " is damaged: its part file "
                  + f
                  + " "
                  + damage
                  + ". "
                  + heal(out, stageOf(m, name)));
        }
      }
    } catch (IOException e) {
      throw new BadInputException(
          "Cannot read table " + name + " (" + dir + "): " + OutputLayout.describe(e) + ".", e);
    }
  }

  /** The stage that writes {@code name}: the manifest's word, else the known writers. */
  static String stageOf(TablesManifest m, String name) {
    String s = m.stageOf(name);
    return s != null ? s : Table.byId(name).map(Table::stage).orElse(Table.AGGREGATE);
  }

  /** What to run to rewrite a stage's tables. */
  static String heal(OutputLayout out, String stage) {
    String s = stage == null ? Table.AGGREGATE : stage;
    String or = s.equals(Table.AGGREGATE) ? " (or `run`)" : "";
    return "Re-run `subnetlab "
        + s
        + "`"
        + or
        + " with the same config and --out "
        + out.root()
        + " to rewrite its tables.";
  }

  /**
   * Why a Parquet file is not whole, or null: it must start and end with Parquet's magic "PAR1",
   * the footer length before the last magic fitting in the file. A file cut short (a killed copy, a
   * full disk) loses its footer.
   */
  static String parquetDamage(Path f) throws IOException {
    long size = Files.size(f);
    if (size < 12) {
      return "is not a Parquet file (" + size + " bytes; truncated?)";
    }
    ByteBuffer head = ByteBuffer.allocate(4);
    ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    try (SeekableByteChannel ch = Files.newByteChannel(f)) {
      readFully(ch, head, 0);
      readFully(ch, tail, size - 8);
    }
    if (!"PAR1".equals(new String(head.array(), java.nio.charset.StandardCharsets.US_ASCII))) {
      return "is not a Parquet file (it does not start with Parquet's magic bytes)";
    }
    String end = new String(tail.array(), 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
    long footer = Integer.toUnsignedLong(tail.getInt(0));
    if (!"PAR1".equals(end) || footer > size - 12) {
      return "is truncated (" + size + " bytes, without a whole Parquet footer)";
    }
    return null;
  }

  private static void readFully(SeekableByteChannel ch, ByteBuffer b, long at) throws IOException {
    ch.position(at);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  /**
   * Deletes what killed writers left under {@code tables/}: tables written aside and never moved in
   * ({@code .<name>.tmp-*}), previous versions of a swap ({@code .<name>.old-*}) and unfinished
   * manifests. Only for the holder of the output lock (no other writer can be using them).
   */
  static void cleanLeftovers(OutputLayout out) {
    if (!Files.isDirectory(out.tables())) {
      return;
    }
    try (Stream<Path> s = Files.list(out.tables())) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(".")
            && (n.contains(".tmp-")
                || n.contains(".old-")
                || n.startsWith("." + TablesManifest.FILE))) {
          LOG.info("Deleting {}, left by an interrupted stage", p);
          ModelStore.deleteQuietly(p);
        }
      }
    } catch (IOException e) {
      LOG.warn("Cannot list {} to delete leftovers: {}", out.tables(), e.toString());
    }
  }
}
