package org.subnetlab.mask;

import java.util.Map;

/**
 * Lottery tickets by iterative magnitude pruning with rewinding (Frankle & Carbin, ICLR 2019).
 *
 * <p>Start from the initial weights θ_init with every weight kept. Each of R rounds trains the kept
 * weights on the subtask for {@code steps} Adam steps, then, in each weight matrix ({@code *_W}),
 * keeps the round((1 − p)^r · n) largest |θ| among the weights still kept (r = round number, n = the
 * matrix size), and rewinds the kept weights to θ_init. Biases are never pruned (as in the paper).
 * The mask of the last round is the ticket.
 */
public final class LotteryTicketMethod implements MaskMethod {
  public static final String ID = "lottery-ticket";

  private final int rounds;
  private final double pruneFraction;
  private final int steps;
  private final int batchSize;
  private final double learningRate;

  public LotteryTicketMethod(Map<String, Double> hp) {
    this.rounds = hp.get("rounds").intValue();
    this.pruneFraction = hp.get("prune-fraction");
    this.steps = hp.get("steps").intValue();
    this.batchSize = hp.get("batch-size").intValue();
    this.learningRate = hp.get("learning-rate");
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public double work() {
    return (double) rounds * steps * batchSize;
  }

  /** Weights a matrix of n keeps after round r: round((1 − p)^r · n). */
  public static int keptAfter(int round, double pruneFraction, int n) {
    return (int) Math.round(Math.pow(1 - pruneFraction, round) * n);
  }

  @Override
  public MaskTrainingResult train(MaskContext ctx) {
    if (ctx.initialTheta() == null) {
      throw new IllegalStateException("lottery-ticket needs the model's initial weights");
    }
    boolean[] weights = TopK.weightsOnly(ctx.layout());
    float[] biasBits = new float[weights.length];
    for (int i = 0; i < weights.length; i++) {
      biasBits[i] = weights[i] ? 0f : 1f;
    }
    Mask biases = Mask.positive(ctx.layout(), biasBits);
    Mask mask = Mask.full(ctx.layout());
    float[] losses = new float[rounds * steps];
    float[] densities = new float[rounds * steps];
    float[] start = new float[ctx.theta().length];
    for (int r = 1; r <= rounds; r++) {
      mask.apply(ctx.initialTheta(), start); // rewind: kept weights at θ_init, pruned at 0
      boolean[] kept = TopK.kept(mask);
      FineTuner.Tuned tuned =
          FineTuner.train(ctx, start, kept, steps, batchSize, learningRate,
              FineTuner.Optimizer.ADAM);
      System.arraycopy(tuned.losses(), 0, losses, (r - 1) * steps, steps);
      float[] score = new float[start.length];
      boolean[] candidates = new boolean[start.length];
      for (int i = 0; i < score.length; i++) {
        score[i] = Math.abs(tuned.params()[i]);
        candidates[i] = weights[i] && kept[i];
      }
      final int round = r;
      Mask next = TopK.select(ctx.layout(), score, candidates, TopK.Scope.PER_LAYER,
          (size, n) -> keptAfter(round, pruneFraction, size), TopK.Others.DROP).or(biases);
      double density = (double) next.kept() / start.length;
      java.util.Arrays.fill(densities, (r - 1) * steps, r * steps, (float) density);
      mask = next;
    }
    return new MaskTrainingResult(mask, (long) rounds * steps, TrainingLoop.tailMean(losses), losses,
        densities);
  }
}
