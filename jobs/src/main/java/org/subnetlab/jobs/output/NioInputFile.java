package org.subnetlab.jobs.output;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet input file on the local file system, read with java.nio alone (no Hadoop file system,
 * no checksum files): for reading mask-file footers on the driver ({@link MaskFileCheck}).
 */
final class NioInputFile implements InputFile {
  private final Path path;

  NioInputFile(Path path) {
    this.path = path;
  }

  @Override
  public long getLength() throws IOException {
    return java.nio.file.Files.size(path);
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    return new DelegatingSeekableInputStream(Channels.newInputStream(ch)) {
      @Override
      public long getPos() throws IOException {
        return ch.position();
      }

      @Override
      public void seek(long newPos) throws IOException {
        ch.position(newPos);
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
