package org.subnetlab.mask;

import java.util.List;
import java.util.Map;
import org.subnetlab.config.HyperParameter;
import org.subnetlab.config.Hyperparameters;
import org.subnetlab.config.MethodDeclaration;
import org.subnetlab.model.ParamLayout;

/**
 * Lottery tickets by iterative magnitude pruning with rewinding (Frankle & Carbin, ICLR 2019).
 *
 * <p>Start from the initial weights θ_init with every weight kept. Each of R rounds trains the kept
 * weights on the subtask for {@code steps} Adam steps, then, in each weight matrix, keeps the
 * round((1 − p_l)^r · n) largest |θ| among the weights still kept (r = round number, n = the matrix
 * size), and rewinds the kept weights to θ_init. The mask of the last round is the ticket. p_l is
 * {@code prune-fraction} for every layer but the output layer, whose rate is {@code
 * output-prune-ratio} × {@code prune-fraction}: 0.5 by default, as the paper prunes "connections to
 * output" at half the rate of the other layers (sec. 2, fig. 2; e.g. 20 % per round for Lenet's
 * hidden layers, 10 % for its output layer). The output layer is the one whose blocks share the
 * name prefix of the last parameter block ({@code 2_W}, {@code 2_b} of a two-hidden-layer MLP); of
 * a GPT-2, the head's matrix ({@link #outputBlocks}). Biases are never pruned with {@code
 * mask-biases = 0} (the default, as in the paper); with 1 each bias vector is pruned like its
 * layer's matrix, at that layer's rate.
 */
public final class LotteryTicketMethod implements MaskMethod {
  public static final String ID = "lottery-ticket";

  /** The paper prunes the output layer at half the rate. */
  static final double OUTPUT_PRUNE_RATIO_DEFAULT = 0.5;

  /** The paper never prunes biases. */
  static final boolean MASK_BIASES_DEFAULT = false;

  private final int rounds;
  private final double pruneFraction;
  private final double outputPruneRatio;
  private final boolean maskBiases;
  private final int steps;
  private final int batchSize;
  private final double learningRate;

  /** Its hyperparameters (reference.conf, block {@code masks.lottery-ticket}). */
  public static final MethodDeclaration DECLARATION =
      MethodDeclaration.of(
              ID,
              "iterative magnitude pruning with rewinding to the initial weights",
              HyperParameter.integer(
                  "steps", 1, 10_000_000, 600, "Adam steps of training per round"),
              HyperParameter.integer("batch-size", 1, 65_536, 128, "examples per step"),
              HyperParameter.real("learning-rate", 0, true, 10, 0.003, "Adam learning rate"),
              HyperParameter.integer("rounds", 1, 100, 3, "R: pruning rounds")
                  .regulariser(+1, List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0)),
              HyperParameter.real(
                  "prune-fraction",
                  0,
                  true,
                  0.99,
                  0.5,
                  "p: fraction of the remaining weights pruned per round"),
              HyperParameter.real(
                  "output-prune-ratio",
                  0,
                  false,
                  1,
                  OUTPUT_PRUNE_RATIO_DEFAULT,
                  "the output layer's rate as a multiple of p"),
              Maskable.parameter(
                  MASK_BIASES_DEFAULT,
                  "each bias vector is pruned like its layer's"
                      + " matrix (1) or never pruned (0)"))
          .needsInitialWeights("rewinds to the model's initial weights");

  public LotteryTicketMethod(Hyperparameters hp) {
    this.rounds = hp.integer("rounds");
    this.pruneFraction = hp.real("prune-fraction");
    this.outputPruneRatio = hp.real("output-prune-ratio");
    this.maskBiases = hp.flag("mask-biases");
    this.steps = hp.integer("steps");
    this.batchSize = hp.integer("batch-size");
    this.learningRate = hp.real("learning-rate");
  }

  /** The method at these values, missing keys at their defaults (for tests). */
  LotteryTicketMethod(Map<String, Double> hp) {
    this(DECLARATION.values(hp));
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

  /**
   * Per parameter block: is it part of the output layer. For a GPT-2 (Hugging Face names) the
   * output layer is the head's matrix: {@code lm_head.weight} when untied, {@code wte.weight} (the
   * token embedding the tied head multiplies by) when tied — not {@code ln_f}, which the prefix
   * rule would give. Otherwise the blocks sharing the name prefix of the last block ({@code 2_W},
   * {@code 2_b} of a two-hidden-layer MLP).
   */
  static boolean[] outputBlocks(ParamLayout layout) {
    boolean[] out = new boolean[layout.layers()];
    if (layout.layers() == 0) {
      return out;
    }
    int head = -1;
    for (int l = 0; l < out.length; l++) {
      if (layout.name(l).equals("lm_head.weight")
          || (head < 0 && layout.name(l).equals("wte.weight"))) {
        head = l;
      }
    }
    if (head >= 0) {
      out[head] = true;
      return out;
    }
    String last = prefix(layout.name(layout.layers() - 1));
    for (int l = 0; l < out.length; l++) {
      out[l] = prefix(layout.name(l)).equals(last);
    }
    return out;
  }

  private static String prefix(String block) {
    int u = block.lastIndexOf('_');
    return u < 0 ? block : block.substring(0, u);
  }

  @Override
  public MaskTrainingResult train(MaskContext ctx) {
    if (ctx.initialTheta() == null) {
      throw new IllegalStateException("lottery-ticket needs the model's initial weights");
    }
    ParamLayout layout = ctx.layout();
    boolean[] prunable = Maskable.of(layout, maskBiases);
    Mask fixed = Maskable.fixedMask(layout, prunable);
    boolean[] output = outputBlocks(layout);
    Mask mask = Mask.full(layout);
    float[] losses = new float[rounds * steps];
    float[] densities = new float[rounds * steps];
    float[] start = new float[ctx.theta().length];
    for (int r = 1; r <= rounds; r++) {
      mask.apply(ctx.initialTheta(), start); // rewind: kept weights at θ_init, pruned at 0
      boolean[] kept = TopK.kept(mask);
      FineTuner.Tuned tuned =
          FineTuner.train(
              ctx, start, kept, steps, batchSize, learningRate, FineTuner.Optimizer.ADAM);
      System.arraycopy(tuned.losses(), 0, losses, (r - 1) * steps, steps);
      float[] score = new float[start.length];
      boolean[] candidates = new boolean[start.length];
      for (int i = 0; i < score.length; i++) {
        score[i] = Math.abs(tuned.params()[i]);
        candidates[i] = prunable[i] && kept[i];
      }
      final int round = r;
      Mask next = fixed;
      for (int l = 0; l < layout.layers(); l++) {
        double p = output[l] ? pruneFraction * outputPruneRatio : pruneFraction;
        boolean[] inLayer = new boolean[start.length];
        for (int i = layout.offset(l); i < layout.offset(l) + layout.size(l); i++) {
          inLayer[i] = candidates[i];
        }
        next =
            next.or(
                TopK.select(
                    layout,
                    score,
                    inLayer,
                    TopK.Scope.PER_LAYER,
                    (size, n) -> keptAfter(round, p, size),
                    TopK.Others.DROP));
      }
      double density = (double) next.kept() / start.length;
      java.util.Arrays.fill(densities, (r - 1) * steps, r * steps, (float) density);
      mask = next;
    }
    return new MaskTrainingResult(
        mask, (long) rounds * steps, TrainingLoop.tailMean(losses), losses, densities);
  }
}
