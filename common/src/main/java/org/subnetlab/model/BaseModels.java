package org.subnetlab.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.subnetlab.transformer.Gpt2Config;

/**
 * The bytes of a {@link BaseModel} (what the driver broadcasts to the executors): one tag byte,
 * then a DL4J model file ({@code D}) or a GPT-2 configuration and its float parameters ({@code G},
 * big-endian, as {@link DataOutputStream} writes them).
 */
public final class BaseModels {
  private static final byte DL4J = 'D';
  private static final byte GPT2 = 'G';

  private BaseModels() {}

  static byte[] toBytes(Network net) {
    byte[] model = net.toBytes();
    byte[] out = new byte[model.length + 1];
    out[0] = DL4J;
    System.arraycopy(model, 0, out, 1, model.length);
    return out;
  }

  static byte[] toBytes(Gpt2Model m) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(m.params().length * 4 + 64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(GPT2);
      Gpt2Config c = m.config();
      out.writeInt(c.layers());
      out.writeInt(c.width());
      out.writeInt(c.heads());
      out.writeInt(c.mlpWidth());
      out.writeInt(c.vocab());
      out.writeInt(c.context());
      out.writeDouble(c.epsilon());
      out.writeUTF(c.activation().name());
      out.writeBoolean(c.tiedHead());
      out.writeInt(m.params().length);
      for (float f : m.params()) {
        out.writeFloat(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The model {@link BaseModel#bytes} wrote. */
  public static BaseModel fromBytes(byte[] bytes) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("no model bytes");
    }
    if (bytes[0] == DL4J) {
      return ModelStore.fromBytes(Arrays.copyOfRange(bytes, 1, bytes.length));
    }
    if (bytes[0] != GPT2) {
      throw new IllegalArgumentException("unknown model bytes (tag " + bytes[0] + ")");
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length))) {
      Gpt2Config c =
          new Gpt2Config(
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readInt(),
              in.readDouble(),
              Gpt2Config.Activation.valueOf(in.readUTF()),
              in.readBoolean());
      float[] p = new float[in.readInt()];
      for (int i = 0; i < p.length; i++) {
        p[i] = in.readFloat();
      }
      return new Gpt2Model(c, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
