package org.subnetlab.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.List;

/**
 * Settings of {@code subnetlab compose}: how subnetworks are ablated (Lepori, Serre &amp; Pavlick
 * 2023 zero the subnetwork's weights and, in their reference code, also re-initialise them) and
 * whether the same mask runs are repeated on a randomly initialised copy of the base model (their
 * random-model control).
 *
 * @param ablation the ablation modes, each giving its own {@code ablate} rows: {@code zero}, {@code
 *     reinit} (a fresh seeded draw from the base model's initial distribution) and {@code rewind}
 *     (the base model's saved initial weights θ_init)
 * @param randomInitControl whether the mask runs are also trained and composed on a seeded
 *     random-init copy of the base model (rows with {@code base = random-init})
 */
public record CompositionSettings(List<String> ablation, boolean randomInitControl)
    implements java.io.Serializable {

  public static final List<String> ABLATIONS = List.of("zero", "reinit", "rewind");

  CompositionSettings(Config c) {
    this(
        Keys.stringsFrom(c, "composition.ablation", ABLATIONS, true),
        bool(c, "composition.random-init-control"));
  }

  private static boolean bool(Config c, String path) {
    if (c.getValue(path).valueType() != ConfigValueType.BOOLEAN) {
      throw Keys.bad(c, path, "must be true or false");
    }
    return c.getBoolean(path);
  }
}
