#!/usr/bin/python3
"""A PyTorch peer of TransformerTrainer on the demo's task (docs/transformers.md, issue 25).

The same GPT-2-style decoder as org.subnetlab.transformer.Gpt2 (token + position embeddings,
pre-LayerNorm blocks of causal multi-head attention and a GELU MLP, ln_f, tied or untied head),
the same initialisation as TransformerTrainer.initialise (weights N(0, 0.02^2), c_proj weights
N(0, (0.02/sqrt(2L))^2), biases 0, LayerNorm gains 1, embeddings N(0, 1); --embedding-std 0.02
gives GPT-2's embeddings, the plateau docs/transformers.md describes), the same optimiser (Adam, betas 0.9 /
0.999, eps 1e-8, optional decoupled weight decay as AdamW) and schedule (linear warm-up, cosine to
final x peak; TransformerSettings.learningRateAt), and the same data: arithmetic as text mod N,
tokens `a op b =`, the answer token scored at the last position only; the train split draws
`train_per_op` examples per operation uniformly from the N^2 pairs, minibatches draw rows from it
with replacement, the eval split is every pair once (holdout 0). The random streams are torch's,
not Java's, so runs are the same experiment, not the same numbers.

    OMP_NUM_THREADS=1 /usr/bin/python3 common/src/test/python/transformer_demo_peer.py \
        --layers 2 --width 64 --heads 4 --mlp 256 --steps 4000 --batch 64 --lr 0.003

Prints the loss and train/eval accuracy every --log steps, then eval accuracy per operation and
the wall time. Needs Debian's python3-torch; no test runs it.
"""
import argparse
import math
import time

import torch

OPS = ["add", "sub", "mul"]


def answer(a, b, op, n):
    if op == "add":
        return (a + b) % n
    if op == "sub":
        return (a - b) % n
    return (a * b) % n


def table(n):
    """Every pair of every operation once: tokens [3 n^2, 4], labels, operation index."""
    toks, labels, ops = [], [], []
    for o, op in enumerate(OPS):
        for a in range(n):
            for b in range(n):
                toks.append([a, n + o, b, n + len(OPS)])
                labels.append(answer(a, b, op, n))
                ops.append(o)
    return torch.tensor(toks), torch.tensor(labels), torch.tensor(ops)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


class Gpt2(torch.nn.Module):
    def __init__(self, vocab, context, layers, width, heads, mlp, tied, activation, emb_std):
        super().__init__()
        self.layers, self.width, self.heads, self.tied = layers, width, heads, tied
        self.act = gelu_new if activation == "gelu_new" else torch.nn.functional.gelu
        P = torch.nn.Parameter
        std, proj = 0.02, 0.02 / math.sqrt(2.0 * layers)
        self.wte = P(torch.randn(vocab, width) * emb_std)
        self.wpe = P(torch.randn(context, width) * emb_std)
        self.blocks = torch.nn.ModuleList()
        for _ in range(layers):
            blk = torch.nn.ParameterDict({
                "ln_1_w": P(torch.ones(width)), "ln_1_b": P(torch.zeros(width)),
                "c_attn_w": P(torch.randn(width, 3 * width) * std),
                "c_attn_b": P(torch.zeros(3 * width)),
                "c_proj_w": P(torch.randn(width, width) * proj), "c_proj_b": P(torch.zeros(width)),
                "ln_2_w": P(torch.ones(width)), "ln_2_b": P(torch.zeros(width)),
                "fc_w": P(torch.randn(width, mlp) * std), "fc_b": P(torch.zeros(mlp)),
                "out_w": P(torch.randn(mlp, width) * proj), "out_b": P(torch.zeros(width)),
            })
            self.blocks.append(blk)
        self.ln_f_w = P(torch.ones(width))
        self.ln_f_b = P(torch.zeros(width))
        if not tied:
            self.lm_head = P(torch.randn(vocab, width) * emb_std)

    def forward(self, tokens):
        """Logits [B, V] at the last position of token ids [B, T]."""
        b, t = tokens.shape
        d, h = self.width, self.heads
        hd = d // h
        ln = torch.nn.functional.layer_norm
        x = self.wte[tokens] + self.wpe[:t]
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        for blk in self.blocks:
            a = ln(x, (d,), blk["ln_1_w"], blk["ln_1_b"], 1e-5)
            q, k, v = (a @ blk["c_attn_w"] + blk["c_attn_b"]).split(d, dim=-1)
            q, k, v = (z.view(b, t, h, hd).transpose(1, 2) for z in (q, k, v))
            s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
            s = s.masked_fill(~causal, float("-inf"))
            y = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
            x = x + y @ blk["c_proj_w"] + blk["c_proj_b"]
            m = ln(x, (d,), blk["ln_2_w"], blk["ln_2_b"], 1e-5)
            x = x + self.act(m @ blk["fc_w"] + blk["fc_b"]) @ blk["out_w"] + blk["out_b"]
        x = ln(x[:, -1], (d,), self.ln_f_w, self.ln_f_b, 1e-5)
        return x @ (self.wte if self.tied else self.lm_head).t()


def lr_at(t, a):
    if t < a.warmup:
        return a.lr * (t + 1) / a.warmup
    progress = (t - a.warmup) / max(1, a.steps - a.warmup)
    return a.lr * (a.final + (1 - a.final) * 0.5 * (1 + math.cos(math.pi * progress)))


def accuracy(model, toks, labels, ops):
    with torch.no_grad():
        right = model(toks).argmax(-1) == labels
    return right.float().mean().item(), [right[ops == o].float().mean().item() for o in range(3)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--modulus", type=int, default=16)
    p.add_argument("--train-per-op", type=int, default=4096)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--mlp", type=int, default=256)
    p.add_argument("--untied", action="store_true")
    p.add_argument("--activation", default="gelu_new")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.003)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--final", type=float, default=0.05)
    p.add_argument("--beta2", type=float, default=0.999)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--embedding-std", type=float, default=1.0,
                   help="wte/wpe/lm_head init std: 1.0 as TransformerTrainer, 0.02 as GPT-2")
    p.add_argument("--log", type=int, default=500)
    p.add_argument("--full", action="store_true", help="every step on the whole table once")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    n = a.modulus
    toks, labels, ops = table(n)
    vocab = n + len(OPS) + 1
    # train split: train_per_op uniform draws per operation from its n^2 pairs
    pick = torch.cat([o * n * n + torch.randint(n * n, (a.train_per_op,)) for o in range(3)])
    tr_toks, tr_labels = toks[pick], labels[pick]
    model = Gpt2(vocab, 8, a.layers, a.width, a.heads, a.mlp, not a.untied, a.activation,
                 a.embedding_std)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, a.beta2), eps=1e-8,
                            weight_decay=a.weight_decay)
    start = time.time()
    for t in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(t, a)
        if a.full:
            loss = torch.nn.functional.cross_entropy(model(toks), labels)
        else:
            rows = torch.randint(len(pick), (a.batch,))
            loss = torch.nn.functional.cross_entropy(model(tr_toks[rows]), tr_labels[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (t + 1) % a.log == 0 or t + 1 == a.steps:
            acc, _ = accuracy(model, toks, labels, ops)
            print(f"step {t + 1} loss {loss.item():.4f} eval acc {acc:.3f}"
                  f" ({time.time() - start:.0f} s)", flush=True)
    acc, per = accuracy(model, toks, labels, ops)
    print("eval ALL / add / sub / mul: %.3f / %.3f / %.3f / %.3f; %.0f s"
          % (acc, per[0], per[1], per[2], time.time() - start))


if __name__ == "__main__":
    main()
