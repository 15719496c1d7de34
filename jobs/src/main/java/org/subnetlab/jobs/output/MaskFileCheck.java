package org.subnetlab.jobs.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopCodecs;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subnetlab.config.BadInputException;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.RunSpec;

/**
 * Verifies a committed mask file before it is trusted: the file must be a complete Parquet file
 * with the mask columns, one row per parameter block of the base model (names and sizes of its
 * {@link ParamLayout}, in order), and every row must be of the run its name says, with that run's
 * method, subtask, seed, hyperparameters, base-model fingerprint and model seed. Only the footer
 * and the small scalar columns are read, never the bits, so a check takes milliseconds.
 *
 * <p>A file that fails is moved to {@code masks/.corrupt/} (next to it, {@code <name>.txt} says
 * why), so that the run counts as not finished: {@code train-masks} and {@code run} train it again,
 * {@code aggregate} and {@code compose} refuse and say so ({@link #refusal}).
 */
public final class MaskFileCheck {
  private static final Logger LOG = LoggerFactory.getLogger(MaskFileCheck.class);

  /** The folder under {@code masks/} that bad files are moved to. */
  static final String CORRUPT = ".corrupt";

  /** The scalar columns read and checked (model_seed is absent in files of older versions). */
  private static final List<String> COLUMNS =
      List.of(
          "run_id",
          "method",
          "subtask",
          "seed",
          "hyperparameters",
          "layer",
          "layer_index",
          "n_params",
          "n_kept",
          "model_fingerprint",
          "model_seed");

  private static final List<String> REQUIRED =
      List.of(
          "run_id",
          "method",
          "subtask",
          "seed",
          "hyperparameters",
          "layer",
          "layer_index",
          "n_params",
          "n_kept",
          "bits",
          "model_fingerprint");

  private MaskFileCheck() {}

  /** A mask file that failed its check, and where it was moved. */
  public record Rejected(String runId, Path file, Path movedTo, String reason) {
    /** "masks/x.parquet: reason; moved to masks/.corrupt/x.parquet". */
    String describe() {
      Path masks = file.getParent();
      return masks.getFileName()
          + "/"
          + file.getFileName()
          + ": "
          + reason
          + "; moved to "
          + masks.getFileName()
          + "/"
          + masks.relativize(movedTo);
    }
  }

  /** The runs whose committed file passed, and the files that did not (now moved aside). */
  public record Outcome(Set<String> finished, List<Rejected> rejected) {}

  /**
   * Checks the committed file of each of {@code runs} against its spec and {@code layout}; moves
   * each bad file to {@code masks/.corrupt/} and logs why. Runs without a file are not finished.
   */
  public static Outcome verify(Path masks, List<RunSpec> runs, ParamLayout layout) {
    Set<String> committed = MaskFiles.committed(masks);
    Set<String> finished = new TreeSet<>();
    Set<String> checked = new TreeSet<>();
    List<Rejected> rejected = new ArrayList<>();
    for (RunSpec r : runs) {
      if (!committed.contains(r.runId()) || !checked.add(r.runId())) {
        continue;
      }
      Path file = MaskFiles.file(masks, r.runId());
      String problem = problem(file, r, layout);
      if (problem == null) {
        finished.add(r.runId());
      } else {
        Rejected bad = new Rejected(r.runId(), file, moveAside(file, problem), problem);
        LOG.warn("Mask file {}", bad.describe());
        rejected.add(bad);
      }
    }
    return new Outcome(finished, rejected);
  }

  /**
   * The refusal of a stage that reads finished runs only ({@code action}: "aggregate", "compose")
   * when files failed their check: names each file and why, and says what retrains them (the files
   * are already moved aside by {@link #verify}).
   */
  public static BadInputException refusal(Path masks, List<Rejected> rejected, String action) {
    StringBuilder sb =
        new StringBuilder(
            "Cannot "
                + action
                + " "
                + masks.getParent()
                + ": "
                + (rejected.size() == 1 ? "1 mask file is" : rejected.size() + " mask files are")
                + " corrupt or not of the run its name says: ");
    for (int i = 0; i < rejected.size(); i++) {
      sb.append(i == 0 ? "" : "; ").append(rejected.get(i).describe());
    }
    sb.append(". Run `subnetlab train-masks` (or `run`) with this config and --out to train ")
        .append(rejected.size() == 1 ? "that run" : "those runs")
        .append(" again.");
    return new BadInputException(sb.toString());
  }

