"""Trains an MLP on Fashion-MNIST with PyTorch (one thread, fixed seed) in the setting of Filan et
al. 2021 (dfilan/clusterability_in_neural_networks, src/train_nn.py, mlp_config) and writes it as a
Keras 2 Sequential HDF5 file that `model.import` reads (the layout of
jobs/src/test/resources/keras/make_tiny_keras.py).

Setting, as their code has it: ReLU hidden layers, softmax output, Glorot-uniform kernels and zero
biases (Keras' defaults), Adam (lr 0.001, Keras' defaults), batch 128, shuffled each epoch, pixels
/ 255, 20 epochs. Variants:
  plain           20 epochs, no dropout, no pruning ("w/o pruning ; w/o dropout").
  pruned-dropout  dropout 0.5 after every hidden layer; 20 epochs, then 20 more epochs with a fresh
                  Adam during which every weight matrix (the output layer's too; biases never) is
                  pruned by magnitude on a polynomial schedule (tensorflow-model-optimization's
                  PolynomialDecay: initial sparsity 0.5, final 0.9, power 3, begin step 0, end
                  step = 20 epochs of minibatches, a new mask every 10 steps; between mask updates
                  pruned weights are held at zero) ("w/ pruning ; w/ dropout").
Dropout is the identity at inference, so the file holds the Dense layers only.

--small writes the test fixture's setting instead: images average-pooled 4 x 4 to 7 x 7 (49
inputs), hidden layers --hidden (default 32 32), --train-limit training images; with --idx-out it
also writes the pooled images (a subset) as IDX files for the test's task.

Needs python3-torch, python3-numpy, python3-h5py. Examples:
  python3 scripts/train_torch_mlp.py --variant plain --seed 0 --out out/torch/plain-0.h5
  python3 scripts/train_torch_mlp.py --variant pruned-dropout --seed 0 --out out/torch/pd-0.h5
"""
import argparse
import gzip
import json
import os
import struct
import time

import h5py
import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path, array):
    array = np.ascontiguousarray(array, np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.tobytes())


def pool7(images):
    """28 x 28 uint8 -> 7 x 7 uint8, the mean of each 4 x 4 block, rounded."""
    n = images.shape[0]
    m = images.reshape(n, 7, 4, 7, 4).astype(np.float64).mean(axis=(2, 4))
    return np.rint(m).astype(np.uint8)


class Mlp(torch.nn.Module):
    def __init__(self, sizes, dropout):
        super().__init__()
        self.dense = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = torch.nn.Dropout(dropout) if dropout > 0 else None
        for layer in self.dense:  # Keras' Dense defaults: Glorot uniform, zero bias
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        for i, layer in enumerate(self.dense):
            x = layer(x)
            if i < len(self.dense) - 1:
                x = torch.relu(x)
                if self.dropout is not None:
                    x = self.dropout(x)
        return x  # logits; softmax in the loss and in the saved model


def polynomial_sparsity(step, end_step, initial=0.5, final=0.9, power=3):
    t = min(step, end_step) / end_step
    return final + (initial - final) * (1 - t) ** power


def magnitude_masks(model, sparsity):
    masks = []
    for layer in model.dense:
        w = layer.weight.detach().abs().flatten()
        k = int(round(sparsity * w.numel()))
        mask = torch.ones_like(w)
        if k > 0:
            mask[torch.argsort(w, stable=True)[:k]] = 0
        masks.append(mask.view_as(layer.weight))
    return masks


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def train(model, x, y, epochs, batch, gen, prune_epochs=0, log=print):
    opt = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    n = x.shape[0]
    steps_per_epoch = (n + batch - 1) // batch
    end_step = steps_per_epoch * prune_epochs
    masks = None
    step = 0
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for s in range(steps_per_epoch):
            if prune_epochs and step % 10 == 0 and step <= end_step:
                masks = magnitude_masks(model, polynomial_sparsity(step, end_step))
            if masks is not None:
                with torch.no_grad():
                    for layer, m in zip(model.dense, masks):
                        layer.weight.mul_(m)
            idx = perm[s * batch:(s + 1) * batch]
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
            step += 1
        if masks is not None:
            with torch.no_grad():
                for layer, m in zip(model.dense, masks):
                    layer.weight.mul_(m)
        log(f"epoch {epoch + 1}/{epochs} loss {total / n:.4f}"
            + (f" sparsity {polynomial_sparsity(step, end_step):.3f}" if prune_epochs else ""))


def dense_config(name, units, act, inputs=None):
    cfg = {"name": name, "trainable": True, "units": units, "activation": act, "use_bias": True,
           "kernel_initializer": {"class_name": "VarianceScaling",
                                  "config": {"scale": 1.0, "mode": "fan_avg",
                                             "distribution": "uniform", "seed": None}},
           "bias_initializer": {"class_name": "Zeros", "config": {}},
           "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
           "kernel_constraint": None, "bias_constraint": None}
    if inputs:
        cfg["batch_input_shape"] = [None, inputs]
        cfg["dtype"] = "float32"
    return {"class_name": "Dense", "config": cfg}


