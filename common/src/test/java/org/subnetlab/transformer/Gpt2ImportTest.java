package org.subnetlab.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;

/**
 * Importing Hugging Face GPT-2 checkpoints: names without the {@code transformer.} prefix, F16 and
 * BF16 weights, and one clear {@link BadInputException} per bad file (truncated, header length
 * beyond the file, a missing tensor, a wrong shape or dtype, a tensor config.json has no place for,
 * an unsupported activation), each naming the file and the tensor or key.
 */
class Gpt2ImportTest {
  @TempDir Path tmp;
  static Path fixture;
  static Safetensors model;
  static String config;

  @BeforeAll
  static void load() throws URISyntaxException, IOException {
    fixture = Path.of(Gpt2ImportTest.class.getResource("/gpt2-tiny").toURI());
    model = Safetensors.read(fixture.resolve(Gpt2Import.WEIGHTS));
    config = Files.readString(fixture.resolve(Gpt2Import.CONFIG));
  }

  /** One tensor to write: dtype, shape, raw little-endian bytes. */
  record Tensor(String dtype, int[] shape, byte[] bytes) {}

  static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    StringBuilder h = new StringBuilder("{");
    long at = 0;
    for (var e : tensors.entrySet()) {
      Tensor t = e.getValue();
      if (h.length() > 1) {
        h.append(',');
      }
      h.append('"')
          .append(e.getKey())
          .append("\":{\"dtype\":\"")
          .append(t.dtype())
          .append("\",\"shape\":")
          .append(Arrays.toString(t.shape()).replace(" ", ""))
          .append(",\"data_offsets\":[")
          .append(at)
          .append(',')
          .append(at + t.bytes().length)
          .append("]}");
      at += t.bytes().length;
    }
    h.append('}');
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out =
        ByteBuffer.allocate((int) (8 + header.length + at)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(header.length).put(header);
    for (Tensor t : tensors.values()) {
      out.put(t.bytes());
    }
    Files.write(file, out.array());
  }

