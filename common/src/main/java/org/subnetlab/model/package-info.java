/**
 * The base model: DL4J networks built, trained ({@link org.subnetlab.model.BaseModelTrainer}),
 * stored and imported (DL4J and Keras files), their flattened parameter layout, and the loss of a
 * frozen network as a function of its effective parameters ({@link
 * org.subnetlab.model.MaskedObjective}) with its fast paths and its evaluation on named example
 * sets ({@link org.subnetlab.model.EvalSets}). The GPT-2-style decoder of {@code
 * org.subnetlab.transformer} enters as such an objective ({@link
 * org.subnetlab.model.Gpt2Objective}), trained by {@link org.subnetlab.model.TransformerTrainer}
 * and stored by {@link org.subnetlab.model.TransformerStore}.
 *
 * <p>May import: {@code org.subnetlab.config}, {@code org.subnetlab.task}, {@code
 * org.subnetlab.nativeblas}, {@code org.subnetlab.transformer}. Nothing from Spark or Scala.
 */
package org.subnetlab.model;
