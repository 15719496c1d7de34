package org.subnetlab.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.subnetlab.jobs.spark.SparkSessions;

/** The report's driver-side grouping agrees with Spark SQL's avg and stddev_samp. */
class StatTest {
  @Test
  void groupsLikeSqlAvgAndStddevSamp() {
    StructType schema =
        new StructType()
            .add("a", DataTypes.StringType)
            .add("b", DataTypes.StringType)
            .add("v", DataTypes.DoubleType);
    SplittableRandom rng = new SplittableRandom(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String a = "m" + rng.nextInt(3);
      String b = "s" + rng.nextInt(4);
      // a null now and then (ignored by avg); one group with a single value
      Double v = rng.nextInt(10) == 0 ? null : rng.nextDouble();
      rows.add(new GenericRowWithSchema(new Object[] {a, b, v}, schema));
    }
    rows.add(new GenericRowWithSchema(new Object[] {"single", "s0", 0.25}, schema));
    rows.add(new GenericRowWithSchema(new Object[] {"nulls", "s0", null}, schema));
    SparkSession spark = SparkSessions.local("stat-test", "local[1]");
    List<Row> sql;
    try {
      spark.createDataFrame(rows, schema).createOrReplaceTempView("t");
      sql =
          spark
              .sql("SELECT a, b, avg(v), stddev_samp(v) FROM t GROUP BY a, b ORDER BY a, b")
              .collectAsList();
    } finally {
      spark.stop();
    }
    Map<List<String>, Stat[]> groups =
        Stat.group(rows, r -> List.of(r.getString(0), r.getString(1)), "v");
    assertThat(new ArrayList<>(groups.keySet()))
        .as("keys in ORDER BY order")
        .isEqualTo(sql.stream().map(r -> List.of(r.getString(0), r.getString(1))).toList());
    for (Row r : sql) {
      Stat s = groups.get(List.of(r.getString(0), r.getString(1)))[0];
      if (r.isNullAt(2)) {
        assertThat(s.avg()).isNull();
      } else {
        assertThat(s.avg()).isCloseTo(r.getDouble(2), within(1e-12));
      }
      if (r.isNullAt(3)) {
        assertThat(s.sd()).isNull();
        assertThat(s.sdOrZero()).isZero();
      } else {
        assertThat(s.sd()).isCloseTo(r.getDouble(3), within(1e-12));
      }
    }
    assertThat(groups.get(List.of("single", "s0"))[0].sd()).isNull();
    assertThat(groups.get(List.of("nulls", "s0"))[0].avg()).isNull();
  }
}
