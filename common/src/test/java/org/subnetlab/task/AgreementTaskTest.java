package org.subnetlab.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.ConfigLoader;
import org.subnetlab.config.Settings;
import org.subnetlab.config.TaskSettings;

/**
 * The agreement grammar: counts, disjoint splits, labels re-derived from the words, and the
 * nearest-noun heuristic failing exactly the attractor subtask.
 */
class AgreementTaskTest {
  @TempDir Path tmp;

  // The test's own lexicon knowledge, written out independently of AgreementTask's tables.
  static final Set<String> ADJECTIVES =
      Set.of("old", "small", "red", "new", "tall", "quiet", "green", "happy");
  static final Set<String> PREPOSITIONS =
      Set.of("near", "behind", "beside", "under", "above", "with", "by", "from");
  static final Set<String> PLURAL_NOUNS =
      Set.of(
          "keys",
          "cabinets",
          "authors",
          "senators",
          "dogs",
          "teachers",
          "cars",
          "books",
          "pilots",
          "farmers",
          "tables",
          "doctors",
          "birds",
          "students",
          "windows",
          "painters",
          "lamps",
          "singers",
          "boxes",
          "children");
  static final Set<String> SINGULAR_NOUNS =
      Set.of(
          "key", "cabinet", "author", "senator", "dog", "teacher", "car", "book", "pilot", "farmer",
          "table", "doctor", "bird", "student", "window", "painter", "lamp", "singer", "box",
          "child");
  static final Map<String, List<String>> VERB_OF_ADVERB =
      Map.of(
          "now", List.of("is", "are"),
          "yesterday", List.of("was", "were"),
          "already", List.of("has", "have"));

  private Settings settings(String... overrides) throws Exception {
    Path f = tmp.resolve("a.conf");
    Files.writeString(f, "model.kind = transformer\ntask.name = agreement\n");
    return ConfigLoader.load(f, List.of(overrides));
  }

  static List<String> words(AgreementTask t, Dataset d, int i) {
    float[] x = new float[d.inputSize()];
    d.copyFeatures(i, x, 0);
    List<String> w = new ArrayList<>();
    for (float f : x) {
      assertThat(f).isEqualTo((float) Math.rint(f));
      w.add(t.words().get((int) f));
    }
    return w;
  }

  static boolean isNoun(String w) {
    return SINGULAR_NOUNS.contains(w) || PLURAL_NOUNS.contains(w);
  }

  /** The verb form the sentence needs: by its adverb and its first noun (the subject). */
  static String correctVerb(List<String> w) {
    int k = 0;
    while (w.get(k).equals("<pad>")) {
      k++;
    }
    List<String> forms = VERB_OF_ADVERB.get(w.get(k));
    String subject = w.stream().filter(AgreementTaskTest::isNoun).findFirst().orElseThrow();
    return forms.get(PLURAL_NOUNS.contains(subject) ? 1 : 0);
  }

  /** The heuristic "agree with the noun nearest the verb", from the words alone. */
  static String nearestNounVerb(List<String> w) {
    int k = 0;
    while (w.get(k).equals("<pad>")) {
      k++;
    }
    List<String> forms = VERB_OF_ADVERB.get(w.get(k));
    for (int p = w.size() - 1; p >= 0; p--) {
      if (isNoun(w.get(p))) {
        return forms.get(PLURAL_NOUNS.contains(w.get(p)) ? 1 : 0);
      }
    }
    throw new AssertionError("no noun in " + w);
  }

