package org.subnetlab.model;

/**
 * A frozen base model as the mask stages see it, whatever its architecture: its trained parameters
 * θ (one flat array), their per-tensor {@link ParamLayout}, and the loss of the model as a function
 * of its effective parameters ({@link MaskedObjective}). A DL4J {@link Network} (MLP, CNN, imported
 * graph) and a GPT-2-style decoder ({@link Gpt2Model}) are both one; mask training, ablation and
 * composition are written against this interface only.
 */
public interface BaseModel {
  /** The parameter tensors, in the order of {@link #theta()}. */
  ParamLayout layout();

  /** A fresh copy of the trained parameters θ. */
  float[] theta();

  /**
   * An objective over this model's effective parameters, for the calling thread (objectives hold
   * scratch buffers and, for DL4J, the network whose parameters they overwrite: one per thread).
   */
  MaskedObjective objective();

  /**
   * The same architecture at parameters {@code params} (a private copy; this model is unchanged).
   */
  BaseModel withParams(float[] params);

  /**
   * Named parameter groups reported and ablated next to the blocks of {@link #layout()}: the
   * attention heads of a transformer ({@link ParamGroup#attentionHeads}); none for other models.
   */
  default java.util.List<ParamGroup> groups() {
    return java.util.List.of();
  }

  /** Bytes {@link BaseModels#fromBytes} turns back into an equal model (what Spark broadcasts). */
  byte[] bytes();
}
