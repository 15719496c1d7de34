package org.subnetlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.subnetlab.mask.Mask;
import org.subnetlab.mask.PackedBits;
import org.subnetlab.task.ArithmeticTextTask;
import org.subnetlab.task.Dataset;
import org.subnetlab.transformer.Gpt2Config;

/** Attention heads as parameter groups: which parameters, gathering, and removal. */
class ParamGroupTest {
  private static final int D = 8;
  private static final int HEADS = 2;
  private static final int HD = D / HEADS;
  private static final ArithmeticTextTask TASK =
      new ArithmeticTextTask(5, List.of("add", "sub", "mul"), 0.25, 50, 3);
  private static final Gpt2Config CONFIG = Gpt2Config.of(2, D, HEADS, TASK.vocab(), 4);

  private static Gpt2Model model(long seed) {
    ParamLayout layout = Gpt2Objective.layout(CONFIG);
    float[] p = new float[layout.total()];
    Random r = new Random(seed);
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (r.nextGaussian() * 0.5);
    }
    return new Gpt2Model(CONFIG, p);
  }

  @Test
  void eachHeadHoldsItsQkvColumnsBiasesAndOutputRows() {
    Gpt2Model m = model(1);
    ParamLayout layout = m.layout();
    List<ParamGroup> heads = m.groups();
    assertThat(heads).hasSize(2 * HEADS);
    for (int b = 0; b < 2; b++) {
      int w = layout.names().indexOf("h." + b + ".attn.c_attn.weight");
      int bias = layout.names().indexOf("h." + b + ".attn.c_attn.bias");
      int proj = layout.names().indexOf("h." + b + ".attn.c_proj.weight");
      int projBias = layout.names().indexOf("h." + b + ".attn.c_proj.bias");
      for (int k = 0; k < HEADS; k++) {
        ParamGroup g = heads.get(b * HEADS + k);
        assertThat(g.name()).isEqualTo("h." + b + ".attn.head." + k);
        assertThat(g.size()).isEqualTo(3 * D * HD + 3 * HD + HD * D);
        // by hand: c_attn.weight is [D, 3D] row-major, column c is head (c mod D) / HD
        for (int row = 0; row < D; row++) {
          for (int c = 0; c < 3 * D; c++) {
            assertThat(g.contains(w, row * 3 * D + c)).isEqualTo((c % D) / HD == k);
          }
        }
        for (int c = 0; c < 3 * D; c++) {
          assertThat(g.contains(bias, c)).isEqualTo((c % D) / HD == k);
        }
        // c_proj.weight is [D, D] row-major ([in, out]): row r reads head r / HD's output
        for (int row = 0; row < D; row++) {
          for (int c = 0; c < D; c++) {
            assertThat(g.contains(proj, row * D + c)).isEqualTo(row / HD == k);
          }
        }
        for (int c = 0; c < D; c++) {
          assertThat(g.contains(projBias, c)).isFalse();
        }
      }
    }
  }

  @Test
  void gatherReadsTheGroupsBitsInOrder() {
    Gpt2Model m = model(2);
    ParamLayout layout = m.layout();
    Random r = new Random(3);
    float[] scores = new float[layout.total()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = r.nextBoolean() ? 1 : -1;
    }
    Mask mask = Mask.positive(layout, scores);
    byte[][] bits = new byte[layout.layers()][];
    long[][] words = new long[layout.layers()][];
    for (int l = 0; l < bits.length; l++) {
      bits[l] = mask.bits(l);
      words[l] = PackedBits.words(bits[l]);
    }
    for (ParamGroup g : m.groups()) {
      long[] got = g.gather(bits);
      assertThat(g.gather(words)).containsExactly(got);
      int at = 0;
      long kept = 0;
      for (int run = 0; run < g.layer().length; run++) {
        for (int i = 0; i < g.length()[run]; i++, at++) {
          boolean want = mask.kept(layout.offset(g.layer()[run]) + g.start()[run] + i);
          assertThat((got[at >>> 6] >>> (at & 63) & 1) == 1).isEqualTo(want);
          kept += want ? 1 : 0;
        }
      }
      assertThat(PackedBits.cardinality(got)).isEqualTo(kept);
      Mask without = mask.without(g);
      assertThat(without.kept()).isEqualTo(mask.kept() - kept);
    }
  }

  /**
   * Removing a head's whole group gives the same per-example losses as zeroing only its rows of
   * c_proj.weight by hand (which silences the head's output alone): so the q, k, v columns and
   * biases in the group belong to that head and to no other.
   */
  @Test
  void removingAHeadEqualsSilencingItsOutputAlone() {
    Gpt2Model m = model(4);
    ParamLayout layout = m.layout();
    MaskedObjective o = m.objective();
    Dataset data = TASK.evalSplit();
    double[] full = losses(o, m.theta(), data);
    for (int b = 0; b < 2; b++) {
      int proj = layout.offset(layout.names().indexOf("h." + b + ".attn.c_proj.weight"));
      for (int k = 0; k < HEADS; k++) {
        ParamGroup g = m.groups().get(b * HEADS + k);
        float[] eff = new float[layout.total()];
        Mask.full(layout).without(g).apply(m.theta(), eff);
        float[] byHand = m.theta();
        for (int row = k * HD; row < (k + 1) * HD; row++) {
          for (int c = 0; c < D; c++) {
            byHand[proj + row * D + c] = 0f;
          }
        }
        double[] removed = losses(o, eff, data);
        double[] silenced = losses(o, byHand, data);
        for (int i = 0; i < data.size(); i++) {
          assertThat(removed[i]).isCloseTo(silenced[i], org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(removed).isNotEqualTo(full);
      }
    }
  }

  /**
   * On the PyTorch-written GPT-2 fixture: the logits with head k of block i removed as a group
   * equal torch's with that head silenced through Hugging Face's head_mask (make_gpt2_fixture.py),
   * so the heads are cut as GPT-2 splits them.
   */
  @Test
  void removingAHeadEqualsPyTorchsHeadMask() throws Exception {
    java.nio.file.Path dir =
        java.nio.file.Path.of(ParamGroupTest.class.getResource("/gpt2-tiny").toURI());
    org.subnetlab.transformer.Gpt2Import.Checkpoint c =
        org.subnetlab.transformer.Gpt2Import.read(dir);
    org.subnetlab.transformer.Safetensors expected =
        org.subnetlab.transformer.Safetensors.read(dir.resolve("expected.safetensors"));
    Gpt2Model m = new Gpt2Model(c.config(), c.params());
    long[] tok = expected.longs("a.tokens");
    int[] tokens = new int[tok.length];
    for (int i = 0; i < tok.length; i++) {
      tokens[i] = Math.toIntExact(tok[i]);
    }
    int[] shape = expected.entry("a.tokens").shape();
    org.subnetlab.transformer.Gpt2 gpt2 = new org.subnetlab.transformer.Gpt2(c.config());
    float[] full = gpt2.logits(m.theta(), tokens, shape[0], shape[1]);
    for (int[] lk : new int[][] {{0, 1}, {1, 3}}) {
      ParamGroup g = m.groups().get(lk[0] * c.config().heads() + lk[1]);
      assertThat(g.name()).isEqualTo("h." + lk[0] + ".attn.head." + lk[1]);
      float[] eff = new float[m.layout().total()];
      Mask.full(m.layout()).without(g).apply(m.theta(), eff);
      float[] got = gpt2.logits(eff, tokens, shape[0], shape[1]);
      float[] want = expected.floats("a.headmask." + lk[0] + "." + lk[1] + ".logits");
      double err = 0;
      double moved = 0;
      for (int i = 0; i < want.length; i++) {
        err = Math.max(err, Math.abs((double) got[i] - want[i]));
        moved = Math.max(moved, Math.abs((double) full[i] - want[i]));
      }
      assertThat(err).as("head %s", g.name()).isLessThan(1e-4);
      assertThat(moved).as("silencing %s changes the logits", g.name()).isGreaterThan(1e-2);
    }
  }

  private static double[] losses(MaskedObjective o, float[] eff, Dataset data) {
    boolean[] correct = new boolean[data.size()];
    double[] loss = new double[data.size()];
    o.perExample(eff, data, correct, loss);
    return loss;
  }
}
