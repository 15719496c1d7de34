package org.subnetlab.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/tables.md against the catalog: its generated section is the one {@link Table#markdown}
 * makes, so it lists every catalog table with every column and type, and every table also has a
 * human explanation elsewhere on the page (its name in backquotes outside the generated section).
 */
class TableDocTest {
  @Test
  void tablesPageListsEveryCatalogTableWithEveryColumn() throws IOException {
    String text = Files.readString(Path.of("..", "docs", "tables.md"));
    String generated = Table.markdown();
    Files.writeString(Path.of("target", "tables-catalog.md"), generated);
    int begin = text.indexOf(Table.BEGIN);
    int end = text.indexOf(Table.END);
    assertThat(begin).as("docs/tables.md has the line %s", Table.BEGIN).isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String shown = text.substring(begin + Table.BEGIN.length(), end).strip();
    assertThat(shown)
        .as("docs/tables.md's catalog section; paste jobs/target/tables-catalog.md")
        .isEqualTo(generated.strip());
    // Independently of markdown(): each table's heading, then exactly its columns in order.
    for (Table t : Table.values()) {
      int at = shown.indexOf("**`" + t.id() + "`**");
      assertThat(at).as(t.id()).isNotNegative();
      String[] rows =
          shown
              .substring(at)
              .lines()
              .skip(4) // heading, blank, header, separator
              .takeWhile(l -> l.startsWith("| `"))
              .toArray(String[]::new);
      assertThat(rows).as(t.id()).hasSize(t.columns().size());
      for (int i = 0; i < rows.length; i++) {
        assertThat(rows[i]).startsWith("| `" + t.columns().get(i) + "` | ");
      }
    }
    String human = text.substring(0, begin) + text.substring(end);
    for (Table t : Table.values()) {
      assertThat(human).as("a human explanation of %s", t.id()).contains("`" + t.id() + "`");
    }
    assertThat(Table.values()).hasSize(13);
  }

  @Test
  void mismatchesNameWhatDiffersFromTheCatalog() {
    var ok = Table.CLUSTER_TREE.schema();
    assertThat(Table.CLUSTER_TREE.mismatches(ok)).isEmpty();
    var wrongType =
        org.apache.spark.sql.types.StructType.fromDDL(
            "step INT, cluster_a INT, cluster_b INT, distance FLOAT, size INT");
    assertThat(Table.CLUSTER_TREE.mismatches(wrongType))
        .containsExactly("column distance is float, not double");
    var swapped =
        org.apache.spark.sql.types.StructType.fromDDL(
            "step INT, cluster_b INT, cluster_a INT, distance DOUBLE, size INT");
    assertThat(Table.CLUSTER_TREE.mismatches(swapped)).hasSize(1);
    var missing =
        org.apache.spark.sql.types.StructType.fromDDL(
            "step INT, cluster_a INT, cluster_b INT, distance DOUBLE, extra INT");
    assertThat(Table.CLUSTER_TREE.mismatches(missing))
        .containsExactly("missing column size", "unexpected column extra");
    assertThat(Table.byId("overlap")).contains(Table.OVERLAP);
    assertThat(Table.byId("nope")).isEmpty();
    assertThat(Table.of(Table.CLUSTER)).hasSize(6);
  }
}
