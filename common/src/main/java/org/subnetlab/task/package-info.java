/**
 * Classification tasks made of named subtasks (modular arithmetic, composite arithmetic, IDX
 * images, tables the user brings) with deterministic train and eval splits, their examples ({@link
 * org.subnetlab.task.Dataset}) and the named random streams every draw comes from ({@link
 * org.subnetlab.task.Seeds}).
 *
 * <p>May import: {@code org.subnetlab.config}. Nothing from Spark or Scala.
 */
package org.subnetlab.task;
