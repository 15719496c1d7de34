package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.MethodDeclaration;
import org.subnetlab.config.Settings;
import org.subnetlab.model.ParamLayout;
import org.subnetlab.sweep.GridPoints;
import org.subnetlab.sweep.RunSpec;
import org.subnetlab.sweep.SweepGrid;

/**
 * A method registered by its one line ({@link MaskMethods#register}) and its reference.conf block
 * is validated, swept, hashed, run at a matched density and created, with no other change: the
 * worked example of docs/development.md ({@link RandomMagnitudeMethod}).
 */
class RegisteringAMethodTest {
  /** The block the example adds to reference.conf. */
  static final String REFERENCE_BLOCK =
      """
      masks.random-magnitude {
        top-k = 0.1
        per-layer = 0
        noise = 0.5
        mask-biases = 0
      }
      """;

  @BeforeEach
  void register() {
    MaskMethods.register(RandomMagnitudeMethod.DECLARATION, RandomMagnitudeMethod::new);
  }

  @AfterEach
  void unregister() {
    MaskMethods.unregister(RandomMagnitudeMethod.ID);
  }

  /** Settings as ConfigLoader makes them, with the example's block in reference.conf. */
  private static Settings settings(String user) {
    return new Settings(
        ConfigFactory.parseString(user)
            .withFallback(ConfigFactory.parseString(REFERENCE_BLOCK))
            .withFallback(ConfigFactory.defaultReference().getConfig(ConfigLoader.ROOT))
            .resolve());
  }

  @Test
  void itsListsAreSweptAndItsRunsHashedLikeEveryMethodsRuns() {
    Settings s =
        settings(
            """
        masks.methods = [random-magnitude]
        masks.seeds = [0]
        masks.random-magnitude { top-k = [0.1, 0.3], mask-biases = [0, 1] }
        """);
    assertThat(s.masks().grid(RandomMagnitudeMethod.ID))
        .isEqualTo(
            Map.of(
                "top-k",
                List.of(0.1, 0.3),
                "per-layer",
                List.of(0.0),
                "noise",
                List.of(0.5),
                "mask-biases",
                List.of(0.0, 1.0)));
    List<RunSpec> runs = SweepGrid.expand(s, List.of("add", "mul"));
    assertThat(runs).hasSize(2 * 2 * 2);
    // The hash by hand: method|subtask|seed|global seed|sorted key=value;...|base model.
    String values = "mask-biases=1;noise=0.5;per-layer=0;top-k=0.3;";
    String expected =
        "random-magnitude-mul-s0-"
            + Settings.sha256(
                    String.join(
                        "|",
                        "random-magnitude",
                        "mul",
                        "0",
                        Long.toString(s.seed()),
                        values,
                        s.modelFingerprint()))
                .substring(0, 10);
    RunSpec run = runs.stream().filter(r -> r.runId().equals(expected)).findFirst().orElseThrow();
    assertThat(run.hyperparameterStrings())
        .isEqualTo(Map.of("mask-biases", "1", "noise", "0.5", "per-layer", "0", "top-k", "0.3"));
    assertThat(GridPoints.regulariser(RandomMagnitudeMethod.ID)).contains(Map.entry("top-k", -1));
  }

