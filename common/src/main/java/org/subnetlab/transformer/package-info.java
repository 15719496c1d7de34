/**
 * Transformers over flat float arrays: a GPT-2-style decoder ({@link
 * org.subnetlab.transformer.Gpt2}) with its forward pass, the gradient of the mean next-token
 * cross-entropy with respect to every parameter (and so to a multiplicative mask on each), its
 * parameter layout named after Hugging Face's GPT-2 parameters ({@link
 * org.subnetlab.transformer.Gpt2Layout}), and the import of a Hugging Face checkpoint ({@code
 * config.json} + {@code model.safetensors}, {@link org.subnetlab.transformer.Gpt2Import}).
 *
 * <p>Hand-written rather than DL4J layers, SameDiff or ONNX import: on DL4J 1.0.0-M2.1 none of
 * those gave a usable, correct and fast GPT-2 (see docs/transformers.md). Spark-free, like the rest
 * of {@code common}.
 *
 * <p>May import: {@code org.subnetlab.config} (its bad-input exception) and {@code
 * org.subnetlab.nativeblas} (the matrix products), {@code org.subnetlab.numeric} (GELU's
 * exponentials). Nothing from Spark or Scala.
 */
package org.subnetlab.transformer;
