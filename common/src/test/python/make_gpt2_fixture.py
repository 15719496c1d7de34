#!/usr/bin/python3
"""Writes the tiny GPT-2 fixture of Gpt2FixtureTest (common/src/test/resources/gpt2-tiny/).

A randomly initialised GPT-2 in plain PyTorch, laid out as Hugging Face's GPT2LMHeadModel saves it
(no `transformers` package needed): `config.json` and `model.safetensors` (names with the
`transformer.` prefix, Conv1D weights [in, out], the `.attn.bias` / `.attn.masked_bias` buffers an
older checkpoint carries), and `expected.safetensors` with token batches, targets, logits, losses and
autograd gradients, all computed in float64 from the float32 weights that were saved.

Regenerate (needs Debian's python3-torch and python3-numpy; CI only reads the committed files):
    /usr/bin/python3 common/src/test/python/make_gpt2_fixture.py common/src/test/resources/gpt2-tiny

Weights are drawn wider than GPT-2's init (std 0.2 instead of 0.02, LayerNorm gains and every bias
random) so that attention is not uniform, GELU's curvature matters and no gradient is near zero.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

L, D, H, V, T = 2, 32, 4, 50, 16
FF = 4 * D  # n_inner null -> 4 * n_embd
EPS = 1e-5


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def layer_norm(x, g, b):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), g, b, EPS)


def forward(w, tokens, head_mask=None):
    """GPT-2 logits [B, T, V] for token ids [B, T]; w maps HF names (no prefix) to tensors.

    head_mask: None or [L, H] of 0/1, multiplied into the attention probabilities as Hugging
    Face's GPT2Attention does with its head_mask argument (a 0 silences that head).
    """
    b, t = tokens.shape
    hd = D // H
    x = w["wte.weight"][tokens] + w["wpe.weight"][:t]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(L):
        p = f"h.{i}."
        a = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(D, dim=-1)
        q, k, v = (z.view(b, t, H, hd).transpose(1, 2) for z in (q, k, v))
        s = q @ k.transpose(-1, -2) / math.sqrt(hd)
        s = torch.where(causal, s, torch.tensor(torch.finfo(s.dtype).min, dtype=s.dtype))
        probs = torch.softmax(s, dim=-1)
        if head_mask is not None:
            probs = probs * head_mask[i].to(probs.dtype).view(1, H, 1, 1)
        y = (probs @ v).transpose(1, 2).reshape(b, t, D)
        x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        f = gelu_new(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + f @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"])
    return x @ w["wte.weight"].t()  # tied head


def loss_of(logits, targets):
    """Mean cross-entropy over the positions whose target is not -1."""
    return torch.nn.functional.cross_entropy(
        logits.reshape(-1, V), targets.reshape(-1), ignore_index=-1, reduction="mean")


def shapes():
    s = {"wte.weight": (V, D), "wpe.weight": (T, D)}
    for i in range(L):
        p = f"h.{i}."
        s.update({p + "ln_1.weight": (D,), p + "ln_1.bias": (D,),
                  p + "attn.c_attn.weight": (D, 3 * D), p + "attn.c_attn.bias": (3 * D,),
                  p + "attn.c_proj.weight": (D, D), p + "attn.c_proj.bias": (D,),
                  p + "ln_2.weight": (D,), p + "ln_2.bias": (D,),
                  p + "mlp.c_fc.weight": (D, FF), p + "mlp.c_fc.bias": (FF,),
                  p + "mlp.c_proj.weight": (FF, D), p + "mlp.c_proj.bias": (D,)})
    s.update({"ln_f.weight": (D,), "ln_f.bias": (D,)})
    return s


def write_safetensors(path, tensors, metadata=None):
    """The safetensors format by hand: u64 LE header length, JSON header, raw LE tensor bytes."""
    header, blobs, offset = {}, [], 0
    for name, (dtype, arr) in tensors.items():
        raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(25)
    w32 = {}
    for name, shape in shapes().items():
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
            w32[name] = 1.0 + 0.1 * torch.randn(shape)
        else:
            w32[name] = 0.2 * torch.randn(shape)
    w32 = {k: v.float() for k, v in w32.items()}

    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_layer": L,
              "n_embd": D, "n_head": H, "n_inner": None, "vocab_size": V, "n_positions": T,
              "n_ctx": T, "layer_norm_epsilon": EPS, "activation_function": "gelu_new",
              "tie_word_embeddings": True, "resid_pdrop": 0.1, "embd_pdrop": 0.1,
              "attn_pdrop": 0.1, "torch_dtype": "float32"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    model = {}
    for name, v in w32.items():
        model["transformer." + name] = ("F32", v.numpy())
        if name.endswith("ln_1.bias"):  # buffers of older checkpoints, to be ignored
            p = name[: -len("ln_1.bias")]
            model["transformer." + p + "attn.bias"] = (
                "BOOL", np.tril(np.ones((T, T), dtype=np.bool_)).reshape(1, 1, T, T))
            model["transformer." + p + "attn.masked_bias"] = ("F32", np.array(-1e4, np.float32))
    write_safetensors(os.path.join(out, "model.safetensors"), model, {"format": "pt"})

    w = {k: v.double() for k, v in w32.items()}
    g = torch.Generator().manual_seed(7)
    # batch a: full context, next token at every position but the last
    tok_a = torch.randint(0, V, (3, T), generator=g)
    tgt_a = torch.cat([tok_a[:, 1:], torch.full((3, 1), -1)], dim=1)
    # batch b: shorter sequences, one chosen position each (an "answer token")
    tok_b = torch.randint(0, V, (2, 9), generator=g)
    tgt_b = torch.full((2, 9), -1)
    tgt_b[0, 8] = int(torch.randint(0, V, (1,), generator=g))
    tgt_b[1, 5] = int(torch.randint(0, V, (1,), generator=g))
    masks = {k: torch.rand(v.shape, generator=g).double() for k, v in w.items()}  # float32 values

    expected = {"a.tokens": ("I64", tok_a.numpy()), "a.targets": ("I64", tgt_a.numpy()),
                "b.tokens": ("I64", tok_b.numpy()), "b.targets": ("I64", tgt_b.numpy())}
    for tag, tok, tgt in (("a", tok_a, tgt_a), ("b", tok_b, tgt_b)):
        params = {k: v.clone().requires_grad_(True) for k, v in w.items()}
        logits = forward(params, tok)
        loss = loss_of(logits, tgt)
        loss.backward()
        expected[tag + ".logits"] = ("F32", logits.detach().float().numpy())
        expected[tag + ".loss"] = ("F64", np.array([loss.item()]))
        for k, p in params.items():
            expected[tag + ".grad." + k] = ("F32", p.grad.float().numpy())
    # batch a again with theta_eff = theta * m: gradients with respect to the masks
    ms = {k: m.clone().requires_grad_(True) for k, m in masks.items()}
    loss = loss_of(forward({k: w[k] * ms[k] for k in w}, tok_a), tgt_a)
    loss.backward()
    expected["a.masked.loss"] = ("F64", np.array([loss.item()]))
    for k, m in ms.items():
        expected["mask." + k] = ("F32", masks[k].float().numpy())
        expected["a.maskgrad." + k] = ("F32", m.grad.float().numpy())
    # batch a with one head silenced through head_mask (attention heads as Hugging Face splits them)
    for layer, head in ((0, 1), (1, 3)):
        hm = torch.ones(L, H)
        hm[layer, head] = 0
        expected[f"a.headmask.{layer}.{head}.logits"] = (
            "F32", forward(w, tok_a, hm).detach().float().numpy())
    write_safetensors(os.path.join(out, "expected.safetensors"), expected,
                      {"made_by": "make_gpt2_fixture.py", "torch": torch.__version__})
    print("wrote", out, "loss a", expected["a.loss"][1][0], "loss b", expected["b.loss"][1][0])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "gpt2-tiny")
