package org.subnetlab.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.HyperParameterTable;
import org.subnetlab.config.MethodDeclaration;

/**
 * The methods' declarations against what users read: reference.conf holds each method's block with
 * exactly the declared keys at the declared defaults, and the hyperparameter table of
 * docs/methods.md is the one the declarations generate.
 */
class HyperParameterDocTest {
  @Test
  void referenceConfHoldsEveryDeclaredKeyAtItsDefault() {
    Config masks = ConfigFactory.defaultReference().getConfig(ConfigLoader.ROOT + ".masks");
    assertThat(MaskMethods.declarations())
        .extracting(MethodDeclaration::id)
        .containsExactlyElementsOf(MaskMethods.IDS)
        .hasSize(6);
    for (MethodDeclaration m : MaskMethods.declarations()) {
      Config block = masks.getConfig(m.id());
      assertThat(block.root().keySet())
          .as(m.id())
          .containsExactlyInAnyOrderElementsOf(
              m.parameters().stream().map(HyperParameter::name).toList());
      for (HyperParameter p : m.parameters()) {
        assertThat(block.getValue(p.name()).valueType()).isEqualTo(ConfigValueType.NUMBER);
        assertThat(block.getDouble(p.name()))
            .as("%s.%s", m.id(), p.name())
            .isEqualTo(p.defaultValue());
      }
    }
  }

  @Test
  void methodsPageShowsTheTableTheDeclarationsGenerate() throws IOException {
    Path page = Path.of("..", "docs", "methods.md");
    String text = Files.readString(page);
    String generated = HyperParameterTable.markdown(MaskMethods.declarations());
    Files.writeString(Path.of("target", "methods-hyperparameters.md"), generated);
    int begin = text.indexOf(HyperParameterTable.BEGIN);
    int end = text.indexOf(HyperParameterTable.END);
    assertThat(begin)
        .as("docs/methods.md has the line %s", HyperParameterTable.BEGIN)
        .isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String shown = text.substring(begin + HyperParameterTable.BEGIN.length(), end).strip();
    assertThat(shown)
        .as("docs/methods.md's table; paste common/target/methods-hyperparameters.md")
        .isEqualTo(generated.strip());
    // Every row names a declared key: 8 + 8 + 8 + 3 + 7 + 10.
    assertThat(shown.lines().filter(l -> l.startsWith("| `")).collect(Collectors.toList()))
        .hasSize(44);
  }
}
