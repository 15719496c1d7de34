package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.jobs.output.OutputLayout;
import org.subnetlab.jobs.output.Table;
import org.subnetlab.jobs.spark.SparkSessions;

/**
 * Every table a real small pipeline writes ({@code run} with {@code compose}, then {@code cluster})
 * has exactly the catalog's schema, read back from its Parquet files by Spark, and every catalog
 * table is written.
 */
class TableCatalogTest {
  @TempDir Path dir;

  @Test
  void everyWrittenTableHasExactlyTheCatalogsSchema() throws Exception {
    SparkSession spark = SparkSessions.local("table-catalog", "local[2]");
    try {
      Settings s =
          ConfigLoader.load(
              TestConfigs.copy("tiny-composite.conf", dir),
              List.of(
                  "model.epochs=30",
                  "masks.continuous-sparsification.lambda=[0.0005]",
                  "masks.continuous-sparsification.steps=40",
                  "masks.lt-sft.steps=30",
                  "masks.lt-sft.sparse-steps=30",
                  "aggregate.random-controls=1",
                  "composition.random-init-control=false",
                  "composition.ablation=[zero]",
                  "cluster.k=3",
                  "cluster.shuffles=2",
                  "cluster.random-controls=2",
                  "cluster.modules=3"));
      OutputLayout out = OutputLayout.prepare(dir.resolve("out"));
      // the stages of `run` that write tables (the summary text and the report only read them)
      TrainMasksJob.sweep(spark, s, out, TrainModelJob.run(spark, s, out));
      AggregateJob.run(spark, s, out);
      CompositionJob.run(spark, s, out);
      ClusterJob.run(spark, s, out);
      List<String> written;
      try (Stream<Path> st = Files.list(out.tables())) {
        written =
            st.filter(Files::isDirectory)
                .map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith("."))
                .sorted()
                .toList();
      }
      assertThat(written)
          .containsExactlyInAnyOrderElementsOf(
              Arrays.stream(Table.values()).map(Table::id).toList());
      for (Table t : Table.values()) {
        var schema = spark.read().parquet(out.table(t.id()).toString()).schema();
        // names, order and types, compared field by field apart from Table.mismatches
        assertThat(schema.fieldNames()).as(t.id()).containsExactlyElementsOf(t.columns());
        StructField[] want = t.schema().fields();
        for (int i = 0; i < want.length; i++) {
          assertThat(schema.fields()[i].dataType().sql())
              .as("%s.%s", t.id(), want[i].name())
              .isEqualTo(want[i].dataType().sql());
        }
        assertThat(t.mismatches(schema)).as(t.id()).isEmpty();
        assertThat(spark.read().parquet(out.table(t.id()).toString()).count())
            .as("rows of %s", t.id())
            .isPositive();
      }
    } finally {
      spark.stop();
    }
  }
}
