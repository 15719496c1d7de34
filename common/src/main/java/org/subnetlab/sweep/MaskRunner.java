package org.subnetlab.sweep;

import org.subnetlab.mask.MaskContext;
import org.subnetlab.mask.MaskMethods;
import org.subnetlab.mask.MaskTrainingResult;
import org.subnetlab.model.BaseModel;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Seeds;
import org.subnetlab.task.Task;

/** Trains the mask of one run on a frozen base model (Spark-free; the sweep job calls it). */
public final class MaskRunner {
  private MaskRunner() {}

  /** A finished run: its mask training result and wall time. */
  public record Finished(
      RunSpec spec, ParamLayout layout, MaskTrainingResult result, long wallMs) {}

  public static Finished run(RunSpec spec, BaseModel base, float[] initialTheta, Task task) {
    long t0 = System.nanoTime();
    float[] theta = base.theta();
    ParamLayout layout = base.layout();
    MaskTrainingResult r =
        MaskMethods.create(spec.method(), spec.hyperparameters())
            .train(
                new MaskContext(
                    base.objective(),
                    theta,
                    initialTheta,
                    layout,
                    task.trainExamples(spec.subtask()),
                    Seeds.stream(spec.globalSeed(), "mask/" + spec.streamId())));
    return new Finished(spec, layout, r, (System.nanoTime() - t0) / 1_000_000);
  }
}
