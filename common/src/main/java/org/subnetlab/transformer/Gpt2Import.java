package org.subnetlab.transformer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.subnetlab.config.BadInputException;

/**
 * Reads a GPT-2 checkpoint as Hugging Face saves it: a directory with {@code config.json} ({@code
 * n_layer}, {@code n_embd}, {@code n_head}, {@code n_inner} (null: 4·n_embd), {@code vocab_size},
 * {@code n_positions}, {@code layer_norm_epsilon}, {@code activation_function} gelu_new or gelu,
 * {@code tie_word_embeddings}) and {@code model.safetensors}, tensors named as in {@link
 * Gpt2Layout} with or without the {@code transformer.} prefix. F32 weights are taken as they are,
 * F16/BF16 widened exactly, F64 rounded. The {@code .attn.bias} / {@code .attn.masked_bias} buffers
 * are ignored, and so is {@code lm_head.weight} when the head is tied. Anything else that does not
 * fit the configuration — a missing tensor, a wrong shape, a tensor the configuration has no place
 * for, an option this decoder does not implement — is a {@link BadInputException} naming the file
 * and the key or tensor.
 */
public final class Gpt2Import {
  /** File names inside a checkpoint directory. */
  public static final String CONFIG = "config.json";

  public static final String WEIGHTS = "model.safetensors";

  private static final String PREFIX = "transformer.";

  /** An imported checkpoint: its configuration and its parameters in {@link Gpt2Layout} order. */
  public record Checkpoint(Gpt2Config config, float[] params) {}

  private Gpt2Import() {}

  /** Reads {@code directory}/config.json and {@code directory}/model.safetensors. */
  public static Checkpoint read(Path directory) {
    return read(directory.resolve(CONFIG), directory.resolve(WEIGHTS));
  }

  /** Reads a checkpoint from its two files. */
  public static Checkpoint read(Path configFile, Path weightsFile) {
    Gpt2Config config = config(configFile);
    Safetensors st = Safetensors.read(weightsFile);
    return new Checkpoint(config, params(config, st));
  }

  /** The decoder configuration of a Hugging Face GPT-2 {@code config.json}. */
  public static Gpt2Config config(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException("Cannot read GPT-2 config " + file + ": " + e, e);
    }
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (IllegalArgumentException e) {
      throw bad(file, "not JSON (" + e.getMessage() + ")");
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      throw bad(file, "not a JSON object");
    }
    Object type = m.get("model_type");
    if (type != null && !"gpt2".equals(type)) {
      throw bad(file, "model_type is " + type + "; only gpt2 is supported");
    }
    int layers = positive(file, m, "n_layer");
    int width = positive(file, m, "n_embd");
    int heads = positive(file, m, "n_head");
    int vocab = positive(file, m, "vocab_size");
    int context = positive(file, m, "n_positions");
    int inner = m.get("n_inner") == null ? 4 * width : positive(file, m, "n_inner");
    if (width % heads != 0) {
      throw bad(
          file,
          String.format(Locale.ROOT, "n_embd %d is not a multiple of n_head %d", width, heads));
    }
    double eps = 1e-5;
    if (m.get("layer_norm_epsilon") != null) {
      if (!(m.get("layer_norm_epsilon") instanceof Number n) || !(n.doubleValue() > 0)) {
        throw bad(
            file, "layer_norm_epsilon must be a number > 0, got " + m.get("layer_norm_epsilon"));
      }
      eps = n.doubleValue();
    }
    Object actName =
        m.containsKey("activation_function") ? m.get("activation_function") : "gelu_new";
    Gpt2Config.Activation act = null;
    for (Gpt2Config.Activation a : Gpt2Config.Activation.values()) {
      if (a.hfName().equals(actName)) {
        act = a;
      }
    }
    if (act == null) {
      throw bad(
          file,
          "activation_function is " + actName + "; only gelu_new (GPT-2's) and gelu are supported");
    }
    boolean tied = flag(file, m, "tie_word_embeddings", true);
    if (!flag(file, m, "scale_attn_weights", true)) {
      throw bad(file, "scale_attn_weights false is not supported (scores are scaled by 1/√head)");
    }
    if (flag(file, m, "scale_attn_by_inverse_layer_idx", false)) {
      throw bad(file, "scale_attn_by_inverse_layer_idx true is not supported");
    }
    if (flag(file, m, "add_cross_attention", false)) {
      throw bad(file, "add_cross_attention true is not supported (a decoder only)");
    }
    return new Gpt2Config(layers, width, heads, inner, vocab, context, eps, act, tied);
  }

  /** The parameters of {@code config} from the tensors of {@code st}, in layout order. */
  static float[] params(Gpt2Config config, Safetensors st) {
    Gpt2Layout layout = new Gpt2Layout(config);
    float[] params = new float[layout.numParams()];
    Set<String> unused = new LinkedHashSet<>(st.entries().keySet());
    for (Gpt2Layout.Block b : layout.blocks()) {
      String name = b.name();
      boolean plain = st.entries().containsKey(name);
      boolean prefixed = st.entries().containsKey(PREFIX + name);
      if (name.equals("lm_head.weight")) {
        prefixed = false; // GPT2LMHeadModel keeps lm_head outside `transformer.`
      }
      if (plain && prefixed) {
        throw bad(st.file(), "both " + name + " and " + PREFIX + name + " are present");
      }
      if (!plain && !prefixed) {
        throw bad(
            st.file(),
            "missing tensor "
                + name
                + " (or "
                + PREFIX
                + name
                + ") of shape "
                + Arrays.toString(b.shape())
                + (name.equals("lm_head.weight")
                    ? "; config.json says tie_word_embeddings false"
                    : ""));
      }
      String key = plain ? name : PREFIX + name;
      Safetensors.Entry e = st.entry(key);
      if (!Arrays.equals(e.shape(), b.shape())) {
        throw bad(
            st.file(),
            String.format(
                Locale.ROOT,
                "tensor %s has shape %s; config.json implies %s",
                key,
                e.shapeText(),
                Arrays.toString(b.shape())));
      }
      if (!e.dtype().startsWith("F") && !e.dtype().equals("BF16")) {
        throw bad(
            st.file(),
            "tensor " + key + " has dtype " + e.dtype() + "; F32 (or F16, BF16, F64) expected");
      }
      float[] values = st.floats(key);
      System.arraycopy(values, 0, params, b.offset(), b.size());
      unused.remove(key);
    }
    for (String name : unused) {
      String bare = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
      if (bare.endsWith(".attn.bias")
          || bare.endsWith(".attn.masked_bias")
          || (config.tiedHead() && bare.equals("lm_head.weight"))) {
        continue;
      }
      throw bad(
          st.file(),
          "tensor "
              + name
              + " has no place in a GPT-2 of config.json's shape ("
              + config.layers()
              + " layers; a different checkpoint or model class?)");
    }
    return params;
  }

  private static int positive(Path file, Map<?, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Long n) || n <= 0 || n > Integer.MAX_VALUE) {
      throw bad(
          file, key + " must be a positive integer, got " + (m.containsKey(key) ? v : "nothing"));
    }
    return (int) (long) n;
  }

  private static boolean flag(Path file, Map<?, ?> m, String key, boolean dflt) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw bad(file, key + " must be true or false, got " + v);
    }
    return b;
  }

  private static BadInputException bad(Path file, String reason) {
    return new BadInputException("Cannot load GPT-2 checkpoint " + file + ": " + reason);
  }
}
