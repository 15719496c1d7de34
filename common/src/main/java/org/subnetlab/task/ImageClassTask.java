package org.subnetlab.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.TaskSettings;

/**
 * Image classification from IDX files (MNIST, Fashion-MNIST): features are the pixels scaled to [0,
 * 1], labels the classes. Subtasks come from the labels (see {@code task.images.subtasks} in
 * reference.conf): per class, the complement of each class, or named groups of classes. Every
 * split's examples carry their class as subtask index, so accuracies are also reported per class;
 * subsets are views, never copies of the images.
 */
public final class ImageClassTask implements Task {
  static final String COMPLEMENT_PREFIX = "not-";

  private final TaskSettings.Images settings;
  private final List<String> classNames;
  private final List<String> subtasks;
  private final List<String> evalSubtasks;
  private final Dataset train;
  private final Dataset eval;
  private final int[] imageShape;
  private final Map<String, Dataset> trainViews = new ConcurrentHashMap<>();
  private final Map<String, Dataset> evalViews = new ConcurrentHashMap<>();

  public ImageClassTask(TaskSettings t, long seed) {
    this.settings = t.images();
    Path dir = Path.of(settings.dir());
    Idx.Array trainImages = Idx.read(dir.resolve(settings.trainImages()));
    Idx.Array trainLabels = Idx.read(dir.resolve(settings.trainLabels()));
    Idx.Array evalImages = Idx.read(dir.resolve(settings.evalImages()));
    Idx.Array evalLabels = Idx.read(dir.resolve(settings.evalLabels()));
    checkPair(
        dir.resolve(settings.trainImages()),
        trainImages,
        dir.resolve(settings.trainLabels()),
        trainLabels);
    checkPair(
        dir.resolve(settings.evalImages()),
        evalImages,
        dir.resolve(settings.evalLabels()),
        evalLabels);
    if (trainImages.itemSize() != evalImages.itemSize()) {
      throw new BadInputException(
          "Train and eval images differ in size: "
              + shape(trainImages)
              + " in "
              + dir.resolve(settings.trainImages())
              + " vs "
              + shape(evalImages)
              + " in "
              + dir.resolve(settings.evalImages())
              + ".");
    }
    this.imageShape = Arrays.copyOfRange(trainImages.dims(), 1, trainImages.dims().length);
    int maxLabel = Math.max(max(trainLabels), max(evalLabels));
    if (settings.classNames().isEmpty()) {
      List<String> names = new ArrayList<>();
      for (int k = 0; k <= maxLabel; k++) {
        names.add(Integer.toString(k));
      }
      this.classNames = List.copyOf(names);
    } else {
      this.classNames = settings.classNames();
      checkLabels(dir.resolve(settings.trainLabels()), trainLabels);
      checkLabels(dir.resolve(settings.evalLabels()), evalLabels);
    }
    for (Map.Entry<String, List<Integer>> g : settings.groups().entrySet()) {
      for (int k : g.getValue()) {
        if (k >= classNames.size()) {
          throw new BadInputException(
              "Cannot set task.images.groups."
                  + g.getKey()
                  + " to "
                  + g.getValue()
                  + ": class "
                  + k
                  + " does not exist (the task has "
                  + classNames.size()
                  + " classes).");
        }
      }
    }
    int[] trainRows = rows(trainLabels.count(), settings.trainLimit(), seed);
    this.train = dataset(trainImages, trainLabels, trainRows);
    int[] all = new int[evalLabels.count()];
    Arrays.setAll(all, i -> i);
    this.eval = dataset(evalImages, evalLabels, all);
    this.subtasks =
        switch (settings.subtasks()) {
          case "per-class" -> classNames;
          case "complement" -> classNames.stream().map(n -> COMPLEMENT_PREFIX + n).toList();
          case "groups" -> List.copyOf(settings.groups().keySet());
          default -> throw new IllegalStateException(settings.subtasks());
        };
    List<String> evals = new ArrayList<>(subtasks);
    if (!settings.subtasks().equals("per-class")) {
      evals.addAll(classNames);
    }
    this.evalSubtasks = List.copyOf(evals);
    for (String s : subtasks) {
      if (trainExamples(s).size() == 0) {
        if (settings.classNames().isEmpty()) {
          checkNoGap(
              dir.resolve(settings.trainLabels()),
              trainLabels,
              dir.resolve(settings.evalLabels()),
              evalLabels,
              maxLabel);
        }
        throw new BadInputException(
            "Subtask "
                + s
                + " of task.images has no training examples"
                + (settings.trainLimit() > 0
                    ? " among the first task.images.train-limit = "
                        + settings.trainLimit()
                        + " images"
                    : "")
                + ".");
      }
    }
  }

  /** The shape of one image (e.g. [28, 28]). */
  @Override
  public int[] inputShape() {
    return imageShape.clone();
  }

  public List<String> classNames() {
    return classNames;
  }

  private static void checkPair(
      Path imagesFile, Idx.Array images, Path labelsFile, Idx.Array labels) {
    if (images.dims().length < 2) {
      throw new BadInputException(
          "IDX file "
              + imagesFile
              + " holds "
              + shape(images)
              + ", not images (expected count × height × width).");
    }
    if (labels.dims().length != 1) {
      throw new BadInputException(
          "IDX file "
              + labelsFile
              + " holds "
              + shape(labels)
              + ", not labels (expected one dimension).");
    }
    if (images.count() != labels.count()) {
      throw new BadInputException(
          "IDX files do not match: "
              + imagesFile
              + " holds "
              + images.count()
              + " images, "
              + labelsFile
              + " "
              + labels.count()
              + " labels.");
    }
    if (images.count() == 0) {
      throw new BadInputException("IDX file " + imagesFile + " holds no images.");
    }
  }

