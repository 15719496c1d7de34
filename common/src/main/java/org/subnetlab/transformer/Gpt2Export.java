package org.subnetlab.transformer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a decoder as Hugging Face lays out a GPT-2 ({@code config.json} + {@code
 * model.safetensors}, F32, names without the {@code transformer.} prefix, no {@code lm_head.weight}
 * when the head is tied), so {@link Gpt2Import} — and Hugging Face's {@code GPT2LMHeadModel} — read
 * it back. The bytes depend only on the config and the parameters.
 */
public final class Gpt2Export {
  private Gpt2Export() {}

  /** Writes {@code config.json} and {@code model.safetensors} into {@code directory}. */
  public static void write(Path directory, Gpt2Config config, float[] params) {
    try {
      Files.createDirectories(directory);
      Files.writeString(directory.resolve(Gpt2Import.CONFIG), configJson(config));
      writeSafetensors(directory.resolve(Gpt2Import.WEIGHTS), config, params);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Hugging Face's GPT-2 {@code config.json} for {@code config}. */
  public static String configJson(Gpt2Config c) {
    return String.format(
        Locale.ROOT,
        "{\n  \"model_type\": \"gpt2\",\n  \"architectures\": [\"GPT2LMHeadModel\"],\n"
            + "  \"n_layer\": %d,\n  \"n_embd\": %d,\n  \"n_head\": %d,\n  \"n_inner\": %d,\n"
            + "  \"vocab_size\": %d,\n  \"n_positions\": %d,\n  \"layer_norm_epsilon\": %s,\n"
            + "  \"activation_function\": \"%s\",\n  \"tie_word_embeddings\": %s,\n"
            + "  \"resid_pdrop\": 0.0,\n  \"embd_pdrop\": 0.0,\n  \"attn_pdrop\": 0.0\n}\n",
        c.layers(),
        c.width(),
        c.heads(),
        c.mlpWidth(),
        c.vocab(),
        c.context(),
        Double.toString(c.epsilon()),
        c.activation().hfName(),
        c.tiedHead());
  }

  /** A safetensors file of every block of {@code config}'s layout, F32, in layout order. */
  public static void writeSafetensors(Path file, Gpt2Config config, float[] params)
      throws IOException {
    Gpt2Layout layout = new Gpt2Layout(config);
    if (params.length != layout.numParams()) {
      throw new IllegalArgumentException(
          "GPT-2 export: " + params.length + " values, the layout has " + layout.numParams());
    }
    StringBuilder h = new StringBuilder("{");
    long at = 0;
    for (Gpt2Layout.Block b : layout.blocks()) {
      if (h.length() > 1) {
        h.append(',');
      }
      h.append('"').append(b.name()).append("\":{\"dtype\":\"F32\",\"shape\":[");
      for (int k = 0; k < b.shape().length; k++) {
        h.append(k == 0 ? "" : ",").append(b.shape()[k]);
      }
      long end = at + 4L * b.size();
      h.append("],\"data_offsets\":[").append(at).append(',').append(end).append("]}");
      at = end;
    }
    h.append('}');
    while (h.length() % 8 != 0) { // Hugging Face pads the header with spaces to 8 bytes
      h.append(' ');
    }
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + header.length + at));
    out.order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(header.length);
    out.put(header);
    for (Gpt2Layout.Block b : layout.blocks()) {
      for (int i = 0; i < b.size(); i++) {
        out.putFloat(params[b.offset() + i]);
      }
    }
    Files.write(file, out.array());
  }
}
