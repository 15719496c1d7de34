package org.subnetlab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM options Spark needs on Java 17 (its {@code --add-opens} list), as the build wrote them
 * into {@code jvm-options.txt} beside this class from the one list in the parent pom (property
 * {@code spark.add-opens}, which surefire and failsafe also run the tests with). {@code
 * bin/subnetlab} reads the same file, so the list is written once.
 */
public final class JvmOptions {
  /** The resource, next to this class in the jar and in {@code jobs/target/classes}. */
  public static final String RESOURCE = "jvm-options.txt";

  private JvmOptions() {}

  /** The options, one element each. */
  public static List<String> addOpens() {
    try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return Arrays.stream(text.split("\\s+")).filter(t -> !t.isEmpty()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
