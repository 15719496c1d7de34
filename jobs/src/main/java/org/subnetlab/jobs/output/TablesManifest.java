package org.subnetlab.jobs.output;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code tables/_MANIFEST.json}: which generation of which stage each table under {@code tables/}
 * belongs to, and whether that generation is complete. Replaced atomically (written aside, then
 * renamed) by the holder of the output lock; read by every reader of the tables. Layout:
 *
 * <pre>
 * { "format": 1, "generation": 7, "complete": true, "updated": "2026-...Z",
 *   "tables": { "masks": "aggregate", ..., "clusters": "cluster" },
 *   "stages": { "aggregate": { "generation": 7, "state": "complete", "tables": [...],
 *                              "started": ..., "finished": ..., "runs": 8, "run_set": "...",
 *                              "model_fingerprint": "..." }, ... } }
 * </pre>
 *
 * {@code generation} counts commits of any stage; a stage's entry keeps the one of its last commit.
 * {@code state} is {@code writing} while a stage moves its tables in and {@code complete} after;
 * {@code complete} at the top is true when every stage's is. Tables the manifest does not name
 * (outputs of versions without it) are read as they are.
 */
final class TablesManifest {
  static final String FILE = "_MANIFEST.json";
  static final String WRITING = "writing";
  static final String COMPLETE = "complete";

  private final OutputLayout out;
  private final Map<String, Object> root;

  /** Why the manifest could not be read, or null. */
  private final String damage;

  private TablesManifest(OutputLayout out, Map<String, Object> root, String damage) {
    this.out = out;
    this.root = root;
    this.damage = damage;
  }

  static Path file(OutputLayout out) {
    return out.tables().resolve(FILE);
  }

  /** The manifest of {@code out} (empty when there is none). */
  static TablesManifest read(OutputLayout out) {
    Path f = file(out);
    if (!Files.isRegularFile(f)) {
      return new TablesManifest(out, fresh(), null);
    }
    try {
      Map<String, Object> m =
          deepCopy(
              ConfigFactory.parseString(Files.readString(f, StandardCharsets.UTF_8))
                  .root()
                  .unwrapped());
      if (!(m.get("tables") instanceof Map) || !(m.get("stages") instanceof Map)) {
        return new TablesManifest(out, fresh(), "has no \"tables\" and \"stages\"");
      }
      return new TablesManifest(out, m, null);
    } catch (IOException e) {
      return new TablesManifest(out, fresh(), OutputLayout.describe(e));
    } catch (ConfigException e) {
      return new TablesManifest(out, fresh(), "it is not JSON (" + e.getMessage() + ")");
    }
  }

  private static Map<String, Object> fresh() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", 1);
    m.put("generation", 0L);
    m.put("complete", true);
    m.put("tables", new LinkedHashMap<String, Object>());
    m.put("stages", new LinkedHashMap<String, Object>());
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> m) {
    Map<String, Object> c = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      Object v = e.getValue();
      c.put(
          e.getKey(),
          v instanceof Map
              ? deepCopy((Map<String, Object>) v)
              : v instanceof List ? new ArrayList<>((List<Object>) v) : v);
    }
    return c;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> tables() {
    return (Map<String, Object>) root.get("tables");
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> stages() {
    return (Map<String, Map<String, Object>>) (Map<String, ?>) root.get("stages");
  }

  /** The stage whose generation {@code table} belongs to, or null if the manifest does not say. */
  String stageOf(String table) {
    Object s = tables().get(table);
    return s instanceof String str ? str : null;
  }

  /** The stages whose last generation is incomplete, in manifest order. */
  List<String> incompleteStages() {
    List<String> l = new ArrayList<>();
    stages()
        .forEach(
            (k, v) -> {
              if (!COMPLETE.equals(v.get("state"))) {
                l.add(k);
              }
            });
    return l;
  }

  /**
   * Why {@code table} must not be read (its generation is incomplete, or the manifest is
   * unreadable), or null when it may.
   */
  String incomplete(String table) {
    if (damage != null) {
      return "Cannot read the tables manifest " + file(out) + ": " + damage + ".";
    }
    String stage = stageOf(table);
    if (stage == null || !incompleteStages().contains(stage)) {
      return null;
    }
    return "Table "
        + table
        + " under "
        + out.tables()
        + " is of an incomplete generation: "
        + describe(stage)
        + ".";
  }

  /** "`subnetlab aggregate` (generation 3, started ...) stopped while ..." */
  String describe(String stage) {
    Map<String, Object> e = stages().get(stage);
    return "`subnetlab "
        + stage
        + "` (generation "
        + e.get("generation")
        + ", started "
        + e.get("started")
        + ") stopped while moving its tables "
        + e.get("tables")
        + " in, so they may mix two generations and some may be missing";
  }

  /** Marks {@code stage}'s next generation, of {@code names}, as being written; returns it. */
  long writing(String stage, List<String> names, String started) {
    long generation = ((Number) root.get("generation")).longValue() + 1;
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("generation", generation);
    e.put("state", WRITING);
    e.put("tables", new ArrayList<>(names));
    e.put("started", started);
    root.put("generation", generation);
    stages().put(stage, e);
    for (String n : names) {
      tables().put(n, stage);
    }
    write();
    return generation;
  }

  /** Marks {@code stage}'s generation complete, with {@code details} (run set, ...). */
  void complete(String stage, Map<String, Object> details) {
    Map<String, Object> e = stages().get(stage);
    e.put("state", COMPLETE);
    e.put("finished", Instant.now().toString());
    e.putAll(details);
    write();
  }

  private void write() {
    root.put("complete", incompleteStages().isEmpty());
    root.put("updated", Instant.now().toString());
    String json =
        ConfigValueFactory.fromMap(root)
                .render(ConfigRenderOptions.concise().setJson(true).setFormatted(true))
            + "\n";
    Path f = file(out);
    Path tmp = out.tables().resolve("." + FILE + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(out.tables());
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + f, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }
}
