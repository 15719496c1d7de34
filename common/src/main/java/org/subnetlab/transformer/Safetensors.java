package org.subnetlab.transformer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.subnetlab.config.BadInputException;

/**
 * A {@code .safetensors} file read into memory: an 8-byte little-endian header length N, N bytes of
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}}
 * (offsets into the bytes after the header; an optional {@code "__metadata__"} of strings), then
 * the raw little-endian tensors. Every entry is checked when the file is read (offsets inside the
 * file, byte count = elements × dtype size); a bad file is a {@link BadInputException} naming the
 * file and the reason.
 */
public final class Safetensors {
  /** One tensor's header entry. */
  public record Entry(String name, String dtype, int[] shape, long begin, long end) {
    /** Number of elements (the product of the shape; 1 for a scalar). */
    public long elements() {
      long n = 1;
      for (int s : shape) {
        n *= s;
      }
      return n;
    }

    /** The shape as {@code [a, b]}. */
    public String shapeText() {
      return Arrays.toString(shape);
    }
  }

  private static final Map<String, Integer> SIZES =
      Map.ofEntries(
          Map.entry("F64", 8),
          Map.entry("F32", 4),
          Map.entry("F16", 2),
          Map.entry("BF16", 2),
          Map.entry("I64", 8),
          Map.entry("I32", 4),
          Map.entry("I16", 2),
          Map.entry("I8", 1),
          Map.entry("U8", 1),
          Map.entry("BOOL", 1),
          Map.entry("U16", 2),
          Map.entry("U32", 4),
          Map.entry("U64", 8),
          Map.entry("F8_E4M3", 1),
          Map.entry("F8_E5M2", 1));

  private final Path file;
  private final ByteBuffer data; // the bytes after the header, little-endian
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private Safetensors(
      Path file, ByteBuffer data, Map<String, Entry> entries, Map<String, String> metadata) {
    this.file = file;
    this.data = data;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Reads and checks {@code file}. */
  public static Safetensors read(Path file) {
    ByteBuffer all;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw bad(file, "larger than 2 GiB (" + size + " bytes), not supported");
      }
      all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    } catch (IOException e) {
      throw new BadInputException("Cannot read safetensors file " + file + ": " + e, e);
    }
    all.order(ByteOrder.LITTLE_ENDIAN);
    if (all.capacity() < 8) {
      throw bad(file, "truncated: " + all.capacity() + " bytes, not even the 8-byte header length");
    }
    long headerLength = all.getLong(0);
    if (headerLength >= 0 && headerLength < 2) {
      throw bad(file, "header length " + headerLength + " is too short for a JSON object");
    }
    if (headerLength < 0 || headerLength > all.capacity() - 8L) {
      throw bad(
          file,
          String.format(
              Locale.ROOT,
              "header length %s is beyond the file (%d bytes after the length)",
              Long.toUnsignedString(headerLength),
              all.capacity() - 8));
    }
    byte[] header = new byte[(int) headerLength];
    all.get(8, header);
    Object parsed;
    try {
      parsed = Json.parse(new String(header, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw bad(file, "header is not JSON (" + e.getMessage() + ")");
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw bad(file, "header is not a JSON object");
    }
    ByteBuffer data =
        all.slice(8 + (int) headerLength, all.capacity() - 8 - (int) headerLength)
            .order(ByteOrder.LITTLE_ENDIAN);
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals("__metadata__")) {
        if (e.getValue() instanceof Map<?, ?> meta) {
          meta.forEach((k, v) -> metadata.put((String) k, String.valueOf(v)));
        }
        continue;
      }
      entries.put(name, entry(file, name, e.getValue(), data.capacity()));
    }
    return new Safetensors(
        file, data, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
  }