def write_keras_h5(path, model, attrs):
    layers = list(model.dense)
    names = [f"dense_{i + 1}" for i in range(len(layers))]
    configs = [dense_config(nm, l.out_features, "softmax" if i == len(layers) - 1 else "relu",
                            l.in_features if i == 0 else None)
               for i, (nm, l) in enumerate(zip(names, layers))]
    model_config = {"class_name": "Sequential",
                    "config": {"name": "sequential_1", "layers": configs}}
    training_config = {"optimizer_config": {"class_name": "Adam", "config": {
        "lr": 0.001, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0, "epsilon": 1e-7,
        "amsgrad": False}},
        "loss": "categorical_crossentropy", "metrics": ["accuracy"],
        "sample_weight_mode": None, "loss_weights": None}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode()
        f.attrs["training_config"] = json.dumps(training_config).encode()
        for k, v in attrs.items():
            f.attrs["subnetlab_" + k] = json.dumps(v).encode()
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = [n.encode() for n in names]
        mw.attrs["backend"] = b"tensorflow"
        mw.attrs["keras_version"] = b"2.2.4"
        for name, layer in zip(names, layers):
            g = mw.create_group(name)
            g.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            inner = g.create_group(name)
            inner.create_dataset("kernel:0",
                                 data=layer.weight.detach().numpy().T.astype(np.float32))
            inner.create_dataset("bias:0", data=layer.bias.detach().numpy().astype(np.float32))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--variant", choices=["plain", "pruned-dropout"], required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", type=int, nargs="+", default=None)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--prune-epochs", type=int, default=20)
    p.add_argument("--small", action="store_true")
    p.add_argument("--train-limit", type=int, default=0)
    p.add_argument("--idx-out", default=None)
    p.add_argument("--data", default=DATA)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    t0 = time.time()

    xtr = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))
    ytr = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"))
    xte = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))
    yte = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz"))
    hidden = a.hidden or ([32, 32] if a.small else [256, 256, 256, 256])
    if a.small:
        xtr, xte = pool7(xtr), pool7(xte)
        if a.train_limit:
            xtr, ytr = xtr[:a.train_limit], ytr[:a.train_limit]
        if a.idx_out:
            os.makedirs(a.idx_out, exist_ok=True)
            write_idx(os.path.join(a.idx_out, "train-images-idx3-ubyte"), xtr[:600])
            write_idx(os.path.join(a.idx_out, "train-labels-idx1-ubyte"), ytr[:600])
            write_idx(os.path.join(a.idx_out, "t10k-images-idx3-ubyte"), xte[:300])
            write_idx(os.path.join(a.idx_out, "t10k-labels-idx1-ubyte"), yte[:300])
    d = xtr.shape[1] * xtr.shape[2]
    to_x = lambda im: torch.tensor(im.reshape(im.shape[0], d), dtype=torch.float32) / 255
    Xtr, Xte = to_x(xtr), to_x(xte)
    Ytr, Yte = torch.tensor(ytr, dtype=torch.long), torch.tensor(yte, dtype=torch.long)

    dropout = 0.5 if a.variant == "pruned-dropout" else 0.0
    model = Mlp([d] + hidden + [10], dropout)
    log = lambda m: print(f"[{time.time() - t0:7.1f}s] {m}", flush=True)
    train(model, Xtr, Ytr, a.epochs, 128, gen, log=log)
    acc_dense = accuracy(model, Xte, Yte)
    log(f"test accuracy after {a.epochs} epochs: {acc_dense:.4f}")
    if a.variant == "pruned-dropout":
        train(model, Xtr, Ytr, a.prune_epochs, 128, gen, prune_epochs=a.prune_epochs, log=log)
    acc = accuracy(model, Xte, Yte)
    zeros = [float((l.weight == 0).float().mean()) for l in model.dense]
    log(f"test accuracy {acc:.4f}; share of zero weights per matrix {[round(z, 4) for z in zeros]}")
    info = {"variant": a.variant, "seed": a.seed, "hidden": hidden, "inputs": d,
            "epochs": a.epochs, "prune_epochs": a.prune_epochs if dropout else 0,
            "test_accuracy": acc, "test_accuracy_before_pruning": acc_dense,
            "zero_share": zeros, "torch": torch.__version__, "seconds": time.time() - t0}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    write_keras_h5(a.out, model, info)
    with open(a.out[:-3] + ".json" if a.out.endswith(".h5") else a.out + ".json", "w") as f:
        json.dump(info, f, indent=1)
    log(f"wrote {a.out}")


if __name__ == "__main__":
    main()
