package org.subnetlab.config;

/**
 * Bad input from the user: a config key, a model file, a data file or an output path. The CLI
 * prints its message alone and exits with {@link #EXIT_CODE}.
 */
public class BadInputException extends RuntimeException {
  /** Exit code of every bad-input failure. */
  public static final int EXIT_CODE = 2;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