  @Test
  void generationFactsCountsSplitsAndLabels() throws Exception {
    Settings s = settings();
    TaskSettings.Agreement a = s.task().agreement();
    assertThat(a.nouns()).isEqualTo(12);
    assertThat(a.verbs()).isEqualTo(2);
    assertThat(a.prepositions()).isEqualTo(4);
    assertThat(a.adjectives()).isEqualTo(4);
    AgreementTask t = (AgreementTask) Tasks.create(s);
    assertThat(t.subtasks()).containsExactly("singular", "plural", "attractor");
    assertThat(t.inputSize()).isEqualTo(8);
    // <pad>, the, 2 adverbs, 12 + 12 nouns, 4 prepositions, 4 adjectives, 2 x 2 verb forms.
    assertThat(t.numClasses()).isEqualTo(2 + 2 + 24 + 4 + 4 + 4).isEqualTo(t.words().size());
    assertThat(new HashSet<>(t.words())).hasSize(t.words().size());
    for (String st : t.subtasks()) {
      assertThat(t.trainSplit().subtask(st).size()).isEqualTo(2000);
      assertThat(t.evalSplit().subtask(st).size()).isEqualTo(300);
    }
    Set<List<String>> trainSentences = new HashSet<>();
    Set<List<String>> evalSentences = new HashSet<>();
    int withPhrase = 0;
    int noPhrase = 0;
    int[] attractorSubjects = new int[2];
    for (Dataset d : List.of(t.trainSplit(), t.evalSplit())) {
      Set<List<String>> into = d == t.trainSplit() ? trainSentences : evalSentences;
      for (int i = 0; i < d.size(); i++) {
        List<String> w = words(t, d, i);
        assertThat(into.add(w)).as("sentence drawn twice: %s", w).isTrue();
        String label = t.words().get(d.label(i));
        assertThat(label).as("%s", w).isEqualTo(correctVerb(w));
        // Grammar: pads, adverb, "the", adjectives, noun, [preposition, "the", adjectives, noun].
        int p = 0;
        while (w.get(p).equals("<pad>")) {
          p++;
        }
        assertThat(VERB_OF_ADVERB).containsKey(w.get(p++));
        List<String> nouns = new ArrayList<>();
        while (p < w.size()) {
          assertThat(w.get(p++)).isEqualTo("the");
          int adj = 0;
          while (ADJECTIVES.contains(w.get(p))) {
            p++;
            adj++;
          }
          assertThat(adj).isLessThanOrEqualTo(1);
          assertThat(isNoun(w.get(p))).as("%s", w).isTrue();
          nouns.add(w.get(p++));
          if (p < w.size()) {
            assertThat(PREPOSITIONS).contains(w.get(p++));
          }
        }
        assertThat(nouns.size()).isBetween(1, 2);
        String st = d.subtaskNames().get(d.subtaskOf(i));
        boolean subjectPlural = PLURAL_NOUNS.contains(nouns.get(0));
        boolean mixed = nouns.size() == 2 && PLURAL_NOUNS.contains(nouns.get(1)) != subjectPlural;
        switch (st) {
          case "singular" -> assertThat(subjectPlural || mixed).isFalse();
          case "plural" -> assertThat(subjectPlural && !mixed).isTrue();
          default -> {
            assertThat(mixed).isTrue();
            attractorSubjects[subjectPlural ? 1 : 0]++;
          }
        }
        if (!st.equals("attractor")) {
          if (nouns.size() == 2) {
            withPhrase++;
          } else {
            noPhrase++;
          }
        }
      }
    }
    Set<List<String>> both = new HashSet<>(trainSentences);
    both.retainAll(evalSentences);
    assertThat(both).isEmpty();
    // phrase-fraction 0.5: about half of the singular/plural sentences have a phrase (the
    // phrase-less ones are fewer: there are only 2 x 12 x 5 = 120 of each number).
    assertThat(noPhrase).isBetween(230, 240);
    assertThat(withPhrase).isEqualTo(2 * 2300 - noPhrase);
    assertThat(attractorSubjects[0] + attractorSubjects[1]).isEqualTo(2300);
    assertThat(attractorSubjects[0]).isBetween(1000, 1300);
  }

  @Test
  void theNearestNounHeuristicFailsOnlyTheAttractorSubtask() throws Exception {
    AgreementTask t = (AgreementTask) Tasks.create(settings());
    Dataset eval = t.evalSplit();
    for (String st : t.subtasks()) {
      Dataset d = eval.subtask(st);
      int right = 0;
      for (int i = 0; i < d.size(); i++) {
        if (nearestNounVerb(words(t, d, i)).equals(t.words().get(d.label(i)))) {
          right++;
        }
      }
      double accuracy = (double) right / d.size();
      if (st.equals("attractor")) {
        assertThat(accuracy).as(st).isEqualTo(0.0);
      } else {
        assertThat(accuracy).as(st).isEqualTo(1.0);
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameSentencesAndAnotherSeedOthers() throws Exception {
    Dataset a = Tasks.create(settings()).evalSplit();
    Dataset b = Tasks.create(settings()).evalSplit();
    Dataset c = Tasks.create(settings("seed = 1")).evalSplit();
    assertThat(a.features()).isEqualTo(b.features());
    assertThat(a.labels()).isEqualTo(b.labels());
    assertThat(a.features()).isNotEqualTo(c.features());
  }

  @Test
  void sizesAreConfigurableAndTooManySentencesAreRefused() throws Exception {
    AgreementTask t =
        (AgreementTask)
            Tasks.create(
                settings(
                    "task.agreement.nouns = 20",
                    "task.agreement.verbs = 3",
                    "task.agreement.prepositions = 8",
                    "task.agreement.adjectives = 8",
                    "task.agreement.max-adjectives = 2",
                    "task.agreement.train-examples-per-subtask = 50",
                    "task.agreement.eval-examples-per-subtask = 10",
                    "model.transformer.context = 10"));
    assertThat(t.inputSize()).isEqualTo(10);
    assertThat(t.numClasses()).isEqualTo(2 + 3 + 40 + 8 + 8 + 6);
    assertThat(t.trainSplit().size()).isEqualTo(150);
    assertThatThrownBy(() -> settings("task.agreement.max-adjectives = 2"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("model.transformer.context")
        .hasMessageContaining("at least 10");
    // 2 nouns, 1 verb, 1 preposition, no adjectives: 2 without a phrase + 2 x 1 x 2 with one.
    assertThatThrownBy(
            () ->
                Tasks.create(
                    settings(
                        "task.agreement.nouns = 2",
                        "task.agreement.verbs = 1",
                        "task.agreement.prepositions = 1",
                        "task.agreement.max-adjectives = 0",
                        "task.agreement.train-examples-per-subtask = 5",
                        "task.agreement.eval-examples-per-subtask = 2")))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Cannot draw 7 distinct singular sentences")
        .hasMessageContaining(": 6 found");
    assertThatThrownBy(() -> settings("task.agreement.nouns = 21"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("task.agreement.nouns");
    Path f = tmp.resolve("mlp.conf");
    Files.writeString(f, "task.name = agreement\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("for model.kind = transformer only");
  }
}
