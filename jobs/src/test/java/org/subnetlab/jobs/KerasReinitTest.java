package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.model.InitDraws;
import org.subnetlab.model.Network;
import org.subnetlab.model.ParamLayout;

/** Re-initialising an imported Keras model draws from the initialisers its file declares. */
class KerasReinitTest {
  @TempDir Path dir;

  @Test
  void importedKerasDenseLayersAreDrawnFromTheirGlorotUniformInitialiser() throws Exception {
    Path h5 = dir.resolve("tiny-keras.h5");
    try (InputStream in = getClass().getResourceAsStream("/keras/tiny-keras.h5")) {
      Files.copy(in, h5);
    }
    // Dense 12 -> 16 relu, Dense 16 -> 5 softmax; kernels VarianceScaling(1, fan_avg, uniform),
    // biases Zeros (make_tiny_keras.py).
    Network net =
        Network.of(KerasModelImport.importKerasSequentialModelAndWeights(h5.toString(), true));
    ParamLayout layout = ParamLayout.of(net);
    float[] d = InitDraws.ofDl4jLayers(net, new SplittableRandom(0));
    double[][] fans = {{12, 16}, {16, 5}};
    int w = 0;
    for (int l = 0; l < layout.layers(); l++) {
      int off = layout.offset(l);
      if (layout.name(l).endsWith("_b")) {
        for (int i = 0; i < layout.size(l); i++) {
          assertThat(d[off + i]).isZero();
        }
        continue;
      }
      // DL4J's bound for this initialiser: scale * 3 / sqrt((fan-in + fan-out) / 2).
      double bound = 3.0 / Math.sqrt((fans[w][0] + fans[w][1]) / 2);
      double max = 0;
      for (int i = 0; i < layout.size(l); i++) {
        max = Math.max(max, Math.abs(d[off + i]));
      }
      assertThat(max).as(layout.name(l)).isLessThanOrEqualTo(bound).isGreaterThan(0.8 * bound);
      w++;
    }
    assertThat(w).isEqualTo(2);
  }
}
