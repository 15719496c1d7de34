package org.subnetlab.model;

import org.subnetlab.transformer.Gpt2Config;

/**
 * A GPT-2-style decoder as a {@link BaseModel}: its configuration and its flat parameters in {@link
 * Gpt2Objective#layout} order (Hugging Face tensor names).
 */
public record Gpt2Model(Gpt2Config config, float[] params) implements BaseModel {
  public Gpt2Model {
    int expected = Gpt2Objective.layout(config).total();
    if (params.length != expected) {
      throw new IllegalArgumentException(
          "a GPT-2 of this configuration has " + expected + " parameters, not " + params.length);
    }
  }

  @Override
  public ParamLayout layout() {
    return Gpt2Objective.layout(config);
  }

  @Override
  public float[] theta() {
    return params.clone();
  }

  @Override
  public MaskedObjective objective() {
    return new Gpt2Objective(config);
  }

  @Override
  public BaseModel withParams(float[] p) {
    return new Gpt2Model(config, p.clone());
  }

  /** The attention heads, {@code h.i.attn.head.k} ({@link ParamGroup#attentionHeads}). */
  @Override
  public java.util.List<ParamGroup> groups() {
    return ParamGroup.attentionHeads(layout(), config.layers(), config.width(), config.heads());
  }

  @Override
  public byte[] bytes() {
    return BaseModels.toBytes(this);
  }
}
