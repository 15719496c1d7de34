package org.subnetlab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Fault-injection cases: mask files that lie, are truncated or corrupt (issue 23 defects 2, 3, 9).
 * A bad file is named with its reason and moved to {@code masks/.corrupt/}; {@code aggregate}
 * refuses (exit 2, tables untouched), {@code train-masks} and {@code run} train its run again, and
 * the retrained mask and the tables equal those of the undamaged fixture sweep.
 */
final class MaskFileFaults implements FaultCases {
  @Override
  public List<FaultCase> cases() {
    return List.of(
        FaultCase.of(
                "a mask file copied over another run's name: aggregate names it, moves it "
                    + "aside and writes no table",
                "23.2")
            .setup(
                ws -> {
                  Path masks = ws.finishedSweep("out").resolve("masks");
                  Files.copy(
                      masks.resolve(id(ws, 1) + ".parquet"),
                      masks.resolve(id(ws, 0) + ".parquet"),
                      StandardCopyOption.REPLACE_EXISTING);
                })
            .args(ws -> aggregate(ws))
            .message("Cannot aggregate", "1 mask file is corrupt or not of the run its name says")
            .then(
                (ws, r) -> {
                  assertThat(r.output())
                      .contains(
                          "masks/"
                              + fixtureIds().get(0)
                              + ".parquet: row 1 "
                              + "is of run "
                              + fixtureIds().get(1)
                              + ", not "
                              + fixtureIds().get(0));
                  assertThat(r.output())
                      .contains(
                          "moved to masks/.corrupt/" + fixtureIds().get(0) + ".parquet",
                          "Run `subnetlab train-masks` (or `run`)");
                  assertMovedAside(ws, 0);
                  assertThat(tableFiles(ws.path("out")))
                      .as("no table rewritten")
                      .isEqualTo(tableFiles(Workspace.finished()));
                }),
        FaultCase.of(
                "truncated mask files (half, header only, zero bytes), a text file named "
                    + ".parquet and a file of another sweep's base model: aggregate names each with "
                    + "its reason",
                "23.3")
            .setup(
                ws -> {
                  Path masks = ws.finishedSweep("out").resolve("masks");
                  truncate(masks.resolve(id(ws, 0) + ".parquet"), 0.5);
                  truncate(masks.resolve(id(ws, 1) + ".parquet"), 0);
                  Files.write(masks.resolve(id(ws, 2) + ".parquet"), new byte[0]);
                  Files.writeString(masks.resolve(id(ws, 3) + ".parquet"), "run_id,bits\n");
                  rewrite(masks.resolve(id(ws, 4) + ".parquet"), "model_fingerprint", "0123abcd");
                })
            .args(ws -> aggregate(ws))
            .message(
                "5 mask files are corrupt or not of the run its name says",
                "Run `subnetlab train-masks` (or `run`)")
            .then(
                (ws, r) -> {
                  List<String> ids = fixtureIds();
                  long half =
                      Files.size(
                              Workspace.finished()
                                  .resolve("masks")
                                  .resolve(ids.get(0) + ".parquet"))
                          / 2;
                  assertThat(r.output())
                      .contains(
                          "masks/"
                              + ids.get(0)
                              + ".parquet: is not a complete Parquet file ("
                              + half
                              + " bytes): truncated",
                          "masks/"
                              + ids.get(1)
                              + ".parquet: is not a complete Parquet file (4 bytes)",
                          "masks/" + ids.get(2) + ".parquet: is empty (0 bytes)",
                          "masks/"
                              + ids.get(3)
                              + ".parquet: is not a complete Parquet file (12 bytes)",
                          "masks/"
                              + ids.get(4)
                              + ".parquet: row 1 is of base model 0123abcd, not of "
                              + "this sweep's base model");
                  for (int i = 0; i < 5; i++) {
                    assertMovedAside(ws, i);
                  }
                  assertThat(tableFiles(ws.path("out")))
                      .isEqualTo(tableFiles(Workspace.finished()));
                  // The next aggregate says the runs are not finished, as for any missing run.
                  Workspace.Result again = ws.cli(aggregate(ws).toArray(String[]::new));
                  assertThat(again.exit()).isEqualTo(2);
                  assertThat(again.output()).contains("5 of 8 runs of this sweep are not finished");
                }),
        FaultCase.of(
                "run retrains a swapped and a truncated mask file; the tables equal those "
                    + "of the undamaged sweep",
                "23.2")
            .setup(
                ws -> {
                  Path masks = ws.finishedSweep("out").resolve("masks");
                  Files.copy(
                      masks.resolve(id(ws, 1) + ".parquet"),
                      masks.resolve(id(ws, 0) + ".parquet"),
                      StandardCopyOption.REPLACE_EXISTING);
                  truncate(masks.resolve(id(ws, 5) + ".parquet"), 0.5);
                })
            .args(
                ws ->
                    List.of(
                        "run", ws.conf("tiny.conf").toString(), "--out", ws.path("out").toString()))
            .exit(0)
            .timeout(600) // the whole pipeline: ~40 s on a quiet machine
            .message(
                "moved to masks/.corrupt/",
                "training 2 (2 again: their mask files were " + "corrupt)")
            .then(
                (ws, r) -> {
                  assertMovedAside(ws, 0);
                  assertMovedAside(ws, 5);
                  assertRetrainedAsBefore(ws, 0);
                  assertRetrainedAsBefore(ws, 5);
                  for (String t :
                      List.of(
                          "masks",
                          "training_curves",
                          "sparsity",
                          "overlap",
                          "ablation",
                          "summary")) {
                    assertThat(rows(ws.path("out/tables/" + t)))
                        .as("table %s after the heal", t)
                        .isEqualTo(rows(Workspace.finished().resolve("tables/" + t)));
                  }
                }),
        FaultCase.of(
                "train-masks retrains a header-only, an empty, a text and another sweep's "
                    + "mask file, and removes files left in masks/.tmp",
                "23.3")
            .setup(
                ws -> {
                  Path masks = ws.finishedSweep("out").resolve("masks");
                  truncate(masks.resolve(id(ws, 2) + ".parquet"), 0);
                  Files.write(masks.resolve(id(ws, 3) + ".parquet"), new byte[0]);
                  Files.writeString(masks.resolve(id(ws, 6) + ".parquet"), "not parquet\n");
                  rewrite(masks.resolve(id(ws, 7) + ".parquet"), "model_fingerprint", "0123abcd");
                  Files.copy(
                      masks.resolve(id(ws, 1) + ".parquet"),
                      masks.resolve(".tmp/" + id(ws, 1) + "-7d1c.parquet"));
                  Files.write(masks.resolve(".tmp/" + id(ws, 4) + "-09ab.parquet"), new byte[100]);
                })
            .args(
                ws ->
                    List.of(
                        "train-masks",
                        ws.conf("tiny.conf").toString(),
                        "--out",
                        ws.path("out").toString()))
            .exit(0)
            .message("Removed 2 file(s) left in", "training 4 (4 again")
            .then(
                (ws, r) -> {
                  for (int i : new int[] {2, 3, 6, 7}) {
                    assertMovedAside(ws, i);
                    assertRetrainedAsBefore(ws, i);
                  }
                  assertThat(Workspace.files(ws.path("out/masks/.tmp"))).isEmpty();
                  assertThat(
                          Workspace.files(ws.path("out/masks")).stream()
                              .filter(f -> !f.startsWith("."))
                              .toList())
                      .isEqualTo(
                          Workspace.files(Workspace.finished().resolve("masks")).stream()
                              .filter(f -> !f.startsWith("."))
                              .toList());
                }));
  }

