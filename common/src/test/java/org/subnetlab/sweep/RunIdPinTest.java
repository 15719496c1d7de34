package org.subnetlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.mask.MaskMethods;

/**
 * Pins what a sweep's runs are called and hash to, as computed by the code before the mask methods
 * declared their hyperparameters (issue 24): a config that sets every hyperparameter of every
 * method to a value other than its default, sweeps lists (booleans included), takes an {@code auto}
 * path, runs two base models and the matched-density reruns. For every run the listing holds its
 * run id, stream id, group key, the {@code hyperparameters} column as the tables store it, the
 * comparable hyperparameters and the method's work estimate (which reads the typed values); the
 * listing's SHA-256 and a few of its lines were recorded on that code. A change to the canonical
 * rendering of a value, to the set of keys, to their order or to the place of {@code matched}
 * changes the digest.
 */
class RunIdPinTest {
  @TempDir Path dir;

  static final String CONFIG =
      """
      task.arithmetic.operations = [add, mul]
      model.seeds = [0, 1]
      masks.methods = [csordas, continuous-sparsification, lt-sft, magnitude, lottery-ticket]
      masks.seeds = [0, 3]
      masks.csordas { steps = [200, 300], batch-size = 64, learning-rate = 0.02, alpha = auto,
        tau = 0.5, logit-init = 1.5, masks-per-batch = 2, mask-biases = [0, 1] }
      masks.continuous-sparsification { steps = 400, batch-size = 32, learning-rate = 0.05,
        lambda = [1e-4, 2.5e-3], beta-start = [0.5, 2], beta-end = 150.5, mask-init = -0.5,
        mask-biases = 1 }
      masks.lt-sft { steps = 50, sparse-steps = [60, 70], batch-size = 16, learning-rate = 0.002,
        top-k = [0.05, 25], per-layer = [0, 1], from-initial = 1, mask-biases = 0 }
      masks.magnitude { top-k = auto, per-layer = 0, mask-biases = 1 }
      masks.lottery-ticket { steps = 100, batch-size = 256, learning-rate = 1e-3, rounds = [1, 4],
        prune-fraction = 0.3, output-prune-ratio = [0, 0.75], mask-biases = 1 }
      masks.matched-density { reference = csordas, methods = [lt-sft, magnitude] }
      """;

  /** The listing's digest and size on the code before issue 24's declarations. */
  static final String DIGEST = "09b93b28e4170ba8b1f18a0ef3e010c7f52345c0dc4a4395f654a97402182402";

  static final int RUNS = 1072;

  private Settings settings() throws IOException {
    Path f = dir.resolve("pin.conf");
    Files.writeString(f, CONFIG);
    return ConfigLoader.load(f, List.of());
  }

  static List<String> listing(Settings s) {
    List<RunSpec> base = SweepGrid.expand(s, List.of("add", "mul"));
    Map<String, Long> kept = new HashMap<>();
    long k = 100;
    for (RunSpec r : base) {
      if (r.method().equals("csordas")) {
        kept.put(r.runId(), k);
        k += 7 * (k % 3); // some reference masks of equal size: their matched runs coincide
      }
    }
    List<RunSpec> all = new ArrayList<>(base);
    all.addAll(SweepGrid.matched(s, base, kept));
    List<String> lines = new ArrayList<>();
    for (RunSpec r : all) {
      lines.add(
          String.join(
              " ",
              r.runId(),
              r.streamId(),
              r.groupKey(),
              r.hyperparameterStrings().toString(),
              r.comparableHyperparameters().toString(),
              Double.toString(MaskMethods.create(r.method(), r.hyperparameters()).work())));
    }
    return lines;
  }

  @Test
  void runIdsHashesAndStoredHyperparametersAreThoseOfTheEarlierCode() throws IOException {
    List<String> lines = listing(settings());
    String text = String.join("\n", lines);
    Files.writeString(Path.of("target", "run-id-pin.txt"), text);
    assertThat(lines.size() + " " + Settings.sha256(text)).isEqualTo(RUNS + " " + DIGEST);
    // A few of the recorded lines in the clear: a failure above names its runs here.
    assertThat(lines)
        .contains(
            "lt-sft-add-s0-52035bd70d lt-sft-add-s0-52035bd70d lt-sft|0|batch-size=16;from-initial=1;"
                + "learning-rate=0.002;mask-biases=1;matched=1;per-layer=0;sparse-steps=60;steps=50; "
                + "{batch-size=16, from-initial=1, learning-rate=0.002, mask-biases=1, matched=1, "
                + "per-layer=0, sparse-steps=60, steps=50, top-k=100} {batch-size=16.0, "
                + "from-initial=1.0, learning-rate=0.002, mask-biases=1.0, matched=1.0, "
                + "per-layer=0.0, sparse-steps=60.0, steps=50.0} 1760.0",
            "csordas-add-m1-s0-6925c8b1d0 csordas-add-s0-ae34cbb67a csordas|0|alpha=1.0E-4;"
                + "batch-size=64;learning-rate=0.02;logit-init=1.5;mask-biases=0;masks-per-batch=2;"
                + "steps=200;tau=0.5;|model-seed=1 {alpha=1.0E-4, batch-size=64, learning-rate=0.02, "
                + "logit-init=1.5, mask-biases=0, masks-per-batch=2, steps=200, tau=0.5} "
                + "{alpha=1.0E-4, batch-size=64.0, learning-rate=0.02, logit-init=1.5, "
                + "mask-biases=0.0, masks-per-batch=2.0, steps=200.0, tau=0.5} 17920.0",
            "lottery-ticket-add-s0-ef0063ec48 lottery-ticket-add-s0-ef0063ec48 lottery-ticket|0|"
                + "batch-size=256;learning-rate=0.001;mask-biases=1;output-prune-ratio=0;"
                + "prune-fraction=0.3;rounds=1;steps=100; {batch-size=256, learning-rate=0.001, "
                + "mask-biases=1, output-prune-ratio=0, prune-fraction=0.3, rounds=1, steps=100} "
                + "{batch-size=256.0, learning-rate=0.001, mask-biases=1.0, output-prune-ratio=0.0, "
                + "prune-fraction=0.3, rounds=1.0, steps=100.0} 25600.0");
    assertThat(lines)
        .anyMatch(l -> l.startsWith("continuous-sparsification-add-s0-6ad586a940 "))
        .anyMatch(l -> l.startsWith("lt-sft-add-s0-72c91ab3da "));
  }
}
