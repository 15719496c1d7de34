package org.subnetlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.jobs.CliProcess;
import org.subnetlab.mask.MaskContext;
import org.subnetlab.transformer.Gpt2;

/**
 * The transformer figures of {@code subnetlab bench}: the work timed is the peer's (next-token
 * cross-entropy at every position, checked against softmax by hand over the decoder's logits), and
 * the figures come out as JSON lines with the peer's values and ratios, run as a real process
 * against a stand-in peer that checks the shape it is given.
 */
class TransformerBenchTest {
  @TempDir Path dir;

  @Test
  void theTimedLossIsNextTokenCrossEntropyAtEveryPosition() {
    MaskContext ctx = TransformerBench.context(3);
    int t = TransformerBench.CONTEXT;
    int v = TransformerBench.VOCAB;
    int[] rows = {5, 17, 900};
    float[] grad = new float[ctx.theta().length];
    double loss =
        ctx.objective().lossAndGradient(ctx.theta(), ctx.examples(), rows, 0, rows.length, grad);

    // by hand: the sequences' tokens are the features, their next tokens the following feature
    // or, after the last position, the label
    int[] tokens = new int[rows.length * t];
    float[] row = new float[t];
    for (int r = 0; r < rows.length; r++) {
      ctx.examples().copyFeatures(rows[r], row, 0);
      for (int p = 0; p < t; p++) {
        tokens[r * t + p] = (int) row[p];
      }
    }
    float[] logits = new Gpt2(TransformerBench.SHAPE).logits(ctx.theta(), tokens, rows.length, t);
    double sum = 0;
    for (int r = 0; r < rows.length; r++) {
      for (int p = 0; p < t; p++) {
        int target = p + 1 < t ? tokens[r * t + p + 1] : ctx.examples().label(rows[r]);
        int o = (r * t + p) * v;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
          max = Math.max(max, logits[o + j]);
        }
        double z = 0;
        for (int j = 0; j < v; j++) {
          z += Math.exp(logits[o + j] - max);
        }
        sum += max + Math.log(z) - logits[o + target];
      }
    }
    assertThat(loss).isCloseTo(sum / (rows.length * t), within(1e-4));
    assertThat(java.util.stream.IntStream.range(0, grad.length).filter(i -> grad[i] != 0).count())
        .as("a gradient on the parameters")
        .isPositive();
  }

  @Test
  void printsEachMethodsFiguresBesideThePeers() throws Exception {
    Path peer = dir.resolve("fake_transformer_peer.py");
    Files.copy(Path.of("src/test/resources/bench/fake_transformer_peer.py"), peer);
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process p =
        CliProcess.builder(
                List.of(
                    "bench",
                    "--transformer-only",
                    "--transformer-steps",
                    "3",
                    "--repeats",
                    "1",
                    "--transformer-peer",
                    peer.toString()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("bench finished").isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();

    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> figures = new LinkedHashMap<>();
    for (String line : Files.readAllLines(out)) {
      JsonNode f = json.readTree(line);
      assertThat(f.get("value").asDouble()).as(line).isPositive().isFinite();
      figures.put(f.get("name").asText(), f);
    }
    String shape = "gpt2_L2_d128_h4_ff512_V64_T16";
    List<String> expected = new ArrayList<>();
    Map<String, Double> fake =
        Map.of("csordas", 1.0, "continuous-sparsification", 2.0, "hard-concrete", 3.0);
    for (String method : List.of("csordas", "continuous-sparsification", "hard-concrete")) {
      String steps = "transformer_mask_steps_per_s/" + method + "/" + shape;
      String tokens = "transformer_mask_tokens_per_s/" + method + "/" + shape;
      expected.add(steps);
      expected.add(tokens);
      double peerSteps = fake.get(method) + 3 / 1000.0 + 1 / 100.0;
      JsonNode s = figures.get(steps);
      assertThat(s.get("peer_value").asDouble()).isCloseTo(peerSteps, within(1e-4));
      assertThat(s.get("ratio_vs_peer").asDouble())
          .isCloseTo(
              s.get("value").asDouble() / peerSteps, within(1e-3 * s.get("value").asDouble()));
      JsonNode k = figures.get(tokens);
      assertThat(k.get("value").asDouble())
          .isCloseTo(512 * s.get("value").asDouble(), within(1e-3 * k.get("value").asDouble()));
      assertThat(k.get("peer_value").asDouble()).isCloseTo(512 * peerSteps, within(0.05));
    }
    assertThat(figures.keySet()).containsExactlyElementsOf(expected);
  }
}
