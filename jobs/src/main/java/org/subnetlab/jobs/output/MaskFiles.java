package org.subnetlab.jobs.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.SparseDelta;
import org.subnetlab.mask.TrainingHistory;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;

/**
 * One Parquet file per finished run under {@code masks/}, one row per layer, committed atomically:
 * written as {@code masks/.tmp/<run_id>-<uuid>.parquet}, then renamed to {@code
 * masks/<run_id>.parquet}. A run is finished iff its file exists and passes {@link MaskFileCheck}
 * (of that run, on the base model's layout); a file that fails is moved to {@code masks/.corrupt/}.
 * A killed writer leaves only a temporary file, which readers ignore and the next stage removes
 * ({@link MaskFileCheck#removeLeftovers}). The run's downsampled training curve ({@link
 * TrainingHistory}: step, loss, density) is stored once, on the row of layer 0. Files written
 * before base-model seeds existed have no {@code model_seed} column: they are of model seed 0
 * ({@link AggregateJob#committedMasks} reads them so).
 */
public final class MaskFiles {
  public static final String SUFFIX = ".parquet";

  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message mask_run {\n"
              + "  required binary run_id (STRING);\n"
              + "  required binary method (STRING);\n"
              + "  required binary subtask (STRING);\n"
              + "  required int64 seed;\n"
              + "  required group hyperparameters (MAP) {\n"
              + "    repeated group key_value {\n"
              + "      required binary key (STRING);\n"
              + "      required binary value (STRING);\n"
              + "    }\n"
              + "  }\n"
              + "  required binary layer (STRING);\n"
              + "  required int32 layer_index;\n"
              + "  required int64 n_params;\n"
              + "  required int64 n_kept;\n"
              + "  required binary bits;\n"
              + "  optional binary delta;\n"
              + "  required int64 train_steps;\n"
              + "  required double final_loss;\n"
              + "  required int64 wall_ms;\n"
              + "  required binary model_fingerprint (STRING);\n"
              + "  optional group history (LIST) {\n"
              + "    repeated group list {\n"
              + "      required group element {\n"
              + "        required int32 step;\n"
              + "        required float loss;\n"
              + "        required float density;\n"
              + "      }\n"
              + "    }\n"
              + "  }\n"
              + "  required int64 model_seed;\n"
              + "}");

  private MaskFiles() {}

  /** Run ids with a committed file in {@code dir} (not verified: see {@link MaskFileCheck}). */
  public static Set<String> committed(Path dir) {
    Set<String> ids = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return ids;
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(SUFFIX) && !n.startsWith("."))
          .forEach(n -> ids.add(n.substring(0, n.length() - SUFFIX.length())));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
    return ids;
  }

  public static Path file(Path dir, String runId) {
    return dir.resolve(runId + SUFFIX);
  }

  /** Writes and commits the file of a finished run. */
  public static void commit(Path dir, MaskRunner.Finished f) {
    Path tmpDir = dir.resolve(".tmp");
    Path tmp = tmpDir.resolve(f.spec().runId() + "-" + UUID.randomUUID() + SUFFIX);
    try {
      Files.createDirectories(tmpDir);
      write(tmp, f);
      Files.move(tmp, file(dir, f.spec().runId()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit run " + f.spec().runId() + " to " + dir, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /**
   * Hadoop's defaults, parsed once per JVM: a {@code new Configuration()} parses core-default.xml
   * again on first use (5-10 ms per run); a copy of a parsed one costs about 0.5 ms.
   */
  private static Configuration defaults;

  private static synchronized Configuration conf() {
    return new Configuration(parsedDefaults());
  }

  /** The parsed defaults themselves, for readers that only look settings up (never set one). */
  static synchronized Configuration parsedDefaults() {
    if (defaults == null) {
      Configuration c = new Configuration();
      c.get("fs.defaultFS"); // parse now, so that copies share nothing lazy
      defaults = c;
    }
    return defaults;
  }

  private static void write(Path file, MaskRunner.Finished f) throws IOException {
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    RunSpec spec = f.spec();
    Mask mask = f.result().mask();
    ParamLayout layout = f.layout();
    TrainingHistory history = TrainingHistory.of(f.result(), TrainingHistory.MAX_POINTS);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new NioOutputFile(file))
            .withConf(conf())
            .withType(SCHEMA)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (int l = 0; l < layout.layers(); l++) {
        Group g = groups.newGroup();
        g.append("run_id", spec.runId())
            .append("method", spec.method())
            .append("subtask", spec.subtask())
            .append("seed", spec.seed());
        Group hpGroup = g.addGroup("hyperparameters");
        for (Map.Entry<String, String> e : spec.hyperparameterStrings().entrySet()) {
          hpGroup.addGroup("key_value").append("key", e.getKey()).append("value", e.getValue());
        }
        g.append("layer", layout.name(l))
            .append("layer_index", l)
            .append("n_params", (long) layout.size(l))
            .append("n_kept", mask.keptInLayer(l))
            .append("bits", Binary.fromConstantByteArray(mask.bits(l)));
        if (f.result().delta() != null) {
          g.append(
              "delta",
              Binary.fromConstantByteArray(
                  SparseDelta.encode(
                      f.result().delta(), layout.offset(l), layout.size(l), mask.bits(l))));
        }
        g.append("train_steps", f.result().steps())
            .append("final_loss", f.result().finalLoss())
            .append("wall_ms", f.wallMs())
            .append("model_fingerprint", spec.modelFingerprint());
        if (l == 0) {
          appendHistory(g.addGroup("history"), history);
        }
        g.append("model_seed", spec.modelSeed());
        w.write(g);
      }
    }
  }

  private static void appendHistory(Group list, TrainingHistory h) {
    for (int p = 0; p < h.size(); p++) {
      list.addGroup("list")
          .addGroup("element")
          .append("step", h.steps()[p])
          .append("loss", h.loss()[p])
          .append("density", h.density()[p]);
    }
  }
}
