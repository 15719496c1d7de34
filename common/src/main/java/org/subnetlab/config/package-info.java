/**
 * Settings of an experiment: the experiment file and its overrides loaded over {@code
 * reference.conf}, every key read and range-checked at start-up (one settings class per subtree),
 * and {@link org.subnetlab.config.BadInputException}, the one exception for bad input (exit code
 * 2). The bottom of {@code common}'s stack: Typesafe Config and the JDK only.
 *
 * <p>May import: nothing from {@code org.subnetlab}. Nothing from Spark or Scala.
 */
package org.subnetlab.config;
