#!/usr/bin/env python3
"""Writes the PyTorch reference of subnetlab's hard-concrete mask loss (HardConcreteFixtureTest).

A 5-6-3 tanh MLP with a softmax output and mean cross-entropy, its parameters in DL4J's flat order
(0_W, 0_b, 1_W, 1_b; a weight matrix column-major: entry (in, out) at in + nIn * out), 16 examples,
log-alpha per parameter and fixed uniform noise u, all drawn here as float32. torch computes, in
float64 from those float32 values, the loss

    CE(theta * z) + lambda * sum sigmoid(log_alpha - beta * log(-gamma / zeta)),
    z = clamp(sigmoid((log u - log(1 - u) + log_alpha) / beta) * (zeta - gamma) + gamma, 0, 1),

and its autograd gradient w.r.t. log_alpha, once with every parameter gated (mask-biases 1) and
once with the biases ungated (z = 1, outside the penalty; mask-biases 0). The log-alphas are spread
wide enough that some gates are clipped at 0 and at 1.

Run with Debian's python3-torch:
    /usr/bin/python3 common/src/test/python/make_hard_concrete_fixture.py \
        common/src/test/resources/hard-concrete/fixture.json
"""
import json
import sys

import torch

N_IN, HIDDEN, CLASSES, ROWS = 5, 6, 3, 16
LAMBDA, BETA, GAMMA, ZETA = 0.05, 2.0 / 3.0, -0.1, 1.1


def main(out):
    g = torch.Generator().manual_seed(2025)
    sizes = [("0_W", N_IN * HIDDEN), ("0_b", HIDDEN), ("1_W", HIDDEN * CLASSES), ("1_b", CLASSES)]
    n = sum(s for _, s in sizes)
    theta = (torch.randn(n, generator=g) * 0.7).float()
    log_alpha = (torch.randn(n, generator=g) * 2.0).float()
    u = (0.01 + 0.98 * torch.rand(n, generator=g)).float()
    x = torch.randn(ROWS, N_IN, generator=g).float()
    y = torch.randint(0, CLASSES, (ROWS,), generator=g)
    bias = torch.zeros(n, dtype=torch.bool)
    offset = 0
    for name, size in sizes:
        if name.endswith("_b"):
            bias[offset:offset + size] = True
        offset += size

    cases = []
    for mask_biases in (1, 0):
        maskable = torch.ones(n, dtype=torch.bool) if mask_biases else ~bias
        la = log_alpha.double().clone().requires_grad_(True)
        ud = u.double()
        s = torch.sigmoid((torch.log(ud) - torch.log(1 - ud) + la) / BETA)
        z = torch.clamp(s * (ZETA - GAMMA) + GAMMA, 0.0, 1.0)
        z = torch.where(maskable, z, torch.ones_like(z))
        eff = theta.double() * z
        w0 = eff[0:30].reshape(HIDDEN, N_IN).t()  # column-major (in, out)
        b0 = eff[30:36]
        w1 = eff[36:54].reshape(CLASSES, HIDDEN).t()
        b1 = eff[54:57]
        logits = torch.tanh(x.double() @ w0 + b0) @ w1 + b1
        ce = torch.nn.functional.cross_entropy(logits, y)
        l0 = torch.sigmoid(la - BETA * torch.log(torch.tensor(-GAMMA / ZETA, dtype=torch.float64)))
        loss = ce + LAMBDA * torch.sum(torch.where(maskable, l0, torch.zeros_like(l0)))
        loss.backward()
        clipped = int(((z == 0) | (z == 1)).logical_and(maskable).sum())
        cases.append({
            "maskBiases": mask_biases,
            "loss": loss.item(),
            "gradient": la.grad.tolist(),
            "clippedGates": clipped,
        })

    fixture = {
        "generator": "common/src/test/python/make_hard_concrete_fixture.py, torch " + torch.__version__,
        "nIn": N_IN, "hidden": HIDDEN, "classes": CLASSES,
        "lambda": LAMBDA, "beta": BETA, "leftStretch": GAMMA, "rightStretch": ZETA,
        "theta": [float(v) for v in theta.tolist()],
        "logAlpha": [float(v) for v in log_alpha.tolist()],
        "u": [float(v) for v in u.tolist()],
        "x": [float(v) for v in x.reshape(-1).tolist()],
        "y": [int(v) for v in y.tolist()],
        "cases": cases,
    }
    with open(out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
