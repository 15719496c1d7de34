package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.subnetlab.model.Gpt2Objective;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.transformer.Gpt2Config;

/** Which parameter blocks lottery ticket prunes at the output layer's rate. */
class LotteryTicketOutputLayerTest {
  private static List<String> output(ParamLayout layout) {
    boolean[] out = LotteryTicketMethod.outputBlocks(layout);
    List<String> names = new ArrayList<>();
    for (int l = 0; l < out.length; l++) {
      if (out[l]) {
        names.add(layout.name(l));
      }
    }
    return names;
  }

  @Test
  void anMlpsOutputLayerIsItsLastLayersBlocks() {
    ParamLayout mlp =
        new ParamLayout(
            List.of("0_W", "0_b", "1_W", "1_b", "2_W", "2_b"),
            new long[] {0, 6, 8, 12, 14, 18},
            new long[] {6, 2, 4, 2, 4, 2});
    assertThat(output(mlp)).containsExactly("2_W", "2_b");
  }

  @Test
  void aGpt2sOutputLayerIsItsHeadsMatrix() {
    Gpt2Config tied = Gpt2Config.of(2, 8, 2, 11, 5);
    assertThat(output(Gpt2Objective.layout(tied))).containsExactly("wte.weight");
    assertThat(output(Gpt2Objective.layout(tied.untied()))).containsExactly("lm_head.weight");
  }
}
