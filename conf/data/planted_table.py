#!/usr/bin/env python3
"""Writes conf/data/planted-table.csv, the planted-truth table task (docs/tasks.md, "planted table task").

Two subtasks, a and b, share one binary label and one model. Every row has twelve independent fair
bits: a0..a3 (subtask a's features), b0..b3 (subtask b's features) and n0..n3 (noise, read by
neither label), plus the subtask indicator as a one-hot pair task_a, task_b (the input that tells
one model which function to compute, as the arithmetic demo's one-hot operation does). The label is
  subtask a:  (a0 and a1) or (a2 and a3)
  subtask b:  (b0 and b1) or (b2 and b3)
a function that needs a hidden layer (it is not linearly separable) and has no parity in it.
Deterministic: Python's Mersenne Twister seeded with SEED; the same file on every machine.
  python3 conf/data/planted_table.py > conf/data/planted-table.csv
"""
import random
import sys

SEED = 22
TRAIN_PER_SUBTASK = 1500
EVAL_PER_SUBTASK = 500


def label(x0, x1, x2, x3):
    return int((x0 and x1) or (x2 and x3))


def main(out):
    rng = random.Random(SEED)
    cols = ([f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)]
            + [f"n{i}" for i in range(4)] + ["task_a", "task_b", "label", "subtask", "split"])
    out.write(",".join(cols) + "\n")
    for split, n in (("train", TRAIN_PER_SUBTASK), ("eval", EVAL_PER_SUBTASK)):
        for _ in range(n):
            for subtask in ("a", "b"):
                bits = [rng.getrandbits(1) for _ in range(12)]
                a, b = bits[0:4], bits[4:8]
                y = label(*a) if subtask == "a" else label(*b)
                ind = [1, 0] if subtask == "a" else [0, 1]
                out.write(",".join(str(v) for v in bits + ind + [y]) + f",{subtask},{split}\n")


if __name__ == "__main__":
    main(sys.stdout)
