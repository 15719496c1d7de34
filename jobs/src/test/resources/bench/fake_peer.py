#!/usr/bin/python3
"""Stand-in for the PyTorch peer in BenchTest (the real one needs torch): the peer's arguments and
output format, with figures computed from the arguments, so the test can check what `bench`
passed and how it derived the ratio. It prints a line before its JSON, as real scripts may."""
import argparse, json

p = argparse.ArgumentParser()
p.add_argument("--sizes", required=True)
p.add_argument("--method", choices=["csordas", "cs"], required=True)
p.add_argument("--steps", type=int, required=True)
p.add_argument("--threads", type=int, required=True)
a = p.parse_args()
print("warming up")
per_s = {"csordas": 10.0, "cs": 20.0}[a.method] * (2 if a.sizes == "35,128,128,16" else 1)
per_s += a.steps / 1000 + a.threads / 100
print(json.dumps({"peer": "fake", "method": a.method, "sizes": a.sizes, "batch": 128,
                  "threads": a.threads, "steps_per_s": per_s, "examples_per_s": per_s * 128}))
