package org.subnetlab.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.MaskTrainingResult;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.MaskRunner;
import org.subnetlab.sweep.RunSpec;

/** {@link MaskFileCheck} on real mask files written by {@link MaskFiles#commit}; no Spark. */
class MaskFileCheckTest {
  static final ParamLayout LAYOUT =
      new ParamLayout(
          List.of("0_W", "0_b", "1_W", "1_b"),
          new long[] {0, 12, 15, 21},
          new long[] {12, 3, 6, 2});

  @TempDir Path dir;
  Path masks;
  RunSpec a;
  RunSpec b;

  @BeforeEach
  void writeTwoRuns() {
    masks = dir.resolve("masks");
    a = RunSpec.of("csordas", "add", 0, 7, Map.of("alpha", 0.1, "steps", 150.0), "fp-a");
    b = RunSpec.of("csordas", "add", 1, 7, Map.of("alpha", 0.1, "steps", 150.0), "fp-a");
    commit(a, 3);
    commit(b, 5);
  }

  private void commit(RunSpec spec, int every) {
    float[] scores = new float[LAYOUT.total()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = i % every == 0 ? 1 : -1;
    }
    Mask m = Mask.positive(LAYOUT, scores);
    MaskFiles.commit(
        masks,
        new MaskRunner.Finished(
            spec,
            LAYOUT,
            new MaskTrainingResult(m, 10, 0.25, new float[] {1, 0.5f}, new float[] {1, 0.4f}),
            3));
  }

  private Path file(RunSpec r) {
    return MaskFiles.file(masks, r.runId());
  }

  @Test
  void acceptsTheFilesItsWriterCommitted() {
    assertThat(MaskFileCheck.problem(file(a), a, LAYOUT)).isNull();
    assertThat(MaskFileCheck.problem(file(b), b, LAYOUT)).isNull();
  }

