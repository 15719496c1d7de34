package org.subnetlab.task;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.subnetlab.config.BadInputException;

/**
 * IDX files (the MNIST format), gzipped or not: a magic number {@code 0x0000TTDD} (TT the element
 * type, DD the number of dimensions), DD big-endian int32 sizes, then the elements in row-major
 * order. Only unsigned bytes ({@code TT = 0x08}), the type of MNIST and Fashion-MNIST, are read.
 */
public final class Idx {
  static final int UNSIGNED_BYTE = 0x08;

  /** The dimensions and the elements of one file. */
  public record Array(int[] dims, byte[] data) {
    public int count() {
      return dims[0];
    }

    /** Elements per item: the product of the dimensions after the first. */
    public int itemSize() {
      int n = 1;
      for (int i = 1; i < dims.length; i++) {
        n *= dims[i];
      }
      return n;
    }

    public int unsigned(long i) {
      return data[(int) i] & 0xff;
    }
  }

  private Idx() {}

  public static Array read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException("IDX file " + file + " does not exist.");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      boolean gzip = b0 == 0x1f && b1 == 0x8b;
      InputStream body;
      try {
        body = gzip ? new BufferedInputStream(new GZIPInputStream(raw), 1 << 16) : raw;
      } catch (EOFException e) {
        throw new BadInputException(
            "IDX file " + file + " is truncated: it ends inside its gzip" + " header.");
      }
      try (DataInputStream in = new DataInputStream(body)) {
        return read(file, in, gzip);
      }
    } catch (IOException e) {
      throw new BadInputException("Cannot read IDX file " + file + ": " + e.getMessage(), e);
    }
  }

  private static Array read(Path file, DataInputStream in, boolean gzip) throws IOException {
    try {
      return readHeaderAndData(file, in, gzip);
    } catch (EOFException e) {
      throw new BadInputException(
          "IDX file " + file + " is truncated: it ends inside its" + " header.");
    }
  }

  private static Array readHeaderAndData(Path file, DataInputStream in, boolean gzip)
      throws IOException {
    int magic = in.readInt();
    int type = (magic >>> 8) & 0xff;
    int ndims = magic & 0xff;
    if ((magic >>> 16) != 0 || ndims < 1) {
      throw new BadInputException(
          String.format(
              "%s is not an IDX file: its magic number is 0x%08x, expected 0x0000TTDD.",
              file, magic));
    }
    if (type != UNSIGNED_BYTE) {
      throw new BadInputException(
          String.format(
              "IDX file %s holds elements of type 0x%02x; only"
                  + " unsigned bytes (0x08, as in MNIST) are supported.",
              file, type));
    }
    int[] dims = new int[ndims];
    long total = 1;
    for (int i = 0; i < ndims; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 0) {
        throw new BadInputException(
            "IDX file " + file + " has a negative size in dimension " + i + ".");
      }
      total *= dims[i];
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new BadInputException("IDX file " + file + " is too large (" + total + " elements).");
    }
    byte[] data = new byte[(int) total];
    int got = 0;
    boolean cut = false;
    try {
      while (got < data.length) {
        int n = in.read(data, got, data.length - got);
        if (n < 0) {
          break;
        }
        got += n;
      }
    } catch (EOFException e) {
      cut = true; // a gzip stream that stops before its end: the data read so far count
    }
    if (got < data.length) {
      throw new BadInputException(
          "IDX file "
              + file
              + " is truncated: it ends inside its data"
              + " (its header announces "
              + total
              + " elements, "
              + java.util.Arrays.toString(dims)
              + ", the file holds "
              + got
              + (gzip ? " after decompression" : "")
              + ")"
              + (cut ? "; its gzip stream is cut off" : "")
              + ".");
    }
    return new Array(dims, data);
  }
}
