package org.subnetlab.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copies test configs out of the classpath into a test's directory. */
public final class TestConfigs {
  private TestConfigs() {}

  public static Path copy(String resource, Path dir) {
    try (InputStream in = TestConfigs.class.getResourceAsStream("/" + resource)) {
      Path f = dir.resolve(resource);
      Files.copy(in, f);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
