package org.subnetlab.mask;

import java.util.SplittableRandom;
import org.subnetlab.model.MaskedObjective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;

/**
 * What a mask method works from: the frozen network (as an objective of its effective parameters),
 * its trained parameters θ, its initial parameters θ_init (for rewinding methods), the parameter
 * layout, the subtask's training examples and the run's random stream. Methods never modify θ.
 */
public record MaskContext(
    MaskedObjective objective,
    float[] theta,
    float[] initialTheta,
    ParamLayout layout,
    Dataset examples,
    SplittableRandom rng) {}
