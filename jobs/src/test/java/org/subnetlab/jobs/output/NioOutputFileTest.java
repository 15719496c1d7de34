package org.subnetlab.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NioOutputFileTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType("message t { required int64 k; required binary bits; }");

  @TempDir Path dir;

  @Test
  void parquetWrittenThroughItReadsBackRowForRow() throws IOException {
    Path file = dir.resolve("t.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new NioOutputFile(file))
            .withConf(new Configuration())
            .withType(SCHEMA)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (long k = 0; k < 5000; k++) {
        w.write(
            groups
                .newGroup()
                .append("k", k)
                .append(
                    "bits", Binary.fromConstantByteArray(new byte[] {(byte) k, (byte) (k >> 8)})));
      }
    }
    List<Long> keys = new ArrayList<>();
    try (ParquetReader<Group> r =
        ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
            .build()) {
      for (Group g = r.read(); g != null; g = r.read()) {
        long k = g.getLong("k", 0);
        assertThat(g.getBinary("bits", 0).getBytes()).containsExactly((byte) k, (byte) (k >> 8));
        keys.add(k);
      }
    }
    assertThat(keys).hasSize(5000);
    assertThat(keys.get(4999)).isEqualTo(4999L);
  }

  @Test
  void positionCountsEveryByteWritten() throws IOException {
    Path file = dir.resolve("p.bin");
    try (PositionOutputStream out = new NioOutputFile(file).create(0)) {
      out.write(7);
      out.write(new byte[100], 10, 50);
      assertThat(out.getPos()).isEqualTo(51);
    }
    assertThat(Files.size(file)).isEqualTo(51);
  }

  @Test
  void createRefusesAnExistingFileAndCreateOrOverwriteTruncatesIt() throws IOException {
    Path file = dir.resolve("x.bin");
    Files.write(file, new byte[1000]);
    assertThatThrownBy(() -> new NioOutputFile(file).create(0))
        .isInstanceOf(FileAlreadyExistsException.class);
    try (PositionOutputStream out = new NioOutputFile(file).createOrOverwrite(0)) {
      out.write(new byte[3]);
    }
    assertThat(Files.size(file)).isEqualTo(3);
  }
}
