package org.subnetlab.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;

/** The IDX reader on crafted files, and the images task's subtasks from labels. */
class ImageClassTaskTest {
  @TempDir Path dir;

  /** An IDX file of unsigned bytes with the given dimensions and elements. */
  static byte[] idx(int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(0x0800 | dims.length);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    return b.toByteArray();
  }

  static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
    try (OutputStream out =
        gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(bytes);
    }
  }

  /** n images of 2×2 pixels: image i has every pixel = 10·i, label labels[i]. */
  void dataset(String prefix, int[] labels, boolean gzip) throws IOException {
    int n = labels.length;
    byte[] px = new byte[n * 4];
    byte[] lb = new byte[n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(px, i * 4, i * 4 + 4, (byte) (10 * i));
      lb[i] = (byte) labels[i];
    }
    String ext = gzip ? ".gz" : "";
    write(dir.resolve(prefix + "-images" + ext), idx(new int[] {n, 2, 2}, px), gzip);
    write(dir.resolve(prefix + "-labels" + ext), idx(new int[] {n}, lb), gzip);
  }

  Settings settings(String extra) throws IOException {
    Path conf = dir.resolve("task.conf");
    Files.writeString(
        conf,
        "task.name = images\ntask.images {\n dir = \""
            + dir
            + "\"\n"
            + " train-images = train-images.gz, train-labels = train-labels.gz\n"
            + " eval-images = eval-images, eval-labels = eval-labels\n"
            + " class-names = [zero, one, two]\n}\n"
            + extra);
    return ConfigLoader.load(conf, List.of());
  }

  @Test
  void readsPlainAndGzippedFiles() throws IOException {
    byte[] data = {1, 2, 3, (byte) 250, 5, 6};
    write(dir.resolve("a"), idx(new int[] {3, 2}, data), false);
    write(dir.resolve("a.gz"), idx(new int[] {3, 2}, data), true);
    for (String f : List.of("a", "a.gz")) {
      Idx.Array a = Idx.read(dir.resolve(f));
      assertThat(a.dims()).containsExactly(3, 2);
      assertThat(a.count()).isEqualTo(3);
      assertThat(a.itemSize()).isEqualTo(2);
      assertThat(a.unsigned(3)).isEqualTo(250);
    }
  }

  @Test
  void truncatedWrongMagicAndMissingFilesAreNamed() throws IOException {
    byte[] full = idx(new int[] {4, 2, 2}, new byte[16]);
    write(dir.resolve("short"), java.util.Arrays.copyOf(full, full.length - 3), false);
    assertThatThrownBy(() -> Idx.read(dir.resolve("short")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "IDX file "
                + dir.resolve("short")
                + " is truncated: it ends inside its data"
                + " (its header announces 16 elements, [4, 2, 2], the file holds 13).");
    // A gzipped file cut inside its data: the gzip stream ends early, the elements read count.
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var z = new java.util.zip.GZIPOutputStream(gz)) {
      byte[] pixels = new byte[40_000];
      new java.util.Random(23).nextBytes(pixels); // incompressible: the cut is inside the data
      z.write(idx(new int[] {400, 10, 10}, pixels));
    }
    byte[] zipped = gz.toByteArray();
    Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(zipped, zipped.length / 2));
    assertThatThrownBy(() -> Idx.read(dir.resolve("cut.gz")))
        .hasMessageStartingWith(
            "IDX file "
                + dir.resolve("cut.gz")
                + " is truncated: it ends"
                + " inside its data (its header announces 40000 elements, [400, 10, 10], the file"
                + " holds ")
        .hasMessageEndingWith(" after decompression); its gzip stream is cut off.");
    write(dir.resolve("header"), java.util.Arrays.copyOf(full, 6), true);
    assertThatThrownBy(() -> Idx.read(dir.resolve("header")))
        .hasMessage(
            "IDX file " + dir.resolve("header") + " is truncated: it ends inside its" + " header.");
    write(dir.resolve("png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0}, false);
    assertThatThrownBy(() -> Idx.read(dir.resolve("png")))
        .hasMessage(
            dir.resolve("png")
                + " is not an IDX file: its magic number is 0x89504e47,"
                + " expected 0x0000TTDD.");
    byte[] floats = idx(new int[] {1}, new byte[4]);
    floats[2] = 0x0d;
    write(dir.resolve("floats"), floats, false);
    assertThatThrownBy(() -> Idx.read(dir.resolve("floats")))
        .hasMessageContaining("holds elements of type 0x0d; only unsigned bytes");
    assertThatThrownBy(() -> Idx.read(dir.resolve("nothing")))
        .hasMessage("IDX file " + dir.resolve("nothing") + " does not exist.");
  }

  @Test
  void complementSubtasksAndPerClassEvaluation() throws IOException {
    dataset("train", new int[] {0, 1, 2, 0, 1, 2, 1}, true);
    dataset("eval", new int[] {2, 1, 0}, false);
    Task t = Tasks.create(settings("task.images.subtasks = complement"));
    assertThat(t.subtasks()).containsExactly("not-zero", "not-one", "not-two");
    assertThat(t.evalSubtasks())
        .containsExactly("not-zero", "not-one", "not-two", "zero", "one", "two");
    assertThat(t.inputSize()).isEqualTo(4);
    assertThat(t.numClasses()).isEqualTo(3);
    Dataset notOne = t.trainExamples("not-one");
    assertThat(notOne.labels()).containsExactly(0, 2, 0, 2);
    float[] x = new float[4];
    notOne.copyFeatures(1, x, 0); // train image 2: pixels 20/255
    assertThat(x).containsOnly(20f / 255f);
    assertThat(t.evalExamples("one").labels()).containsExactly(1);
    assertThat(t.evalExamples("not-two").labels()).containsExactly(1, 0);
  }

  @Test
  void groupsPerClassAndTrainLimit() throws IOException {
    dataset("train", new int[] {0, 1, 2, 0, 1, 2, 1, 0}, true);
    dataset("eval", new int[] {2, 1, 0}, false);
    Task g =
        Tasks.create(
            settings("task.images { subtasks = groups, groups { ends = [0, 2], middle = [1] } }"));
    assertThat(g.subtasks()).containsExactly("ends", "middle");
    assertThat(g.trainExamples("ends").labels()).containsExactly(0, 2, 0, 2, 0);
    Task p = Tasks.create(settings("task.images.train-limit = 5"));
    assertThat(p.subtasks()).containsExactly("zero", "one", "two");
    assertThat(p.evalSubtasks()).isEqualTo(p.subtasks());
    assertThat(p.trainSplit().size()).isEqualTo(5);
    Task again = Tasks.create(settings("task.images.train-limit = 5"));
    assertThat(again.trainSplit().labels()).isEqualTo(p.trainSplit().labels());
  }

  @Test
  void aLabelFarBeyondTheOthersIsNamedWithoutClassNames() throws IOException {
    // Without class names the classes were 0 … 200, and the error was "Subtask 2 ... has no
    // training examples": say which label is out of range, and where.
    dataset("train", new int[] {0, 1, 200, 1}, true);
    dataset("eval", new int[] {1, 0}, false);
    assertThatThrownBy(() -> Tasks.create(settings("task.images.class-names = []")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Label 200 of item 3 in "
                + dir.resolve("train-labels.gz")
                + " is out of"
                + " range of the classes: without task.images.class-names the classes are the labels"
                + " 0 to the largest one, and no image has label 2 to 199 (name the classes in"
                + " task.images.class-names, or correct the label).");
    // Labels without a gap are the classes, as before.
    dataset("train", new int[] {0, 1, 2, 1}, true);
    assertThat(Tasks.create(settings("task.images.class-names = []")).subtasks())
        .containsExactly("0", "1", "2");
  }

  @Test
  void badDataIsNamed() throws IOException {
    dataset("train", new int[] {0, 1, 3}, true);
    dataset("eval", new int[] {2, 1, 0}, false);
    assertThatThrownBy(() -> Tasks.create(settings("")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "Label 3 of item 3 in "
                + dir.resolve("train-labels.gz")
                + " is out of range:"
                + " task.images.class-names names 3 classes.");
    dataset("train", new int[] {0, 1, 2}, true);
    write(dir.resolve("eval-labels"), idx(new int[] {2}, new byte[] {0, 1}), false);
    assertThatThrownBy(() -> Tasks.create(settings("")))
        .hasMessage(
            "IDX files do not match: "
                + dir.resolve("eval-images")
                + " holds 3 images, "
                + dir.resolve("eval-labels")
                + " 2 labels.");
    dataset("eval", new int[] {2, 1, 0}, false);
    assertThatThrownBy(
            () ->
                Tasks.create(
                    settings("task.images { subtasks = groups, groups { bad = [0, 7] } }")))
        .hasMessage(
            "Cannot set task.images.groups.bad to [0, 7]: class 7 does not exist (the task"
                + " has 3 classes).");
    assertThatThrownBy(() -> settings("task.images.subtasks = groups"))
        .hasMessageContaining("Cannot set task.images.groups to {}: must name at least one group");
  }
}
