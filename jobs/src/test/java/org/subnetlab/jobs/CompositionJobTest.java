package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;

/** {@code run} with {@code pipeline.compose} on the composite task: the composition table. */
class CompositionJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static OutputLayout out;

  @BeforeAll
  static void runPipeline() {
    spark = SparkSessions.local("composition-test", "local[2]");
    Settings s = ConfigLoader.load(TestConfigs.copy("tiny-composite.conf", dir), List.of());
    out = OutputLayout.prepare(dir.resolve("out"));
    PipelineJob.run(spark, s, out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void compositionTableHoldsEveryOperationWithControls() {
    var table = spark.read().parquet(out.table("composition").toString());
    assertThat(table.columns()).contains("method", "seed", "operation", "operands",
        "eval_subtask", "accuracy", "random_mean", "random_std", "z_score");
    Set<String> ops = new TreeSet<>();
    table.select("method", "operation").distinct().collectAsList()
        .forEach(r -> ops.add(r.getString(0) + ":" + r.getString(1)));
    assertThat(ops).contains("continuous-sparsification:union",
        "continuous-sparsification:intersection", "continuous-sparsification:difference",
        "continuous-sparsification:subnetwork", "continuous-sparsification:ablate",
        "lt-sft:delta", "lt-sft:delta_sum");
    assertThat(ops).doesNotContain("continuous-sparsification:delta");
    // 3 subtasks -> 3 pairs and all three; each result on add, mul, composite and ALL.
    assertThat(table.where("method = 'continuous-sparsification' AND operation = 'union'")
        .count()).isEqualTo((3 + 1) * 4);
    for (Row r : table.where("operation = 'union'").select("random_n").collectAsList()) {
      assertThat(r.getInt(0)).isEqualTo(3);
    }
    for (Row r : table.where("operation = 'delta_sum'").select("random_n").collectAsList()) {
      assertThat(r.isNullAt(0)).isTrue();
    }
    assertThat(out.report().resolve("composition.md")).exists();
  }

  @Test
  void reportAndNotebooksShowTheComposition() throws Exception {
    Browser.Page page = Browser.open(out.report().resolve("index.html"), dir);
    List<String> ids = ReportBrowserTest.figureIds(page.dom());
    assertThat(ids).contains("fig-composition-continuous-sparsification",
        "fig-composition-lt-sft");
    assertThat(page.bodyAttribute("data-figures-rendered")).isEqualTo(String.valueOf(ids.size()));
    assertThat(page.bodyAttribute("data-errors")).isEqualTo("0");
    assertThat(page.consoleMessages()).isEmpty();
    for (Path nb : Notebooks.all(ReportBrowserTest.REPO)) {
      String executed = Notebooks.execute(nb, out.root(), dir.resolve("notebooks"));
      assertThat(executed).contains("composition: continuous-sparsification: ")
          .doesNotContain("no composition table in " + out.root());
    }
  }
}
