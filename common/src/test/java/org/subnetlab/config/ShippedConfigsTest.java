package org.subnetlab.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every config shipped in conf/ loads: its keys exist and its values are in range. */
class ShippedConfigsTest {
  static Stream<Path> shipped() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("..", "conf"))) {
      List<Path> confs = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
      assertThat(confs).isNotEmpty();
      return confs.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("shipped")
  void loads(Path conf) {
    Settings s = ConfigLoader.load(conf, List.of());
    assertThat(s.masks().methods()).isNotEmpty();
  }
}
