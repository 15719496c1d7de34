"""Writes tiny-keras-functional.h5: a Keras 2 functional model file with a skip connection
(input 12 -> Dense 16 relu -> Dense 16 relu; both concatenated -> Dense 32-5 softmax, compiled with
categorical cross-entropy) trained with numpy on the tiny test task (add and mul
mod 5, input one-hot(a) ++ one-hot(b) ++ one-hot(op)), and tiny-keras-functional-expected.json: the
probabilities the model gives on every input, computed here with numpy, which DL4J's Keras import
must reproduce. Needs numpy and h5py only (Debian python3-numpy, python3-h5py); no Keras.
Run: python3 make_tiny_keras_functional.py (in this folder)."""
import json
import h5py
import numpy as np

N, OPS = 5, ["add", "mul"]
rng = np.random.default_rng(0)
X, Y = [], []
for o, op in enumerate(OPS):
    for a in range(N):
        for b in range(N):
            x = np.zeros(2 * N + len(OPS), np.float32)
            x[a] = x[N + b] = x[2 * N + o] = 1
            X.append(x)
            Y.append((a + b) % N if op == "add" else (a * b) % N)
X, Y = np.array(X), np.array(Y)
T = np.eye(N, dtype=np.float32)[Y]
W1 = rng.normal(0, np.sqrt(2 / 12), (12, 16)).astype(np.float32); b1 = np.zeros(16, np.float32)
W2 = rng.normal(0, np.sqrt(2 / 16), (16, 16)).astype(np.float32); b2 = np.zeros(16, np.float32)
W3 = rng.normal(0, np.sqrt(2 / 37), (32, N)).astype(np.float32); b3 = np.zeros(N, np.float32)

def forward(X):
    h1 = np.maximum(X @ W1 + b1, 0)
    h2 = np.maximum(h1 @ W2 + b2, 0)
    c = np.concatenate([h1, h2], 1)
    z = c @ W3 + b3
    p = np.exp(z - z.max(1, keepdims=True))
    return (h1, h2, c), p / p.sum(1, keepdims=True)

for step in range(6000):
    (h1, h2, c), p = forward(X)
    g = (p - T) / len(X)
    gW3, gb3 = c.T @ g, g.sum(0)
    gc = g @ W3.T
    gh2 = gc[:, 16:] * (h2 > 0)
    gW2, gb2 = h1.T @ gh2, gh2.sum(0)
    gh1 = (gc[:, :16] + gh2 @ W2.T) * (h1 > 0)
    gW1, gb1 = X.T @ gh1, gh1.sum(0)
    for w, gw in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2), (W3, gW3), (b3, gb3)):
        w -= 0.2 * gw
_, p = forward(X)
print("train accuracy", (p.argmax(1) == Y).mean())

def dense(name, units, act, inputs=None):
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

def node(*names):
    return [[[n, 0, 0, {}] for n in names]]

layers = [
    {"name": "input_1", "class_name": "InputLayer", "inbound_nodes": [],
     "config": {"batch_input_shape": [None, 12], "dtype": "float32", "sparse": False,
                "name": "input_1"}},
    dict(dense("dense_1", 16, "relu"), name="dense_1", inbound_nodes=node("input_1")),
    dict(dense("dense_2", 16, "relu"), name="dense_2", inbound_nodes=node("dense_1")),
    {"name": "concatenate_1", "class_name": "Concatenate",
     "config": {"name": "concatenate_1", "trainable": True, "axis": -1},
     "inbound_nodes": node("dense_1", "dense_2")},
    dict(dense("dense_3", N, "softmax"), name="dense_3", inbound_nodes=node("concatenate_1")),
]
model_config = {"class_name": "Model", "config": {"name": "model_1", "layers": layers,
    "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_3", 0, 0]]}}
training_config = {"optimizer_config": {"class_name": "SGD", "config": {
    "lr": 0.5, "momentum": 0.0, "decay": 0.0, "nesterov": False}},
    "loss": "categorical_crossentropy", "metrics": ["accuracy"],
    "sample_weight_mode": None, "loss_weights": None}
with h5py.File("tiny-keras-functional.h5", "w") as f:
    f.attrs["keras_version"] = b"2.2.4"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps(model_config).encode()
    f.attrs["training_config"] = json.dumps(training_config).encode()
    mw = f.create_group("model_weights")
    mw.attrs["layer_names"] = [b"input_1", b"dense_1", b"dense_2", b"concatenate_1", b"dense_3"]
    mw.attrs["backend"] = b"tensorflow"
    mw.attrs["keras_version"] = b"2.2.4"
    for name in ("input_1", "concatenate_1"):
        mw.create_group(name).attrs["weight_names"] = np.array([], dtype="S1")
    for name, (w, b) in (("dense_1", (W1, b1)), ("dense_2", (W2, b2)), ("dense_3", (W3, b3))):
        g = mw.create_group(name)
        g.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
        inner = g.create_group(name)
        inner.create_dataset("kernel:0", data=w)
        inner.create_dataset("bias:0", data=b)
with open("tiny-keras-functional-expected.json", "w") as f:
    json.dump({"inputs": X.tolist(), "probabilities": p.tolist()}, f)