  @Test
  void rejectsAFileCopiedOverAnotherRunsName() throws Exception {
    Files.copy(file(b), file(a), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(MaskFileCheck.problem(file(a), a, LAYOUT))
        .isEqualTo(
            "row 1 is of run "
                + b.runId()
                + ", not "
                + a.runId()
                + " (a mask file copied or renamed over another run's)");
  }

  @Test
  void rejectsTruncatedFilesAtEveryLength() throws Exception {
    byte[] whole = Files.readAllBytes(file(a));
    for (int len : new int[] {0, 1, 4, 8, whole.length / 2, whole.length - 9, whole.length - 1}) {
      Files.write(file(a), Arrays.copyOf(whole, len));
      String p = MaskFileCheck.problem(file(a), a, LAYOUT);
      assertThat(p)
          .as("truncated to %d of %d bytes", len, whole.length)
          .startsWith(
              len == 0
                  ? "is empty (0 bytes)"
                  : "is not a complete Parquet file (" + len + " bytes)");
      assertThat(p).doesNotContain(file(a).toString());
    }
  }

  @Test
  void rejectsAFileThatIsNotParquet() throws Exception {
    Files.writeString(file(a), "run_id,bits\nx,y\n");
    assertThat(MaskFileCheck.problem(file(a), a, LAYOUT))
        .startsWith("is not a complete Parquet file (16 bytes): truncated, damaged or not Parquet");
  }

  @Test
  void rejectsAFileOfAnotherBaseModelUnderTheRightRunId() {
    RunSpec other =
        new RunSpec(
            a.runId(),
            a.method(),
            a.subtask(),
            a.seed(),
            a.globalSeed(),
            a.hyperparameters(),
            "fp-other",
            0,
            a.runId());
    commitOver(other);
    assertThat(MaskFileCheck.problem(file(a), a, LAYOUT))
        .isEqualTo(
            "row 1 is of base model fp-other, not of this sweep's base model fp-a"
                + " (a mask file of another sweep)");
  }

  @Test
  void rejectsAFileWhoseRowsDescribeAnotherRun() {
    RunSpec otherSeed =
        new RunSpec(
            a.runId(),
            a.method(),
            a.subtask(),
            9,
            a.globalSeed(),
            a.hyperparameters(),
            a.modelFingerprint(),
            0,
            a.runId());
    commitOver(otherSeed);
    assertThat(MaskFileCheck.problem(file(a), a, LAYOUT))
        .isEqualTo("row 1 has seed 9 where its run has 0 (run " + a.runId() + ")");
    RunSpec otherHp =
        new RunSpec(
            a.runId(),
            a.method(),
            a.subtask(),
            a.seed(),
            a.globalSeed(),
            Map.of("alpha", 0.2, "steps", 150.0),
            a.modelFingerprint(),
            0,
            a.runId());
    commitOver(otherHp);
    assertThat(MaskFileCheck.problem(file(a), a, LAYOUT))
        .isEqualTo(
            "row 1 has hyperparameters {alpha=0.2, steps=150} where its run has "
                + "{alpha=0.1, steps=150} (run "
                + a.runId()
                + ")");
  }

  private void commitOver(RunSpec spec) {
    commit(spec, 3);
  }

  @Test
  void rejectsAFileOfAnotherLayerLayout() {
    ParamLayout wider =
        new ParamLayout(
            List.of("0_W", "0_b", "1_W", "1_b"),
            new long[] {0, 12, 15, 22},
            new long[] {12, 3, 7, 2});
    assertThat(MaskFileCheck.problem(file(a), a, wider))
        .isEqualTo(
            "row 3 is block 2 = 1_W with 6 parameters, but the base model's block 2 is "
                + "1_W with 7");
    ParamLayout fewer =
        new ParamLayout(List.of("0_W", "0_b"), new long[] {0, 12}, new long[] {12, 3});
    assertThat(MaskFileCheck.problem(file(a), a, fewer))
        .isEqualTo("has 4 rows, but the base model has 2 parameter blocks [0_W, 0_b]");
  }

  @Test
  void verifyMovesBadFilesAsideWithTheReasonAndKeepsTheGoodOnes() throws Exception {
    Files.write(file(a), new byte[0]);
    MaskFileCheck.Outcome o = MaskFileCheck.verify(masks, List.of(a, b), LAYOUT);
    assertThat(o.finished()).containsExactly(b.runId());
    assertThat(o.rejected()).hasSize(1);
    Path moved = masks.resolve(".corrupt").resolve(a.runId() + ".parquet");
    assertThat(o.rejected().get(0).movedTo()).isEqualTo(moved);
    assertThat(o.rejected().get(0).describe())
        .isEqualTo(
            "masks/"
                + a.runId()
                + ".parquet: is empty (0 bytes); moved to masks/.corrupt/"
                + a.runId()
                + ".parquet");
    assertThat(file(a)).doesNotExist();
    assertThat(moved).exists();
    assertThat(Files.readString(masks.resolve(".corrupt").resolve(a.runId() + ".parquet.txt")))
        .isEqualTo(a.runId() + ".parquet is empty (0 bytes)\n");
    assertThat(MaskFiles.committed(masks)).containsExactly(b.runId());
    // A second bad file of the same run does not overwrite the first one moved aside.
    Files.writeString(file(a), "not parquet");
    MaskFileCheck.verify(masks, List.of(a, b), LAYOUT);
    assertThat(masks.resolve(".corrupt").resolve(a.runId() + "-2.parquet"))
        .hasContent("not parquet");
    assertThat(moved).isEmptyFile();
  }

  @Test
  void refusalNamesEveryFileAndWhatRetrainsIt() throws Exception {
    Files.write(file(a), new byte[0]);
    Files.copy(file(a), file(b), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    List<MaskFileCheck.Rejected> r = MaskFileCheck.verify(masks, List.of(a, b), LAYOUT).rejected();
    BadInputException e = MaskFileCheck.refusal(masks, r, "aggregate");
    assertThat(e.getMessage())
        .isEqualTo(
            "Cannot aggregate "
                + dir
                + ": 2 mask files are corrupt "
                + "or not of the run its name says: masks/"
                + a.runId()
                + ".parquet: is empty (0 bytes); "
                + "moved to masks/.corrupt/"
                + a.runId()
                + ".parquet; masks/"
                + b.runId()
                + ".parquet: is empty (0 bytes); moved to masks/.corrupt/"
                + b.runId()
                + ".parquet. "
                + "Run `subnetlab train-masks` (or `run`) with this config and --out to train those runs "
                + "again.");
  }

  @Test
  void removesLeftoversOnlyWhileThisProcessHoldsTheOutputLock() throws Exception {
    OutputLayout out = OutputLayout.prepare(dir);
    Path tmp = masks.resolve(".tmp");
    Files.writeString(tmp.resolve("x-1.parquet"), "half");
    Files.writeString(tmp.resolve("y-2.parquet"), "half");
    assertThat(MaskFileCheck.removeLeftovers(out)).isZero();
    assertThat(tmp.resolve("x-1.parquet")).exists();
    try (OutputLock lock = OutputLock.acquire(out, "test")) {
      assertThat(MaskFileCheck.removeLeftovers(out)).isEqualTo(2);
    }
    assertThat(Files.list(tmp).toList()).isEmpty();
    assertThat(MaskFiles.committed(masks)).containsExactlyInAnyOrder(a.runId(), b.runId());
  }
}