  private void checkLabels(Path file, Idx.Array labels) {
    for (int i = 0; i < labels.count(); i++) {
      if (labels.unsigned(i) >= classNames.size()) {
        throw new BadInputException(
            "Label "
                + labels.unsigned(i)
                + " of item "
                + (i + 1)
                + " in "
                + file
                + " is out of range: task.images.class-names names "
                + classNames.size()
                + " classes.");
      }
    }
  }

  /**
   * Without class names the classes are the labels 0 … the largest one; when some label below the
   * largest never occurs, the largest is taken for a label out of range (an IDX label 200 in a
   * ten-class file) and named with its item, rather than the empty class it creates.
   */
  private static void checkNoGap(
      Path trainFile, Idx.Array train, Path evalFile, Idx.Array eval, int maxLabel) {
    boolean[] seen = new boolean[maxLabel + 1];
    for (Idx.Array a : List.of(train, eval)) {
      for (int i = 0; i < a.count(); i++) {
        seen[a.unsigned(i)] = true;
      }
    }
    int from = 0;
    while (from <= maxLabel && seen[from]) {
      from++;
    }
    if (from > maxLabel) {
      return;
    }
    int to = from;
    while (!seen[to + 1]) {
      to++;
    }
    Path file = trainFile;
    Idx.Array a = train;
    int item = firstWith(train, maxLabel);
    if (item < 0) {
      file = evalFile;
      a = eval;
      item = firstWith(eval, maxLabel);
    }
    throw new BadInputException(
        "Label "
            + maxLabel
            + " of item "
            + (item + 1)
            + " in "
            + file
            + " is out of range of the classes: without task.images.class-names the classes are the"
            + " labels 0 to the largest one, and no image has label "
            + (from == to ? from : from + " to " + to)
            + " (name the classes in task.images.class-names, or correct"
            + " the label).");
  }

  private static int firstWith(Idx.Array labels, int label) {
    for (int i = 0; i < labels.count(); i++) {
      if (labels.unsigned(i) == label) {
        return i;
      }
    }
    return -1;
  }

  private static int max(Idx.Array labels) {
    int m = 0;
    for (int i = 0; i < labels.count(); i++) {
      m = Math.max(m, labels.unsigned(i));
    }
    return m;
  }

  private static String shape(Idx.Array a) {
    return Arrays.toString(a.dims());
  }

  private static int[] rows(int n, int limit, long seed) {
    if (limit <= 0 || limit >= n) {
      int[] all = new int[n];
      Arrays.setAll(all, i -> i);
      return all;
    }
    int[] perm = Seeds.permutation(n, Seeds.stream(seed, "task/images/train-limit"));
    int[] rows = Arrays.copyOf(perm, limit);
    Arrays.sort(rows);
    return rows;
  }

  private Dataset dataset(Idx.Array images, Idx.Array labels, int[] rows) {
    int d = images.itemSize();
    float[] f = new float[rows.length * d];
    int[] l = new int[rows.length];
    for (int k = 0; k < rows.length; k++) {
      int base = rows[k] * d;
      for (int j = 0; j < d; j++) {
        f[k * d + j] = images.unsigned((long) base + j) / 255f;
      }
      l[k] = labels.unsigned(rows[k]);
    }
    return new Dataset(d, classNames.size(), f, l, l.clone(), classNames);
  }

  /** The examples of subtask (or class) {@code name} within a split. */
  private Dataset of(Dataset split, String name) {
    int cls = classNames.indexOf(name);
    if (cls >= 0 && !subtasks.contains(name) || settings.subtasks().equals("per-class")) {
      return split.subtask(name);
    }
    if (name.startsWith(COMPLEMENT_PREFIX)) {
      int k = split.subtaskIndex(name.substring(COMPLEMENT_PREFIX.length()));
      return split.where(i -> split.label(i) != k);
    }
    List<Integer> group = settings.groups().get(name);
    if (group == null) {
      throw new IllegalArgumentException(
          "Unknown subtask " + name + "; the task has " + evalSubtasks);
    }
    boolean[] in = new boolean[classNames.size()];
    group.forEach(k -> in[k] = true);
    return split.where(i -> in[split.label(i)]);
  }

  @Override
  public String name() {
    return "images";
  }

  @Override
  public List<String> subtasks() {
    return subtasks;
  }

  @Override
  public int inputSize() {
    return train.inputSize();
  }

  @Override
  public int numClasses() {
    return classNames.size();
  }

  @Override
  public Dataset trainSplit() {
    return train;
  }

  @Override
  public Dataset evalSplit() {
    return eval;
  }

  @Override
  public Dataset trainExamples(String subtask) {
    return trainViews.computeIfAbsent(subtask, s -> of(train, s));
  }

  @Override
  public List<String> evalSubtasks() {
    return evalSubtasks;
  }

  @Override
  public Dataset evalExamples(String evalSubtask) {
    return evalViews.computeIfAbsent(evalSubtask, s -> of(eval, s));
  }
}
