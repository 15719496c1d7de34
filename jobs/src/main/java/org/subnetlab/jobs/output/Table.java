package org.subnetlab.jobs.output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The catalog of result tables: every table under {@code tables/<name>/}, the stage that writes it
 * and its schema (column names, order and Spark SQL types). Writers add their tables by it ({@link
 * Tables.Generation#add}, which refuses a table whose columns are not exactly these), readers read
 * them by it ({@link Tables#read(org.apache.spark.sql.SparkSession, OutputLayout, Table)}), and
 * docs/tables.md carries its generated listing ({@link #markdown}). A new table is one constant
 * here and its writer: docs/development.md, "Adding a table".
 *
 * <p>Nullability is the writer's business (Parquet read back makes every column nullable); names,
 * order and types are the contract.
 */
public enum Table {
  /** Each run's training curve (at most 200 points per run; none for magnitude). */
  TRAINING_CURVES(
      Table.AGGREGATE,
      """
          run_id STRING,
          method STRING,
          subtask STRING,
          seed BIGINT,
          hyperparameters MAP<STRING, STRING>,
          step INT,
          loss DOUBLE,
          density DOUBLE,
          model_seed BIGINT
      """),

  /** One row per (run, layer): the mask bits and how the run went. */
  MASKS(
      Table.AGGREGATE,
      """
          run_id STRING,
          method STRING,
          subtask STRING,
          seed BIGINT,
          hyperparameters MAP<STRING, STRING>,
          layer STRING,
          layer_index INT,
          n_params BIGINT,
          n_kept BIGINT,
          bits BINARY,
          delta BINARY,
          train_steps BIGINT,
          final_loss DOUBLE,
          wall_ms BIGINT,
          model_seed BIGINT
      """),

  /** One row per (run, layer), plus the whole model as layer ALL. */
  SPARSITY(
      Table.AGGREGATE,
      """
          run_id STRING,
          method STRING,
          subtask STRING,
          seed BIGINT,
          hyperparameters MAP<STRING, STRING>,
          layer STRING,
          n_params BIGINT,
          n_kept BIGINT,
          model_seed BIGINT,
          density DOUBLE,
          sparsity DOUBLE
      """),

  /** One row per unordered pair of masks (run_a < run_b) and layer. */
  OVERLAP(
      Table.AGGREGATE,
      """
          run_a STRING,
          run_b STRING,
          method_a STRING,
          method_b STRING,
          subtask_a STRING,
          subtask_b STRING,
          seed_a BIGINT,
          seed_b BIGINT,
          layer STRING,
          n_kept_a BIGINT,
          n_kept_b BIGINT,
          intersection BIGINT,
          union BIGINT,
          jaccard DOUBLE,
          share_a_in_b DOUBLE,
          share_b_in_a DOUBLE,
          model_seed_a BIGINT,
          model_seed_b BIGINT
      """),

  /**
   * One row per (mask, eval subtask, mode[, control][, head]); {@code head} names the attention
   * head removed in modes full_without_head and subnetwork_without_head (null elsewhere).
   */
  ABLATION(
      Table.AGGREGATE,
      """
          run_id STRING,
          method STRING,
          mask_subtask STRING,
          seed BIGINT,
          eval_subtask STRING,
          mode STRING,
          control INT,
          accuracy DOUBLE,
          loss DOUBLE,
          n_examples INT,
          n_kept BIGINT,
          random_n INT,
          random_mean DOUBLE,
          random_std DOUBLE,
          z_score DOUBLE,
          random_percentile DOUBLE,
          model_seed BIGINT,
          head STRING
      """),

  /** Grid-point and selected-mask statistics (see docs/tables.md, "Summary and selection"). */
  SUMMARY(
      Table.AGGREGATE,
      """
          method STRING,
          hyperparameters MAP<STRING, STRING>,
          subtask STRING,
          layer STRING,
          n_seeds INT,
          density STRUCT<mean: DOUBLE, std: DOUBLE, ci_low: DOUBLE, ci_high: DOUBLE>,
          subnetwork_accuracy STRUCT<mean: DOUBLE, std: DOUBLE, ci_low: DOUBLE, ci_high: DOUBLE>,
          removal_drop STRUCT<mean: DOUBLE, std: DOUBLE, ci_low: DOUBLE, ci_high: DOUBLE>,
          jaccard_across_seeds DOUBLE,
          jaccard_across_subtasks DOUBLE,
          jaccard_across_methods DOUBLE,
          interval STRING,
          selection STRING,
          selection_rule STRING,
          grid_point STRING,
          run_ids ARRAY<STRING>,
          selected_points STRING,
          n_within_tolerance INT,
          warning STRING,
          over STRING,
          jaccard_across_models DOUBLE,
          model_seed BIGINT
      """),

  /** One row per (partition, clustered unit). */
  CLUSTERS(
      Table.CLUSTER,
      """
          method STRING,
          node INT,
          layer INT,
          unit INT,
          cluster INT,
          tree_leaf INT
      """),

  /** One row: the spectral partition's n-cut against shuffled graphs. */
  CLUSTERABILITY(
      Table.CLUSTER,
      """
          backend STRING,
          k INT,
          n_units INT,
          n_cut DOUBLE,
          n_shuffles INT,
          shuffled_mean DOUBLE,
          shuffled_std DOUBLE,
          z_score DOUBLE,
          p_value DOUBLE,
          graph STRING,
          n_shuffled_at_or_below INT
      """),

  /** One row per merge of the Ward tree. */
  CLUSTER_TREE(
      Table.CLUSTER,
      """
          step INT,
          cluster_a INT,
          cluster_b INT,
          distance DOUBLE,
          size INT
      """),

  /** One row per (partition, cluster, eval subtask): whole-cluster ablation. */
  CLUSTER_SPECIALISATION(
      Table.CLUSTER,
      """
          method STRING,
          cluster INT,
          hidden_units INT,
          eval_subtask STRING,
          full_accuracy DOUBLE,
          accuracy DOUBLE,
          drop DOUBLE,
          random_mean DOUBLE,
          random_std DOUBLE,
          z_score DOUBLE,
          random_percentile DOUBLE
      """),

  /** One row per (partition, cluster, hidden layer, eval subtask): sub-cluster lesions. */
  CLUSTER_LESIONS(
      Table.CLUSTER,
      """
          method STRING,
          cluster INT,
          layer INT,
          units INT,
          layer_units INT,
          eval_subtask STRING,
          full_accuracy DOUBLE,
          accuracy DOUBLE,
          drop DOUBLE,
          random_mean DOUBLE,
          random_std DOUBLE,
          z_score DOUBLE,
          random_percentile DOUBLE,
          n_controls INT,
          mean_accuracy DOUBLE,
          mean_p_value DOUBLE,
          normalised_range DOUBLE,
          range_p_value DOUBLE
      """),

  /** One row per (partition, cluster, mask run); only when the masks table exists. */
  CLUSTER_MASKS(
      Table.CLUSTER,
      """
          cluster_method STRING,
          cluster INT,
          run_id STRING,
          method STRING,
          subtask STRING,
          seed BIGINT,
          n_weights INT,
          kept_share DOUBLE,
          enrichment DOUBLE
      """),

  /** One row per (group, base, operation, ablation, operands, eval subtask). */
  COMPOSITION(
      Table.COMPOSE,
      """
          method STRING,
          seed BIGINT,
          hyperparameters MAP<STRING, STRING>,
          base STRING,
          operation STRING,
          ablation STRING,
          operands STRING,
          eval_subtask STRING,
          n_kept BIGINT,
          accuracy DOUBLE,
          random_n INT,
          random_mean DOUBLE,
          random_std DOUBLE,
          z_score DOUBLE,
          random_percentile DOUBLE,
          model_seed BIGINT
      """);

  /** The stage that writes the tables of {@code aggregate} (and of {@code run}). */
  public static final String AGGREGATE = "aggregate";

  /** The line before {@link #markdown}'s section in docs/tables.md. */
  public static final String BEGIN =
      "<!-- catalog: generated from org.subnetlab.jobs.output.Table; TableDocTest -->";

  /** The line after it. */
  public static final String END = "<!-- /catalog -->";

  /** The stage {@code cluster}. */
  public static final String CLUSTER = "cluster";

  /** The stage {@code compose} (and {@code run} with {@code pipeline.compose}). */
  public static final String COMPOSE = "compose";

  private final String id;
  private final String stage;
  private final String ddl;
  private StructType schema;

  Table(String stage, String ddl) {
    this.id = name().toLowerCase(java.util.Locale.ROOT);
    this.stage = stage;
    this.ddl = ddl;
  }

  /**
   * The table's name: its directory {@code tables/<id>/} and its name in messages and SQL views.
   */
  public String id() {
    return id;
  }

  /** The stage that writes it ({@link #AGGREGATE}, {@link #CLUSTER}, {@link #COMPOSE}). */
  public String stage() {
    return stage;
  }

  /** The columns in order with their types (every column nullable). */
  public synchronized StructType schema() {
    if (schema == null) {
      schema = StructType.fromDDL(ddl);
    }
    return schema;
  }

  /** The column names in order. */
  public List<String> columns() {
    return Arrays.asList(schema().fieldNames());
  }

  @Override
  public String toString() {
    return id;
  }

  /** The catalog table named {@code id}, if any. */
  public static Optional<Table> byId(String id) {
    for (Table t : values()) {
      if (t.id.equals(id)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The tables {@code stage} writes, in catalog order. */
  public static List<Table> of(String stage) {
    return Arrays.stream(values()).filter(t -> t.stage.equals(stage)).toList();
  }

  /**
   * How {@code actual} differs from the catalog's schema: missing, unexpected or out-of-order
   * columns and columns of another type (nullability aside, nested fields included); empty when it
   * matches.
   */
  public List<String> mismatches(StructType actual) {
    List<String> out = new ArrayList<>();
    StructField[] want = schema().fields();
    StructField[] got = actual.fields();
    List<String> wantNames = columns();
    List<String> gotNames = Arrays.asList(actual.fieldNames());
    for (String n : wantNames) {
      if (!gotNames.contains(n)) {
        out.add("missing column " + n);
      }
    }
    for (String n : gotNames) {
      if (!wantNames.contains(n)) {
        out.add("unexpected column " + n);
      }
    }
    if (out.isEmpty() && !wantNames.equals(gotNames)) {
      out.add("columns " + gotNames + " instead of " + wantNames);
    }
    if (out.isEmpty()) {
      for (int i = 0; i < want.length; i++) {
        String w = want[i].dataType().catalogString();
        String g = got[i].dataType().catalogString();
        if (!w.equals(g)) {
          out.add("column " + want[i].name() + " is " + g + ", not " + w);
        }
      }
    }
    return out;
  }

  /**
   * The catalog as Markdown, the generated section of docs/tables.md: per stage, per table, its
   * columns with their types.
   */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    for (String stage : List.of(AGGREGATE, CLUSTER, COMPOSE)) {
      for (Table t : of(stage)) {
        sb.append("**`").append(t.id).append("`** (written by `").append(stage).append("`)\n\n");
        sb.append("| column | type |\n|---|---|\n");
        for (StructField f : t.schema().fields()) {
          sb.append("| `")
              .append(f.name())
              .append("` | `")
              .append(f.dataType().catalogString())
              .append("` |\n");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