  @Test
  void badValuesFailNamingTheKeyAndTheRule() {
    assertThatThrownBy(() -> settings("masks.random-magnitude.noise = 2"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.random-magnitude.noise to 2: must be a number or a non-empty"
                + " list of numbers, each a number in [0.0, 1.0].");
    assertThatThrownBy(() -> settings("masks.random-magnitude.top-k = [0.2, 2.5]"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.random-magnitude.top-k to [0.2,2.5]: must be a fraction in"
                + " (0, 1) or a whole count >= 1.");
    assertThatThrownBy(() -> settings("masks.random-magnitude.nois = 0.1"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot set masks.random-magnitude.nois to 0.1: not a hyperparameter of"
                + " random-magnitude (it has [top-k, per-layer, noise, mask-biases]).");
    assertThatThrownBy(() -> settings("masks.methods = [random-magnitud]"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "from [csordas, continuous-sparsification, lt-sft, magnitude,"
                + " lottery-ticket, hard-concrete, random-magnitude]");
  }

  @Test
  void itRunsAtTheMatchedDensityOfAnotherMethod() {
    Settings s =
        settings(
            """
        masks.methods = [csordas, random-magnitude]
        masks.seeds = [0]
        masks.subtasks = [add]
        masks.matched-density { reference = csordas, methods = [random-magnitude] }
        """);
    List<RunSpec> base = SweepGrid.expand(s, List.of("add", "mul"));
    Map<String, Long> kept = new HashMap<>();
    base.stream().filter(r -> r.method().equals("csordas")).forEach(r -> kept.put(r.runId(), 7L));
    List<RunSpec> matched = SweepGrid.matched(s, base, kept);
    assertThat(matched)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.method()).isEqualTo(RandomMagnitudeMethod.ID);
              assertThat(m.matched()).isTrue();
              assertThat(m.hyperparameterStrings())
                  .containsEntry("matched", "1")
                  .containsEntry("top-k", "7")
                  .containsEntry("mask-biases", "1");
              assertThat(m.hyperparameters()).doesNotContainKey("matched");
            });
  }

  @Test
  void aFixedKeyTakesOneValueOnly() {
    MethodDeclaration probe =
        MethodDeclaration.of(
            "fixed-probe",
            "a key that is not swept",
            HyperParameter.integer("width", 1, 8, 2, "a width").fixed());
    MaskMethods.register(
        probe,
        hp ->
            new RandomMagnitudeMethod(
                RandomMagnitudeMethod.DECLARATION.values(
                    Map.of("top-k", (double) hp.integer("width")))));
    try {
      String block = "masks.fixed-probe.width = 2\n";
      assertThat(settings(block + "masks.fixed-probe.width = 3").masks().grid("fixed-probe"))
          .isEqualTo(Map.of("width", List.of(3.0)));
      assertThatThrownBy(() -> settings(block + "masks.fixed-probe.width = [2, 3]"))
          .isInstanceOf(BadInputException.class)
          .hasMessage(
              "Cannot set masks.fixed-probe.width to [2,3]: takes one value, not a list"
                  + " (it is not swept).");
      assertThatThrownBy(() -> settings("masks.methods = [csordas]"))
          .as("a registered method without a block in reference.conf")
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("reference.conf has no block for it");
    } finally {
      MaskMethods.unregister("fixed-probe");
    }
  }

  @Test
  void itIsCreatedWithTypedValuesAndTrains() {
    ParamLayout layout =
        new ParamLayout(List.of("0_W", "0_b"), new long[] {0, 6}, new long[] {6, 3});
    float[] theta = {-3f, 1f, 0.5f, -0.2f, 2f, 0f, 5f, -6f, 0.1f};
    MaskContext ctx = new MaskContext(null, theta, null, layout, null, new SplittableRandom(1));
    // noise 0: the magnitude mask (the three largest |theta|: -3, 5, -6).
    Mask plain =
        MaskMethods.create(
                RandomMagnitudeMethod.ID, Map.of("top-k", 3.0, "noise", 0.0, "mask-biases", 1.0))
            .train(ctx)
            .mask();
    assertThat(TopK.kept(plain))
        .containsExactly(true, false, false, false, false, false, true, true, false);
    Mask noisy =
        MaskMethods.create(
                RandomMagnitudeMethod.ID, Map.of("top-k", 3.0, "noise", 1.0, "mask-biases", 1.0))
            .train(ctx)
            .mask();
    assertThat(noisy.kept()).isEqualTo(3);
    assertThatThrownBy(() -> MaskMethods.create(RandomMagnitudeMethod.ID, Map.of("nois", 0.1)))
        .hasMessageContaining("random-magnitude has no hyperparameter nois");
  }
}
