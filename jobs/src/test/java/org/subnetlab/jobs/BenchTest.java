package org.subnetlab.jobs;

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
import org.subnetlab.nativeblas.NativeKernels;

/**
 * {@code subnetlab bench} as a real process, shortened (5 timed steps, a one-seed sweep of 20-step
 * runs): one JSON line per figure and nothing else on standard output, every figure present and
 * positive, the peer run with the shape, method, step count and one thread and its figures turned
 * into ratios, the speed-ups the quotients of the fastest timings logged on stderr, and no
 * temporary files left behind.
 */
class BenchTest {
  @TempDir Path dir;

  @Test
  void printsEveryFigureAsJsonWithThePeerRatios() throws Exception {
    Path peer = dir.resolve("fake_peer.py");
    Files.copy(Path.of("src/test/resources/bench/fake_peer.py"), peer);
    Path transformerPeer = dir.resolve("fake_transformer_peer.py");
    Files.copy(Path.of("src/test/resources/bench/fake_transformer_peer.py"), transformerPeer);
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb =
        CliProcess.builder(
            List.of(
                "bench",
                "--steps",
                "5",
                "--sweep-seeds",
                "1",
                "--sweep-steps",
                "20",
                "--repeats",
                "2",
                "--warm-ups",
                "2",
                "--peer",
                peer.toString(),
                "--transformer-steps",
                "3",
                "--transformer-peer",
                transformerPeer.toString(),
                "--eigen-commons-units",
                "200"));
    pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("bench finished").isTrue();
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();

    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> figures = new LinkedHashMap<>();
    for (String line : Files.readAllLines(out)) {
      JsonNode f = json.readTree(line);
      assertThat(f.get("unit").asText()).isNotBlank();
      assertThat(f.get("value").asDouble()).as(line).isPositive().isFinite();
      figures.put(f.get("name").asText(), f);
    }
    List<String> expected = new ArrayList<>();
    for (String shape : List.of("784,256,256,10", "35,128,128,16")) {
      for (String method : List.of("csordas", "continuous-sparsification")) {
        expected.add("mask_steps_per_s/" + method + "/" + shape);
        expected.add("mask_examples_per_s/" + method + "/" + shape);
        double peerSteps =
            (method.equals("csordas") ? 10.0 : 20.0) * (shape.startsWith("35,") ? 2 : 1)
                + 5 / 1000.0
                + 1 / 100.0;
        JsonNode steps = figures.get("mask_steps_per_s/" + method + "/" + shape);
        JsonNode examples = figures.get("mask_examples_per_s/" + method + "/" + shape);
        assertThat(steps.get("peer_value").asDouble()).isCloseTo(peerSteps, within(1e-3));
        assertThat(steps.get("ratio_vs_peer").asDouble())
            .isCloseTo(
                steps.get("value").asDouble() / peerSteps,
                within(1e-4 + 1e-4 * steps.get("value").asDouble()));
        assertThat(examples.get("value").asDouble())
            .isCloseTo(
                128 * steps.get("value").asDouble(),
                within(1e-3 * examples.get("value").asDouble()));
        assertThat(examples.get("peer_value").asDouble()).isCloseTo(128 * peerSteps, within(0.01));
      }
    }
    expected.addAll(
        List.of(
            "sweep_seconds/local[1]",
            "sweep_seconds/local[2]",
            "sweep_speedup_1_to_2_cores",
            "threads_speedup_1_to_2/demo_runs",
            "overlap_parameter_pairs_per_s",
            "peak_heap_one_run/csordas/784,256,256,10"));
    // the transformer figures (their values: TransformerBenchTest)
    for (String method : List.of("csordas", "continuous-sparsification", "hard-concrete")) {
      expected.add("transformer_mask_steps_per_s/" + method + "/gpt2_L2_d128_h4_ff512_V64_T16");
      expected.add("transformer_mask_tokens_per_s/" + method + "/gpt2_L2_d128_h4_ff512_V64_T16");
    }
    expected.addAll(
        List.of(
            "eigen_seconds/dsyevr_k12/n1818",
            "eigen_seconds/dsyevd_full/n1818",
            "eigen_speedup_dsyevr_vs_dsyevd/n1818",
            "eigen_seconds/dsyevr_k12/n200",
            "eigen_seconds/commons_math3/n200",
            "eigen_speedup_dsyevr_vs_commons_math3/n200"));
    assertThat(figures.keySet()).containsExactlyElementsOf(expected);
    // the speed-ups are the quotients of the timings printed beside them
    for (String[] q :
        new String[][] {
          {
            "eigen_speedup_dsyevr_vs_dsyevd/n1818",
            "eigen_seconds/dsyevd_full/n1818",
            "eigen_seconds/dsyevr_k12/n1818"
          },
          {
            "eigen_speedup_dsyevr_vs_commons_math3/n200",
            "eigen_seconds/commons_math3/n200",
            "eigen_seconds/dsyevr_k12/n200"
          }
        }) {
      double ratio =
          figures.get(q[1]).get("value").asDouble() / figures.get(q[2]).get("value").asDouble();
      assertThat(figures.get(q[0]).get("value").asDouble())
          .as(q[0])
          .isCloseTo(ratio, within(1e-3 * ratio));
    }
    double one = figures.get("sweep_seconds/local[1]").get("value").asDouble();
    double two = figures.get("sweep_seconds/local[2]").get("value").asDouble();
    assertThat(figures.get("sweep_speedup_1_to_2_cores").get("value").asDouble())
        .isCloseTo(one / two, within(1e-3 * one / two));
    assertThat(figures.get("sweep_speedup_1_to_2_cores").has("peer_value")).isFalse();
    // --repeats 2: two timings per core count, each on stderr; the figure is the fastest
    List<String> log = Files.readAllLines(err);
    for (String what : List.of("sweep", "threads")) {
      assertThat(log.stream().filter(l -> l.startsWith("bench: " + what + " with ")))
          .as(what)
          .hasSize(4);
    }
    // what the MLP products ran on, next to OpenBLAS's kernels
    assertThat(log)
        .anyMatch(
            l ->
                l.matches(
                    "OpenBLAS kernels: \\S+; MLP products: "
                        + (NativeKernels.mlpProducts().startsWith("AVX-512")
                            ? "AVX-512 .*"
                            : "cblas_sgemm")));
    // --warm-ups 2: two untimed sweeps on two cores before the timed ones, logged as such
    List<String> warmUps = log.stream().filter(l -> l.startsWith("bench: warm-up ")).toList();
    assertThat(warmUps).hasSize(2);
    assertThat(warmUps.get(0)).startsWith("bench: warm-up sweep 1 of 2 with 2 cores: ");
    assertThat(warmUps.get(1)).startsWith("bench: warm-up sweep 2 of 2 with 2 cores: ");
    assertThat(log.indexOf(warmUps.get(1)))
        .isLessThan(
            log.indexOf(
                log.stream()
                    .filter(l -> l.startsWith("bench: sweep with "))
                    .findFirst()
                    .orElseThrow()));
    assertThat(log.stream().filter(l -> l.startsWith("bench: ") && l.contains(" with ")))
        .hasSize(10)
        .allMatch(
            l -> l.matches(".* [0-9]+\\.[0-9]{3} s \\(JIT compiler [0-9]+\\.[0-9]{2} s\\)"),
            "timing and JIT time logged");
    assertThat(figures.get("sweep_seconds/local[1]").get("value").asDouble())
        .isCloseTo(fastestLogged(log, "sweep", 1), within(0.0006));
    assertThat(figures.get("sweep_seconds/local[2]").get("value").asDouble())
        .isCloseTo(fastestLogged(log, "sweep", 2), within(0.0006));
    double threads = fastestLogged(log, "threads", 1) / fastestLogged(log, "threads", 2);
    assertThat(figures.get("threads_speedup_1_to_2/demo_runs").get("value").asDouble())
        .isCloseTo(threads, within(0.03 * threads));
    // two threads cannot do twice the work in less than half the time (with timing slack)
    assertThat(figures.get("threads_speedup_1_to_2/demo_runs").get("value").asDouble())
        .isBetween(0.3, 2.5);
    try (var left = Files.list(tmp)) {
      assertThat(left.map(f -> f.getFileName().toString()))
          .noneMatch(n -> n.startsWith("subnetlab-bench"));
    }
  }

  /** The fastest of the timings that bench logged on stderr for {@code what} on {@code cores}. */
  private static double fastestLogged(List<String> log, String what, int cores) {
    String prefix = "bench: " + what + " with " + cores + (cores == 1 ? " core: " : " cores: ");
    return log.stream()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).split(" ")[0]))
        .min()
        .orElseThrow();
  }

  @Test
  void refusesRepeatsBelowOneAndNegativeWarmUps() throws Exception {
    refuses(List.of("bench", "--repeats", "0"), "--repeats must be at least 1, got 0");
    refuses(List.of("bench", "--warm-ups", "-1"), "--warm-ups must be at least 0, got -1");
  }

  private void refuses(List<String> args, String message) throws Exception {
    Path err = dir.resolve("stderr.txt");
    Process p =
        CliProcess.builder(args)
            .redirectOutput(dir.resolve("stdout.txt").toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(err)).contains(message);
    assertThat(Files.readString(dir.resolve("stdout.txt"))).isEmpty();
  }
}