  /** The fixture's tensors as F32, renamed by {@code rename} (null drops a tensor). */
  static Map<String, Tensor> fixtureTensors(java.util.function.UnaryOperator<String> rename) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (Safetensors.Entry e : model.entries().values()) {
      String name = rename.apply(e.name());
      if (name == null || !e.dtype().equals("F32")) {
        continue;
      }
      m.put(name, new Tensor("F32", e.shape(), f32(model.floats(e.name()))));
    }
    return m;
  }

  static byte[] f32(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  Path checkpoint(String configText, Map<String, Tensor> tensors) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "ckpt");
    Files.writeString(dir.resolve(Gpt2Import.CONFIG), configText);
    write(dir.resolve(Gpt2Import.WEIGHTS), tensors);
    return dir;
  }

  @Test
  void namesWithoutThePrefixImportTheSameWeights() throws IOException {
    Path dir = checkpoint(config, fixtureTensors(n -> n.replace("transformer.", "")));
    assertThat(Gpt2Import.read(dir).params()).isEqualTo(Gpt2Import.read(fixture).params());
  }

  @Test
  void decodesHalfPrecisionExactly() {
    assertThat(Safetensors.halfToFloat((short) 0x3c00)).isEqualTo(1f);
    assertThat(Safetensors.halfToFloat((short) 0xc000)).isEqualTo(-2f);
    assertThat(Safetensors.halfToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(Safetensors.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
    assertThat(Safetensors.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(Safetensors.halfToFloat((short) 0x83ff)).isEqualTo(-1023 * 0x1p-24f);
    assertThat(Safetensors.halfToFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(Safetensors.halfToFloat((short) 0x7e00)).isNaN();
  }

  @Test
  void widensBf16AndF16Weights() throws IOException {
    float[] want = Gpt2Import.read(fixture).params();
    Map<String, Tensor> bf16 = new LinkedHashMap<>();
    Map<String, Tensor> f16 = new LinkedHashMap<>();
    for (var e : fixtureTensors(n -> n).entrySet()) {
      float[] v = model.floats(e.getKey());
      ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer hb = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : v) {
        b.putShort((short) (Float.floatToIntBits(x) >>> 16)); // truncation: exact in float
        hb.putShort((short) 0x3c00); // every F16 weight 1.0
      }
      bf16.put(e.getKey(), new Tensor("BF16", e.getValue().shape(), b.array()));
      f16.put(e.getKey(), new Tensor("F16", e.getValue().shape(), hb.array()));
    }
    float[] got = Gpt2Import.read(checkpoint(config, bf16)).params();
    for (int i = 0; i < want.length; i++) {
      assertThat(got[i])
          .isEqualTo(Float.intBitsToFloat(Float.floatToIntBits(want[i]) & 0xffff0000));
    }
    float[] ones = Gpt2Import.read(checkpoint(config, f16)).params();
    float[] all = new float[ones.length];
    Arrays.fill(all, 1f);
    assertThat(ones).isEqualTo(all);
  }

  @Test
  void refusesATruncatedFile() throws IOException {
    Path dir = checkpoint(config, fixtureTensors(n -> n));
    Path w = dir.resolve(Gpt2Import.WEIGHTS);
    byte[] bytes = Files.readAllBytes(w);
    Files.write(w, Arrays.copyOf(bytes, bytes.length * 3 / 5));
    assertThatThrownBy(() -> Gpt2Import.read(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot read safetensors file " + w + ": truncated: tensor ")
        .hasMessageContaining("are beyond the data");
    Files.write(w, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Gpt2Import.read(dir))
        .hasMessage(
            "Cannot read safetensors file "
                + w
                + ": truncated: 3 bytes, not even the 8-byte header length");
  }

  @Test
  void refusesAHeaderLengthBeyondTheFile() throws IOException {
    Path dir = checkpoint(config, fixtureTensors(n -> n));
    Path w = dir.resolve(Gpt2Import.WEIGHTS);
    byte[] bytes = Files.readAllBytes(w);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
    Files.write(w, bytes);
    assertThatThrownBy(() -> Gpt2Import.read(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot read safetensors file "
                + w
                + ": header length 1099511627776 is beyond"
                + " the file ("
                + (bytes.length - 8)
                + " bytes after the length)");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
    Files.write(w, bytes);
    assertThatThrownBy(() -> Gpt2Import.read(dir))
        .hasMessageStartingWith(
            "Cannot read safetensors file " + w + ": header length 18446744073709551615 is beyond");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L);
    Files.write(w, bytes);
    assertThatThrownBy(() -> Gpt2Import.read(dir))
        .hasMessage(
            "Cannot read safetensors file "
                + w
                + ": header length 1 is too short for a JSON object");
  }

  @Test
  void refusesAMissingTensorByName() throws IOException {
    Path dir =
        checkpoint(
            config, fixtureTensors(n -> n.equals("transformer.h.1.mlp.c_fc.bias") ? null : n));
    assertThatThrownBy(() -> Gpt2Import.read(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot load GPT-2 checkpoint "
                + dir.resolve(Gpt2Import.WEIGHTS)
                + ": missing tensor h.1.mlp.c_fc.bias (or transformer.h.1.mlp.c_fc.bias) of shape"
                + " [128]");
  }

  @Test
  void refusesTensorsThatDisagreeWithConfigJson() throws IOException {
    Path wider =
        checkpoint(
            config.replace("\"vocab_size\": 50", "\"vocab_size\": 51"), fixtureTensors(n -> n));
    assertThatThrownBy(() -> Gpt2Import.read(wider))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot load GPT-2 checkpoint "
                + wider.resolve(Gpt2Import.WEIGHTS)
                + ": tensor transformer.wte.weight has shape [50, 32]; config.json implies [51, 32]");
    Path shallower =
        checkpoint(config.replace("\"n_layer\": 2", "\"n_layer\": 1"), fixtureTensors(n -> n));
    assertThatThrownBy(() -> Gpt2Import.read(shallower))
        .hasMessage(
            "Cannot load GPT-2 checkpoint "
                + shallower.resolve(Gpt2Import.WEIGHTS)
                + ": tensor transformer.h.1.ln_1.weight has no place in a GPT-2 of config.json's shape"
                + " (1 layers; a different checkpoint or model class?)");
    Path untied =
        checkpoint(
            config.replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false"),
            fixtureTensors(n -> n));
    assertThatThrownBy(() -> Gpt2Import.read(untied))
        .hasMessageContaining(
            ": missing tensor lm_head.weight (or transformer.lm_head.weight)"
                + " of shape [50, 32]; config.json says tie_word_embeddings false");
  }

  @Test
  void refusesAnIntegerWeightAndAnUnsupportedActivation() throws IOException {
    Map<String, Tensor> t = fixtureTensors(n -> n);
    Tensor ln = t.get("transformer.ln_f.bias");
    t.put("transformer.ln_f.bias", new Tensor("I32", ln.shape(), ln.bytes()));
    Path dir = checkpoint(config, t);
    assertThatThrownBy(() -> Gpt2Import.read(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot load GPT-2 checkpoint "
                + dir.resolve(Gpt2Import.WEIGHTS)
                + ": tensor transformer.ln_f.bias has dtype I32; F32 (or F16, BF16, F64) expected");
    Path relu = checkpoint(config.replace("gelu_new", "relu"), fixtureTensors(n -> n));
    assertThatThrownBy(() -> Gpt2Import.read(relu))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Cannot load GPT-2 checkpoint "
                + relu.resolve(Gpt2Import.CONFIG)
                + ": activation_function is relu; only gelu_new (GPT-2's) and gelu are supported");
    Path noLayers = checkpoint(config.replace("\"n_layer\": 2,", ""), fixtureTensors(n -> n));
    assertThatThrownBy(() -> Gpt2Import.read(noLayers))
        .hasMessage(
            "Cannot load GPT-2 checkpoint "
                + noLayers.resolve(Gpt2Import.CONFIG)
                + ": n_layer must be a positive integer, got nothing");
  }
}