  /**
   * Why {@code file} is not the committed mask of {@code spec} on a base model of {@code layout},
   * or null when it is.
   */
  static String problem(Path file, RunSpec spec, ParamLayout layout) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      return "cannot be read (" + OutputLayout.describe(e) + ")";
    }
    if (size == 0) {
      return "is empty (0 bytes)";
    }
    MessageType schema;
    List<Group> rows = new ArrayList<>();
    // A codec factory on parsed defaults: the default one parses Hadoop's XML again (~5 ms).
    CompressionCodecFactory codecs = HadoopCodecs.newFactory(MaskFiles.parsedDefaults(), 0);
    ParquetReadOptions options = ParquetReadOptions.builder().withCodecFactory(codecs).build();
    try (ParquetFileReader reader = ParquetFileReader.open(new NioInputFile(file), options)) {
      schema = reader.getFooter().getFileMetaData().getSchema();
      for (String c : REQUIRED) {
        if (!schema.containsField(c)) {
          return "is not a mask file: it has no column " + c;
        }
      }
      if (reader.getRecordCount() != layout.layers()) {
        return "has "
            + reader.getRecordCount()
            + " rows, but the base model has "
            + layout.layers()
            + " parameter blocks "
            + layout.names();
      }
      List<Type> fields = new ArrayList<>();
      for (String c : COLUMNS) {
        if (schema.containsField(c)) {
          fields.add(schema.getType(c));
        }
      }
      MessageType projection = new MessageType(schema.getName(), fields);
      reader.setRequestedSchema(projection);
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> rr =
            new ColumnIOFactory()
                .getColumnIO(projection, schema)
                .getRecordReader(pages, new GroupRecordConverter(projection));
        for (long i = 0; i < pages.getRowCount(); i++) {
          rows.add(rr.read());
        }
      }
    } catch (IOException | RuntimeException e) {
      return "is not a complete Parquet file ("
          + size
          + " bytes): truncated, damaged or not "
          + "Parquet at all ("
          + parquetReason(e, file)
          + ")";
    } finally {
      codecs.release();
    }
    if (rows.size() != layout.layers()) {
      return "has "
          + rows.size()
          + " readable rows, but the base model has "
          + layout.layers()
          + " parameter blocks";
    }
    boolean hasModelSeed = schema.containsField("model_seed");
    Map<String, String> hp = spec.hyperparameterStrings();
    boolean[] seen = new boolean[layout.layers()];
    for (int i = 0; i < rows.size(); i++) {
      Group g = rows.get(i);
      String row = "row " + (i + 1);
      String runId = g.getString("run_id", 0);
      if (!runId.equals(spec.runId())) {
        return row
            + " is of run "
            + runId
            + ", not "
            + spec.runId()
            + " (a mask file copied or renamed over another run's)";
      }
      String fp = g.getString("model_fingerprint", 0);
      if (!fp.equals(spec.modelFingerprint())) {
        return row
            + " is of base model "
            + fp
            + ", not of this sweep's base model "
            + spec.modelFingerprint()
            + " (a mask file of another sweep)";
      }
      long modelSeed = hasModelSeed ? g.getLong("model_seed", 0) : 0;
      String mismatch = differs("model_seed", modelSeed, spec.modelSeed());
      mismatch =
          mismatch != null ? mismatch : differs("method", g.getString("method", 0), spec.method());
      mismatch =
          mismatch != null
              ? mismatch
              : differs("subtask", g.getString("subtask", 0), spec.subtask());
      mismatch = mismatch != null ? mismatch : differs("seed", g.getLong("seed", 0), spec.seed());
      mismatch = mismatch != null ? mismatch : differs("hyperparameters", hyperparameters(g), hp);
      if (mismatch != null) {
        return row + " has " + mismatch + " (run " + spec.runId() + ")";
      }
      int l = g.getInteger("layer_index", 0);
      if (l < 0 || l >= layout.layers() || seen[l]) {
        return row
            + " has layer_index "
            + l
            + (l >= 0 && l < seen.length ? " twice" : "")
            + ", but the base model has parameter blocks 0 to "
            + (layout.layers() - 1);
      }
      seen[l] = true;
      String layer = g.getString("layer", 0);
      long nParams = g.getLong("n_params", 0);
      if (!layer.equals(layout.name(l)) || nParams != layout.size(l)) {
        return row
            + " is block "
            + l
            + " = "
            + layer
            + " with "
            + nParams
            + " parameters, but the base model's block "
            + l
            + " is "
            + layout.name(l)
            + " with "
            + layout.size(l);
      }
      long kept = g.getLong("n_kept", 0);
      if (kept < 0 || kept > nParams) {
        return row + " keeps " + kept + " of " + nParams + " parameters";
      }
    }
    return null;
  }

  private static String differs(String column, Object found, Object expected) {
    return Objects.equals(found, expected)
        ? null
        : column + " " + found + " where its run has " + expected;
  }

  private static Map<String, String> hyperparameters(Group g) {
    Map<String, String> hp = new TreeMap<>();
    Group map = g.getGroup("hyperparameters", 0);
    for (int i = 0; i < map.getFieldRepetitionCount("key_value"); i++) {
      Group kv = map.getGroup("key_value", i);
      hp.put(kv.getString("key", 0), kv.getString("value", 0));
    }
    return hp;
  }

  /** Parquet's own words, without the path it repeats. */
  private static String parquetReason(Exception e, Path file) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    m = m.replace(file.toUri().toString(), "").replace(file.toString(), "").strip();
    m = m.replaceFirst("^(file:)?\\s*", "");
    return m.length() > 160 ? m.substring(0, 160) + "…" : m;
  }

  /**
   * Moves {@code file} to {@code masks/.corrupt/} under a name not taken yet, with a note saying
   * why next to it.
   */
  private static Path moveAside(Path file, String reason) {
    Path dir = file.getParent().resolve(CORRUPT);
    String name = file.getFileName().toString();
    String stem = name.substring(0, name.length() - MaskFiles.SUFFIX.length());
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(name);
      for (int n = 2; Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS); n++) {
        target = dir.resolve(stem + "-" + n + MaskFiles.SUFFIX);
      }
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(
          dir.resolve(target.getFileName() + ".txt"),
          name + " " + reason + "\n",
          StandardCharsets.UTF_8);
      return target;
    } catch (IOException e) {
      throw new BadInputException(
          "Mask file "
              + file
              + " "
              + reason
              + ", and it cannot be moved "
              + "to "
              + dir
              + ": "
              + OutputLayout.describe(e)
              + ". Delete it, then run `subnetlab "
              + "train-masks` (or `run`) again.",
          e);
    }
  }

  /**
   * Deletes the files that killed writers left in {@code masks/.tmp/}. Only while this process
   * holds the lock of the output ({@link OutputLock}): then no other process writes there, and this
   * one calls it before it trains. Returns how many were deleted.
   */
  public static int removeLeftovers(OutputLayout out) {
    Path tmp = out.masks().resolve(".tmp");
    if (!Files.isDirectory(tmp) || !OutputLock.heldHere(out)) {
      return 0;
    }
    int n = 0;
    try (var files = Files.list(tmp)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            || Files.isSymbolicLink(f)) {
          Files.delete(f);
          n++;
        }
      }
    } catch (IOException e) {
      LOG.warn("Cannot clean {}: {}", tmp, OutputLayout.describe(e));
    }
    if (n > 0) {
      LOG.info("Removed {} file(s) left in {} by an interrupted writer", n, tmp);
    }
    return n;
  }
}
