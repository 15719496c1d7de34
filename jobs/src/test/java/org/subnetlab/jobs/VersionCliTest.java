package org.subnetlab.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** {@code subnetlab --version} prints the version the root pom declares, not a copy of it. */
class VersionCliTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @Test
  void versionIsThePomsVersion() throws Exception {
    Element project =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(REPO.resolve("pom.xml").toFile())
            .getDocumentElement();
    String pomVersion = null;
    for (var n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals("version")) {
        pomVersion = e.getTextContent().trim();
      }
    }
    assertThat(pomVersion).isNotBlank();

    Process p = CliProcess.builder(List.of("--version")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.strip().lines().toList()).as(out).last().isEqualTo("subnetlab " + pomVersion);
  }
}
