package org.subnetlab.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.jobs.ReportBrowserTest;

/**
 * The tables' generation manifest, the part-file check and the leftover cleaning, without Spark
 * (the fault suite's TableFaults runs them through the CLI); and the notebook's manifest check, run
 * with python3 from the notebook's own code.
 */
class TablesManifestTest {
  @TempDir Path dir;

  private OutputLayout out() {
    return new OutputLayout(dir);
  }

  @Test
  void aGenerationBeingWrittenMakesItsTablesUnreadableUntilComplete() throws Exception {
    OutputLayout out = out();
    Files.createDirectories(out.table("masks"));
    assertThat(TablesManifest.read(out).incomplete("masks")).isNull(); // no manifest: as before

    TablesManifest m = TablesManifest.read(out);
    assertThat(m.writing("aggregate", List.of("masks", "sparsity"), "t0")).isEqualTo(1);
    // a second reader, as export would be, sees the file on disk
    TablesManifest seen = TablesManifest.read(out);
    assertThat(seen.incompleteStages()).containsExactly("aggregate");
    assertThat(seen.incomplete("masks"))
        .contains(
            "Table masks",
            "incomplete generation",
            "`subnetlab aggregate` (generation 1, started t0)");
    assertThat(seen.incomplete("clusters")).isNull(); // not of that stage
    assertThatThrownBy(() -> Tables.check(out, "sparsity"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "Re-run `subnetlab aggregate` (or `run`) with the same config and" + " --out " + dir);

    m.complete("aggregate", Map.of("runs", 8, "run_set", "abc"));
    Config c = ConfigFactory.parseFile(TablesManifest.file(out).toFile());
    assertThat(c.getBoolean("complete")).isTrue();
    assertThat(c.getString("stages.aggregate.state")).isEqualTo("complete");
    assertThat(c.getStringList("stages.aggregate.tables")).containsExactly("masks", "sparsity");
    assertThat(c.getString("tables.sparsity")).isEqualTo("aggregate");
    assertThat(c.getInt("stages.aggregate.runs")).isEqualTo(8);
    Tables.check(out, "masks");

    // another stage's generation counts on and leaves aggregate's complete
    TablesManifest n = TablesManifest.read(out);
    assertThat(n.writing("cluster", List.of("clusters"), "t1")).isEqualTo(2);
    assertThat(TablesManifest.read(out).incompleteStages()).containsExactly("cluster");
    assertThat(TablesManifest.read(out).incomplete("masks")).isNull();
    assertThat(Tables.incompleteNote(out, "cluster"))
        .contains(
            "The tables under "
                + out.tables()
                + " are of an incomplete generation: `subnetlab"
                + " cluster` (generation 2, started t1) stopped while moving its tables [clusters] in",
            "Re-run `subnetlab cluster` with");
  }

  @Test
  void anUnreadableManifestIsNamedAndTheNextWriterReplacesIt() throws Exception {
    OutputLayout out = out();
    Files.createDirectories(out.tables());
    Files.writeString(TablesManifest.file(out), "{\"generation\": 3, \"sta");
    assertThatThrownBy(() -> Tables.check(out, "masks"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Cannot read the tables manifest " + TablesManifest.file(out));
    TablesManifest.read(out).writing("aggregate", List.of("masks"), "t");
    TablesManifest.read(out).complete("aggregate", Map.of());
    Tables.check(out, "masks");
  }

  @Test
  void aPartFileCutShortIsDamagedAndAWholeOneIsNot() throws Exception {
    byte[] whole = parquetLike(40);
    Path f = Files.write(dir.resolve("part-0.parquet"), whole);
    assertThat(Tables.parquetDamage(f)).isNull();
    for (int len : new int[] {0, 5, 11, 30, whole.length - 1}) {
      Files.write(f, java.util.Arrays.copyOf(whole, len));
      assertThat(Tables.parquetDamage(f)).as("%d bytes", len).isNotNull();
    }
    Files.write(f, "not parquet at all, but long enough".getBytes(StandardCharsets.US_ASCII));
    assertThat(Tables.parquetDamage(f)).contains("does not start with Parquet's magic");
  }

  /** PAR1, data, a footer of {@code footer} bytes, its length (little-endian) and PAR1. */
  private static byte[] parquetLike(int footer) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(4 + 20 + footer + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("PAR1".getBytes(StandardCharsets.US_ASCII))
        .put(new byte[20])
        .put(new byte[footer])
        .putInt(footer)
        .put("PAR1".getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  @Test
  void leftoversOfKilledWritersGoAndTablesStay() throws Exception {
    OutputLayout out = out();
    for (String d : List.of("masks", ".masks.tmp-1", ".masks.old-2")) {
      Files.createDirectories(out.tables().resolve(d));
      Files.writeString(out.tables().resolve(d).resolve("part-0"), "x");
    }
    Files.writeString(out.tables().resolve("._MANIFEST.json.3.tmp"), "{");
    Files.writeString(out.tables().resolve("_MANIFEST.json"), "{}");
    Files.createDirectories(out.report());
    Files.writeString(out.report().resolve(".index.html.4.tmp"), "<html");
    Files.writeString(out.report().resolve("index.html"), "<html></html>");
    Tables.cleanLeftovers(out);
    Reports.cleanLeftovers(out);
    assertThat(names(out.tables())).containsExactly("_MANIFEST.json", "masks");
    assertThat(names(out.report())).containsExactly("index.html");
  }

  private static List<String> names(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The notebook's own lines that check the manifest, run by python3 against {@code outDir}. */
  private static Process notebookCheck(Path outDir) throws Exception {
    Path nb = ReportBrowserTest.REPO.resolve("notebooks/results.ipynb");
    Config cells = ConfigFactory.parseString(Files.readString(nb, StandardCharsets.UTF_8));
    String code = null;
    for (Config cell : cells.getConfigList("cells")) {
      String src = String.join("", cell.getStringList("source"));
      if (src.contains("_MANIFEST.json")) {
        code = src;
      }
    }
    assertThat(code).as("the notebook checks tables/_MANIFEST.json").isNotNull();
    int from = code.indexOf("MANIFEST = ");
    int to = code.indexOf("\nTABLES = ", from);
    assertThat(from).isNotNegative();
    assertThat(to).isPositive();
    String script =
        "import json, pathlib, sys\nOUT = pathlib.Path(sys.argv[1])\n"
            + code.substring(from, to)
            + "\nprint('checked')\n";
    List<String> cmd = new ArrayList<>(List.of("python3", "-c", script, outDir.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  @Test
  void theNotebookRefusesAnIncompleteGeneration() throws Exception {
    OutputLayout out = out();
    Files.createDirectories(out.table("masks"));
    TablesManifest.read(out).writing("aggregate", List.of("masks"), "t0");
    Process p = notebookCheck(dir);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isNotZero();
    assertThat(text)
        .contains("incomplete generation", "`subnetlab aggregate`", "--out " + dir)
        .doesNotContain("checked");

    TablesManifest.read(out).complete("aggregate", Map.of());
    Process q = notebookCheck(dir);
    assertThat(q.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String ok = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(q.exitValue()).as(ok).isZero();
    assertThat(ok).contains("checked");
  }
}
