package org.subnetlab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fault-injection cases: result tables: generations, leftovers, corrupt part files (issue 23
 * defects 4, 9, 10). The damaged states are a real SIGKILL of {@code aggregate} while it writes its
 * tables aside, and by hand the state a kill between a table's two renames leaves (the table moved
 * to {@code .<name>.old-*}, the manifest saying {@code writing}), which no signal hits reliably.
 */
final class TableFaults implements FaultCases {
  @Override
  public List<FaultCase> cases() {
    return List.of(
        FaultCase.of(
                "aggregate killed (SIGKILL) while writing its tables aside leaves the "
                    + "previous generation whole",
                "23.10")
            .setup(ws -> ws.finishedSweep("out"))
            .args(ws -> aggregate(ws))
            .signalWhen("Writing table masks aside", "KILL")
            .timeout(600) // Spark's start takes long on a busy machine
            .exit(137)
            .then(
                (ws, r) -> {
                  Path tables = ws.path("out/tables");
                  Path before = Workspace.finished().resolve("tables");
                  // the manifest and every table are the fixture's, byte for byte
                  assertThat(Workspace.files(tables).stream().filter(f -> !f.startsWith(".")))
                      .containsExactlyElementsOf(Workspace.files(before));
                  for (String f : Workspace.files(before)) {
                    assertThat(Files.readAllBytes(tables.resolve(f)))
                        .as(f)
                        .isEqualTo(Files.readAllBytes(before.resolve(f)));
                  }
                  assertThat(manifest(ws).getBoolean("complete")).isTrue();
                  // the kill came while tables were written aside: their leftovers are there
                  assertThat(dotEntries(tables))
                      .anyMatch(n -> n.startsWith(".training_curves.tmp-"));
                }),
        FaultCase.of(
                "export of a table a kill between two renames left missing names the "
                    + "incomplete generation",
                "23.10")
            .setup(TableFaults::killedBetweenRenames)
            .args(ws -> List.of("export", "masks", "--out", ws.path("out").toString()))
            .message(
                "Table masks under",
                "is of an incomplete generation",
                "`subnetlab aggregate`",
                "Re-run `subnetlab aggregate` (or `run`)"),
        FaultCase.of(
                "export --to of every table of an incomplete generation writes no file", "23.10")
            .setup(TableFaults::killedBetweenRenames)
            .args(
                ws ->
                    List.of(
                        "export",
                        "--out",
                        ws.path("out").toString(),
                        "--to",
                        ws.path("csv").toString()))
            .message("is of an incomplete generation", "Re-run `subnetlab aggregate`")
            .then((ws, r) -> assertThat(ws.path("csv")).doesNotExist()),
        FaultCase.of(
                "report on an incomplete generation names it and keeps the old report", "23.10")
            .setup(TableFaults::killedBetweenRenames)
            .args(ws -> List.of("report", "--out", ws.path("out").toString()))
            .message(
                "Cannot report on",
                "stopped while moving its tables",
                "Re-run `subnetlab aggregate`")
            .then(
                (ws, r) ->
                    assertThat(Files.readAllBytes(ws.path("out/report/index.html")))
                        .isEqualTo(
                            Files.readAllBytes(Workspace.finished().resolve("report/index.html")))),
        FaultCase.of(
                "the next aggregate heals an incomplete generation and deletes what killed "
                    + "writers left",
                "23.10")
            .setup(
                ws -> {
                  killedBetweenRenames(ws);
                  ws.write("out/tables/.summary.tmp-0f/part-00000.snappy.parquet", "half a table");
                  ws.write("out/report/.index.html.0f.tmp", "<html>half a report");
                })
            .args(ws -> aggregate(ws))
            .timeout(600)
            .exit(0)
            .then(
                (ws, r) -> {
                  Config m = manifest(ws);
                  assertThat(m.getBoolean("complete")).isTrue();
                  assertThat(m.getString("stages.aggregate.state")).isEqualTo("complete");
                  assertThat(m.getLong("stages.aggregate.generation"))
                      .isEqualTo(
                          ConfigFactory.parseFile(
                                      Workspace.finished()
                                          .resolve("tables/_MANIFEST.json")
                                          .toFile())
                                  .getLong("generation")
                              + 1);
                  assertThat(m.getInt("stages.aggregate.runs")).isEqualTo(8);
                  assertThat(ws.path("out/tables/masks/_SUCCESS")).exists();
                  assertThat(dotEntries(ws.path("out/tables"))).isEmpty();
                  assertThat(dotEntries(ws.path("out/report"))).isEmpty();
                }),
        FaultCase.of(
                "export of a truncated table part file names the file and the command that "
                    + "rewrites it",
                "23.4")
            .setup(ws -> truncatePart(ws, "sparsity"))
            .args(ws -> List.of("export", "sparsity", "--out", ws.path("out").toString()))
            .message(
                "Table sparsity is damaged: its part file",
                "part-",
                "is truncated",
                "Re-run `subnetlab aggregate` (or `run`)"),
        FaultCase.of("report on a truncated table part file names the file", "23.4")
            .setup(ws -> truncatePart(ws, "overlap"))
            .args(ws -> List.of("report", "--out", ws.path("out").toString()))
            .message(
                "Table overlap is damaged: its part file",
                "is truncated",
                "Re-run `subnetlab aggregate`"));
  }

  private static List<String> aggregate(Workspace ws) {
    return List.of(
        "aggregate", ws.conf("tiny.conf").toString(), "--out", ws.path("out").toString());
  }

  private static Config manifest(Workspace ws) {
    return ConfigFactory.parseFile(ws.path("out/tables/_MANIFEST.json").toFile());
  }

  /** The names under {@code dir} that start with a dot (leftovers of writers). */
  private static List<String> dotEntries(Path dir) throws java.io.IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("."))
          .sorted()
          .toList();
    }
  }

  /**
   * The finished sweep as a kill of {@code aggregate} between the two renames of its masks table
   * leaves it: the manifest says the generation is being written, the previous masks table is moved
   * aside and the new one is still a temporary directory.
   */
  private static void killedBetweenRenames(Workspace ws) throws Exception {
    Path out = ws.finishedSweep("out");
    Path tables = out.resolve("tables");
    Files.move(tables.resolve("masks"), tables.resolve(".masks.old-0f"));
    Workspace.copyTree(tables.resolve(".masks.old-0f"), tables.resolve(".masks.tmp-0f"));
    Path file = tables.resolve("_MANIFEST.json");
    Config m =
        ConfigFactory.parseFile(file.toFile())
            .withValue("stages.aggregate.state", ConfigValueFactory.fromAnyRef("writing"))
            .withValue("complete", ConfigValueFactory.fromAnyRef(false));
    Files.writeString(
        file, m.root().render(ConfigRenderOptions.concise().setJson(true)), StandardCharsets.UTF_8);
  }

  /** The finished sweep with the part file of {@code table} cut to half its size. */
  private static void truncatePart(Workspace ws, String table) throws Exception {
    Path out = ws.finishedSweep("out");
    try (Stream<Path> s = Files.list(out.resolve("tables").resolve(table))) {
      Path part =
          s.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
      byte[] b = Files.readAllBytes(part);
      Files.write(part, java.util.Arrays.copyOf(b, b.length / 2));
    }
  }
}
