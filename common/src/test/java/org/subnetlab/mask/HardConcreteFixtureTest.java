package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.subnetlab.model.Dl4jObjective;
import org.subnetlab.model.Networks;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.task.Dataset;

/**
 * The hard-concrete loss and its gradient w.r.t. log α against PyTorch autograd, on the committed
 * fixture of {@code common/src/test/python/make_hard_concrete_fixture.py} (a 5-6-3 tanh MLP, fixed
 * weights, log α and uniform noise as float32; torch's references in float64; some gates clipped at
 * 0 and 1): every gate, the penalty and the chain rule through DL4J's backprop, with and without
 * gated biases. CI needs no torch. Loss and every gradient element agree to 1e-5 (absolute; the
 * Java side rounds θ ⊙ z to float, about 1e-7 relative).
 */
class HardConcreteFixtureTest {
  private static final double TOLERANCE = 1e-5;

  @Test
  void lossAndGradientEqualPyTorch() throws IOException {
    JsonNode f;
    try (InputStream in = getClass().getResourceAsStream("/hard-concrete/fixture.json")) {
      f = new ObjectMapper().readTree(in);
    }
    int nIn = f.get("nIn").asInt();
    int classes = f.get("classes").asInt();
    MultiLayerNetwork net =
        Networks.mlp(
            nIn,
            List.of(f.get("hidden").asInt()),
            classes,
            "tanh",
            0.01,
            DataType.DOUBLE,
            new SplittableRandom(0));
    Dl4jObjective objective = new Dl4jObjective(net);
    ParamLayout layout = ParamLayout.of(net);
    float[] theta = floats(f.get("theta"));
    float[] logAlpha = floats(f.get("logAlpha"));
    float[] u = floats(f.get("u"));
    float[] x = floats(f.get("x"));
    int rows = f.get("y").size();
    int[] y = new int[rows];
    int[] all = new int[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = f.get("y").get(i).asInt();
      all[i] = i;
    }
    assertThat(layout.total()).isEqualTo(theta.length);
    assertThat(layout.name(0)).isEqualTo("0_W");
    assertThat(layout.name(1)).isEqualTo("0_b");
    Dataset data = new Dataset(nIn, classes, x, y, new int[rows], List.of("all"));
    assertThat(f.get("cases")).hasSize(2);
    for (JsonNode c : f.get("cases")) {
      double maskBiases = c.get("maskBiases").asDouble();
      Map<String, Double> hp = new HashMap<>();
      hp.put("lambda", f.get("lambda").asDouble());
      hp.put("beta", f.get("beta").asDouble());
      hp.put("left-stretch", f.get("leftStretch").asDouble());
      hp.put("right-stretch", f.get("rightStretch").asDouble());
      hp.put("mask-biases", maskBiases);
      HardConcreteMethod hc = new HardConcreteMethod(hp);
      int n = theta.length;
      float[] grad = new float[n];
      double loss =
          hc.objective(
              objective,
              theta,
              logAlpha,
              u,
              data,
              all,
              0,
              rows,
              grad,
              new HardConcreteMethod.Scratch(n, Maskable.of(layout, maskBiases == 1)));
      assertThat(c.get("clippedGates").asInt()).as("the fixture clips some gates").isPositive();
      assertThat(loss)
          .as("loss, mask-biases %s", maskBiases)
          .isCloseTo(c.get("loss").asDouble(), org.assertj.core.api.Assertions.within(TOLERANCE));
      JsonNode want = c.get("gradient");
      assertThat(want).hasSize(n);
      double maxDiff = 0;
      double maxAbs = 0;
      for (int i = 0; i < n; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(grad[i] - want.get(i).asDouble()));
        maxAbs = Math.max(maxAbs, Math.abs(want.get(i).asDouble()));
      }
      assertThat(maxAbs).as("a gradient worth comparing").isGreaterThan(0.01);
      assertThat(maxDiff)
          .as("max |grad - torch|, mask-biases %s", maskBiases)
          .isLessThan(TOLERANCE);
    }
  }

  private static float[] floats(JsonNode a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }
}