  /** The fixture's run ids, sorted. */
  static List<String> fixtureIds() throws Exception {
    List<String> ids = new ArrayList<>();
    for (String f : Workspace.files(Workspace.finished().resolve("masks"))) {
      if (!f.contains("/") && f.endsWith(".parquet")) {
        ids.add(f.substring(0, f.length() - ".parquet".length()));
      }
    }
    assertThat(ids).hasSize(8);
    return ids;
  }

  /** The i-th run id of the sweep (sorted), after making sure the workspace holds it. */
  static String id(Workspace ws, int i) throws Exception {
    return fixtureIds().get(i);
  }

  static List<String> aggregate(Workspace ws) {
    return List.of(
        "aggregate", ws.conf("tiny.conf").toString(), "--out", ws.path("out").toString());
  }

  /** Keeps the first {@code fraction} of the file, at least the 4 magic bytes "PAR1". */
  static void truncate(Path f, double fraction) throws IOException {
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, Math.max(4, (int) (all.length * fraction))));
  }

  static void assertMovedAside(Workspace ws, int i) throws Exception {
    String id = fixtureIds().get(i);
    Path corrupt = ws.path("out/masks/.corrupt");
    assertThat(corrupt.resolve(id + ".parquet"))
        .as("the bad file of run %s, moved aside", id)
        .exists();
    assertThat(corrupt.resolve(id + ".parquet.txt")).content().startsWith(id + ".parquet ");
  }

  /** The retrained file of run i holds the rows of the fixture's file (bits included). */
  static void assertRetrainedAsBefore(Workspace ws, int i) throws Exception {
    String name = fixtureIds().get(i) + ".parquet";
    assertThat(rows(ws.path("out/masks/" + name)))
        .as("retrained %s", name)
        .isEqualTo(rows(Workspace.finished().resolve("masks/" + name)))
        .isNotEmpty();
  }

  /** The table files (name, size) of an output, to see that none was rewritten. */
  static Map<String, Long> tableFiles(Path out) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    for (String f : Workspace.files(out.resolve("tables"))) {
      m.put(f, Files.size(out.resolve("tables").resolve(f)));
    }
    return m;
  }

  /**
   * Every row of a Parquet file, or of the part files of a table directory, as text, in order,
   * without the columns that measure time ({@code wall_ms}).
   */
  static List<String> rows(Path fileOrTable) throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(fileOrTable)) {
      for (String f : Workspace.files(fileOrTable)) {
        if (f.startsWith("part-") && f.endsWith(".parquet")) {
          files.add(fileOrTable.resolve(f));
        }
      }
    } else {
      files.add(fileOrTable);
    }
    List<String> rows = new ArrayList<>();
    for (Path f : files) {
      try (ParquetReader<Group> r =
          ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(f.toUri()))
              .build()) {
        for (Group g = r.read(); g != null; g = r.read()) {
          rows.add(g.toString().replaceAll("(?m)^wall_ms: .*\\n?", ""));
        }
      }
    }
    return rows;
  }

  /** Rewrites a Parquet file with one top-level string column set to {@code value}. */
  static void rewrite(Path f, String column, String value) throws IOException {
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f.toUri());
    MessageType schema;
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
      schema = r.getFooter().getFileMetaData().getSchema();
    }
    List<Group> rows = new ArrayList<>();
    try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), p).build()) {
      for (Group g = r.read(); g != null; g = r.read()) {
        rows.add(g);
      }
    }
    Path tmp = f.resolveSibling(f.getFileName() + ".new");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(tmp.toUri()))
            .withConf(conf)
            .withType(schema)
            .build()) {
      int i = schema.getFieldIndex(column);
      for (Group g : rows) {
        Group out = groups.newGroup();
        for (int k = 0; k < schema.getFieldCount(); k++) {
          if (k == i) {
            out.add(k, value);
          } else {
            copyField(g, out, k);
          }
        }
        w.write(out);
      }
    }
    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
    Files.deleteIfExists(f.resolveSibling("." + tmp.getFileName() + ".crc"));
  }

  private static void copy(Group from, Group to) {
    for (int k = 0; k < from.getType().getFieldCount(); k++) {
      copyField(from, to, k);
    }
  }

  private static void copyField(Group from, Group to, int k) {
    GroupType t = from.getType();
    Type ft = t.getType(k);
    for (int j = 0; j < from.getFieldRepetitionCount(k); j++) {
      if (!ft.isPrimitive()) {
        copy(from.getGroup(k, j), to.addGroup(k));
        continue;
      }
      switch (ft.asPrimitiveType().getPrimitiveTypeName()) {
        case INT32 -> to.add(k, from.getInteger(k, j));
        case INT64 -> to.add(k, from.getLong(k, j));
        case FLOAT -> to.add(k, from.getFloat(k, j));
        case DOUBLE -> to.add(k, from.getDouble(k, j));
        case BOOLEAN -> to.add(k, from.getBoolean(k, j));
        default -> to.add(k, from.getBinary(k, j));
      }
    }
  }
}
