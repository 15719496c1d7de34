#!/usr/bin/python3
"""Stand-in for the PyTorch transformer peer in TransformerBenchTest (the real one needs torch): the
peer's arguments and output format, with figures computed from the arguments, so the test can check
what `bench` passed and how it derived the ratio."""
import argparse, json

p = argparse.ArgumentParser()
for k in ["--vocab", "--context", "--d-model", "--heads", "--layers", "--d-ff", "--batch", "--steps", "--threads"]:
    p.add_argument(k, type=int, required=True)
p.add_argument("--method", choices=["csordas", "cs", "hard-concrete"], required=True)
a = p.parse_args()
assert (a.vocab, a.context, a.d_model, a.heads, a.layers, a.d_ff, a.batch) == (64, 16, 128, 4, 2, 512, 32), a
per_s = {"csordas": 1.0, "cs": 2.0, "hard-concrete": 3.0}[a.method] + a.steps / 1000 + a.threads / 100
print(json.dumps({"peer": "fake", "method": a.method, "batch": a.batch, "threads": a.threads,
                  "steps_per_s": per_s, "tokens_per_s": per_s * a.batch * a.context}))
