package org.subnetlab.task;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.subnetlab.config.BadInputException;
import org.subnetlab.config.TaskSettings;

/**
 * Subject-verb number agreement from a small generated grammar, for a transformer (issue 25):
 *
 * <pre>
 *   sentence = adverb "the" adjective* noun [ preposition "the" adjective* noun ]
 * </pre>
 *
 * left-padded with {@code <pad>} to {@link TaskSettings.Agreement#sequenceLength()} tokens (6 + 2 ×
 * max-adjectives), so the sentence's last word is always at the last position, where the decoder
 * predicts. The label is the verb form that follows: the adverb picks the verb ({@code now} → is /
 * are, {@code yesterday} → was / were, {@code already} → has / have) and the subject's number picks
 * its form. Each noun has 0 to max-adjectives adjectives (uniformly many, each uniform).
 *
 * <p>Subtasks: {@code singular} and {@code plural} (a subject of that number, and no noun of the
 * other number: a prepositional phrase with probability {@code phrase-fraction}, its noun of the
 * same number), and {@code attractor} (always a prepositional phrase whose noun has the other
 * number, subjects singular or plural with probability ½: "now the key near the cabinets" → is). A
 * model that agrees with the noun nearest the verb is right on singular and plural and wrong on
 * every attractor sentence.
 *
 * <p>Splits: per subtask, distinct sentences drawn from a stream of the seed ({@code
 * task/agreement/<subtask>}), rejecting any sentence drawn before (in any subtask), {@code
 * eval-examples-per-subtask + train-examples-per-subtask} of them; shuffled by the stream {@code
 * task/agreement/split/<subtask>}, the first {@code eval-examples-per-subtask} form the eval split
 * and the rest the train split, so no sentence is in both and both hold the same mix.
 *
 * <p>Vocabulary ({@link #words()}): 0 {@code <pad>}, 1 {@code the}, then the adverbs (one per
 * verb), the singular nouns, the plural nouns (in the same order), the prepositions, the
 * adjectives, and per verb its singular and plural form.
 */
public final class AgreementTask implements Task {
  public static final List<String> SUBTASKS = List.of("singular", "plural", "attractor");

  /** Singular and plural forms, in lexicon order (task.agreement.nouns takes the first ones). */
  static final String[][] NOUNS = {
    {"key", "keys"}, {"cabinet", "cabinets"}, {"author", "authors"}, {"senator", "senators"},
    {"dog", "dogs"}, {"teacher", "teachers"}, {"car", "cars"}, {"book", "books"},
    {"pilot", "pilots"}, {"farmer", "farmers"}, {"table", "tables"}, {"doctor", "doctors"},
    {"bird", "birds"}, {"student", "students"}, {"window", "windows"}, {"painter", "painters"},
    {"lamp", "lamps"}, {"singer", "singers"}, {"box", "boxes"}, {"child", "children"}
  };

  /** Per verb: the adverb that selects it, its singular and its plural form. */
  static final String[][] VERBS = {
    {"now", "is", "are"}, {"yesterday", "was", "were"}, {"already", "has", "have"}
  };

  static final String[] PREPOSITIONS = {
    "near", "behind", "beside", "under", "above", "with", "by", "from"
  };
  static final String[] ADJECTIVES = {
    "old", "small", "red", "new", "tall", "quiet", "green", "happy"
  };

  public static final int PAD = 0;
  public static final int THE = 1;

  private final TaskSettings.Agreement s;
  private final int length;
  private final List<String> words;
  private final Dataset train;
  private final Dataset eval;

  public AgreementTask(TaskSettings.Agreement settings, long seed) {
    if (settings.nouns() > NOUNS.length
        || settings.verbs() > VERBS.length
        || settings.prepositions() > PREPOSITIONS.length
        || settings.adjectives() > ADJECTIVES.length) {
      throw new IllegalArgumentException("more words than the lexicon has: " + settings);
    }
    this.s = settings;
    this.length = settings.sequenceLength();
    List<String> w = new ArrayList<>(List.of("<pad>", "the"));
    for (int k = 0; k < s.verbs(); k++) {
      w.add(VERBS[k][0]);
    }
    for (int plural = 0; plural < 2; plural++) {
      for (int i = 0; i < s.nouns(); i++) {
        w.add(NOUNS[i][plural]);
      }
    }
    w.addAll(List.of(PREPOSITIONS).subList(0, s.prepositions()));
    w.addAll(List.of(ADJECTIVES).subList(0, s.adjectives()));
    for (int k = 0; k < s.verbs(); k++) {
      w.add(VERBS[k][1]);
      w.add(VERBS[k][2]);
    }
    this.words = List.copyOf(w);
    int n = s.evalExamplesPerSubtask();
    int m = s.trainExamplesPerSubtask();
    float[][] evalTok = new float[SUBTASKS.size()][];
    float[][] trainTok = new float[SUBTASKS.size()][];
    int[][] evalLab = new int[SUBTASKS.size()][];
    int[][] trainLab = new int[SUBTASKS.size()][];
    Set<String> seen = new HashSet<>();
    for (int st = 0; st < SUBTASKS.size(); st++) {
      SplittableRandom rng = Seeds.stream(seed, "task/agreement/" + SUBTASKS.get(st));
      float[] tok = new float[(n + m) * length];
      int[] lab = new int[n + m];
      int[] sentence = new int[length];
      long draws = 0;
      long maxDraws = 200L * (n + m) + 10_000;
      for (int got = 0; got < n + m; ) {
        if (++draws > maxDraws) {
          throw new BadInputException(
              "Cannot draw "
                  + (n + m)
                  + " distinct "
                  + SUBTASKS.get(st)
                  + " sentences for task.name = agreement: "
                  + got
                  + " found in "
                  + maxDraws
                  + " draws. Lower task.agreement.train-examples-per-subtask or"
                  + " eval-examples-per-subtask, or raise nouns, adjectives or max-adjectives.");
        }
        int label = draw(rng, st, sentence);
        StringBuilder key = new StringBuilder();
        for (int t : sentence) {
          key.append(t).append(',');
        }
        if (!seen.add(key.toString())) {
          continue;
        }
        for (int p = 0; p < length; p++) {
          tok[got * length + p] = sentence[p];
        }
        lab[got] = label;
        got++;
      }
      // Shuffled (seeded) before the split, so that both splits hold the same mix: the rare
      // sentences (those without a phrase) are drawn out early and would crowd the first ones.
      int[] order = shuffled(n + m, Seeds.stream(seed, "task/agreement/split/" + SUBTASKS.get(st)));
      evalTok[st] = new float[n * length];
      evalLab[st] = new int[n];
      trainTok[st] = new float[m * length];
      trainLab[st] = new int[m];
      for (int k = 0; k < n + m; k++) {
        boolean toEval = k < n;
        int at = toEval ? k : k - n;
        System.arraycopy(
            tok, order[k] * length, toEval ? evalTok[st] : trainTok[st], at * length, length);
        (toEval ? evalLab[st] : trainLab[st])[at] = lab[order[k]];
      }
    }
    this.eval = join(evalTok, evalLab);
    this.train = join(trainTok, trainLab);
  }