  private static Entry entry(Path file, String name, Object value, long dataBytes) {
    if (!(value instanceof Map<?, ?> m)) {
      throw bad(file, "tensor " + name + ": header entry is not an object");
    }
    if (!(m.get("dtype") instanceof String dtype) || !SIZES.containsKey(dtype)) {
      throw bad(file, "tensor " + name + ": unknown dtype " + m.get("dtype"));
    }
    if (!(m.get("shape") instanceof List<?> shapeList)) {
      throw bad(file, "tensor " + name + ": no shape");
    }
    int[] shape = new int[shapeList.size()];
    for (int k = 0; k < shape.length; k++) {
      if (!(shapeList.get(k) instanceof Long s) || s < 0 || s > Integer.MAX_VALUE) {
        throw bad(file, "tensor " + name + ": bad shape " + shapeList);
      }
      shape[k] = (int) (long) s;
    }
    if (!(m.get("data_offsets") instanceof List<?> off)
        || off.size() != 2
        || !(off.get(0) instanceof Long begin)
        || !(off.get(1) instanceof Long end)) {
      throw bad(file, "tensor " + name + ": data_offsets is not [begin, end]");
    }
    Entry entry = new Entry(name, dtype, shape, begin, end);
    if (begin < 0 || end < begin || end > dataBytes) {
      throw bad(
          file,
          String.format(
              Locale.ROOT,
              "truncated: tensor %s's bytes [%d, %d) are beyond the data (%d bytes)",
              name,
              begin,
              end,
              dataBytes));
    }
    long want = entry.elements() * SIZES.get(dtype);
    if (end - begin != want) {
      throw bad(
          file,
          String.format(
              Locale.ROOT,
              "tensor %s: %d bytes for %s %s (%d expected)",
              name,
              end - begin,
              dtype,
              entry.shapeText(),
              want));
    }
    return entry;
  }

  public Path file() {
    return file;
  }

  /** The header entries in file order, by name. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The header's {@code __metadata__} (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The entry of {@code name}, or a {@link BadInputException} naming the file and the tensor. */
  public Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw bad(file, "no tensor " + name);
    }
    return e;
  }

  /**
   * The values of a floating-point tensor as floats, row-major: F32 as is, F16 and BF16 widened
   * exactly, F64 rounded to the nearest float. Other dtypes are refused.
   */
  public float[] floats(String name) {
    Entry e = entry(name);
    int n = Math.toIntExact(e.elements());
    float[] out = new float[n];
    int at = (int) e.begin();
    switch (e.dtype()) {
      case "F32" -> data.slice(at, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      case "F64" -> {
        for (int k = 0; k < n; k++) {
          out[k] = (float) data.getDouble(at + 8 * k);
        }
      }
      case "F16" -> {
        for (int k = 0; k < n; k++) {
          out[k] = halfToFloat(data.getShort(at + 2 * k));
        }
      }
      case "BF16" -> {
        for (int k = 0; k < n; k++) {
          out[k] = Float.intBitsToFloat((data.getShort(at + 2 * k) & 0xffff) << 16);
        }
      }
      default ->
          throw bad(
              file,
              "tensor "
                  + name
                  + " has dtype "
                  + e.dtype()
                  + "; floating-point weights (F32, F16, BF16 or F64) expected");
    }
    return out;
  }

  /** The values of an integer tensor (I64, I32, I16, I8, U8) as longs, row-major. */
  public long[] longs(String name) {
    Entry e = entry(name);
    int n = Math.toIntExact(e.elements());
    long[] out = new long[n];
    int at = (int) e.begin();
    for (int k = 0; k < n; k++) {
      out[k] =
          switch (e.dtype()) {
            case "I64" -> data.getLong(at + 8 * k);
            case "I32" -> data.getInt(at + 4 * k);
            case "I16" -> data.getShort(at + 2 * k);
            case "I8" -> data.get(at + k);
            case "U8" -> data.get(at + k) & 0xff;
            default ->
                throw bad(
                    file,
                    "tensor " + name + " has dtype " + e.dtype() + "; an integer tensor expected");
          };
    }
    return out;
  }

  /** IEEE 754 binary16 to float, exactly (subnormals, infinities and NaN included). */
  static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float f = mant * 0x1p-24f; // subnormal (or zero): mant · 2^-24
      return sign != 0 ? -f : f;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static BadInputException bad(Path file, String reason) {
    return new BadInputException("Cannot read safetensors file " + file + ": " + reason);
  }
}