  private static int[] shuffled(int n, SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int x = p[i];
      p[i] = p[j];
      p[j] = x;
    }
    return p;
  }

  /** Draws one sentence of subtask {@code st} into {@code out} (left-padded); returns its label. */
  private int draw(SplittableRandom rng, int st, int[] out) {
    int verb = rng.nextInt(s.verbs());
    boolean pluralSubject =
        switch (SUBTASKS.get(st)) {
          case "singular" -> false;
          case "plural" -> true;
          default -> rng.nextBoolean();
        };
    boolean attractor = st == 2;
    boolean phrase = attractor || rng.nextDouble() < s.phraseFraction();
    List<Integer> w = new ArrayList<>(length);
    w.add(adverbToken(verb));
    nounPhrase(rng, pluralSubject, w);
    if (phrase) {
      w.add(prepositionToken(rng.nextInt(s.prepositions())));
      nounPhrase(rng, attractor != pluralSubject, w);
    }
    int pad = length - w.size();
    java.util.Arrays.fill(out, 0, pad, PAD);
    for (int i = 0; i < w.size(); i++) {
      out[pad + i] = w.get(i);
    }
    return verbToken(verb, pluralSubject);
  }

  private void nounPhrase(SplittableRandom rng, boolean plural, List<Integer> w) {
    w.add(THE);
    int adjectives = rng.nextInt(s.maxAdjectives() + 1);
    for (int a = 0; a < adjectives; a++) {
      w.add(adjectiveToken(rng.nextInt(s.adjectives())));
    }
    w.add(nounToken(rng.nextInt(s.nouns()), plural));
  }

  private Dataset join(float[][] tok, int[][] lab) {
    int total = 0;
    for (int[] l : lab) {
      total += l.length;
    }
    float[] f = new float[total * length];
    int[] labels = new int[total];
    int[] sub = new int[total];
    int k = 0;
    for (int st = 0; st < tok.length; st++) {
      System.arraycopy(tok[st], 0, f, k * length, tok[st].length);
      System.arraycopy(lab[st], 0, labels, k, lab[st].length);
      java.util.Arrays.fill(sub, k, k + lab[st].length, st);
      k += lab[st].length;
    }
    return new Dataset(length, words.size(), f, labels, sub, SUBTASKS);
  }

  /** The word of every token id (index = id). */
  public List<String> words() {
    return words;
  }

  /** The token of the adverb that selects verb {@code k}. */
  public int adverbToken(int k) {
    return 2 + k;
  }

  /** The token of noun {@code i}, singular or plural. */
  public int nounToken(int i, boolean plural) {
    return 2 + s.verbs() + (plural ? s.nouns() : 0) + i;
  }

  public int prepositionToken(int i) {
    return 2 + s.verbs() + 2 * s.nouns() + i;
  }

  public int adjectiveToken(int i) {
    return 2 + s.verbs() + 2 * s.nouns() + s.prepositions() + i;
  }

  /** The token of verb {@code k}'s singular or plural form. */
  public int verbToken(int k, boolean plural) {
    return 2
        + s.verbs()
        + 2 * s.nouns()
        + s.prepositions()
        + s.adjectives()
        + 2 * k
        + (plural ? 1 : 0);
  }

  @Override
  public String name() {
    return "agreement";
  }

  @Override
  public List<String> subtasks() {
    return SUBTASKS;
  }

  /** Tokens per sentence, padding included. */
  @Override
  public int inputSize() {
    return length;
  }

  /** Classes are tokens: the head scores the whole vocabulary. */
  @Override
  public int numClasses() {
    return words.size();
  }

  @Override
  public Dataset trainSplit() {
    return train;
  }

  @Override
  public Dataset evalSplit() {
    return eval;
  }
}
