"""Writes tiny-keras.h5: a Keras 2 Sequential model file (Dense 12-16 relu, Dense 16-5 softmax,
compiled with categorical cross-entropy) trained with numpy on the tiny test task (add and mul
mod 5, input one-hot(a) ++ one-hot(b) ++ one-hot(op)), and tiny-keras-expected.json: the
probabilities the model gives on every input, computed here with numpy, which DL4J's Keras import
must reproduce. Needs numpy and h5py only (Debian python3-numpy, python3-h5py); no Keras.
Run: python3 make_tiny_keras.py (in this folder)."""
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
W2 = rng.normal(0, np.sqrt(2 / 21), (16, N)).astype(np.float32); b2 = np.zeros(N, np.float32)

def forward(X):
    h = np.maximum(X @ W1 + b1, 0)
    z = h @ W2 + b2
    p = np.exp(z - z.max(1, keepdims=True))
    return h, p / p.sum(1, keepdims=True)

for step in range(6000):
    h, p = forward(X)
    g = (p - T) / len(X)
    gW2, gb2 = h.T @ g, g.sum(0)
    gh = g @ W2.T * (h > 0)
    gW1, gb1 = X.T @ gh, gh.sum(0)
    for w, gw in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2)):
        w -= 0.5 * gw
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

model_config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
    dense("dense_1", 16, "relu", 12), dense("dense_2", N, "softmax")]}}
training_config = {"optimizer_config": {"class_name": "SGD", "config": {
    "lr": 0.5, "momentum": 0.0, "decay": 0.0, "nesterov": False}},
    "loss": "categorical_crossentropy", "metrics": ["accuracy"],
    "sample_weight_mode": None, "loss_weights": None}
with h5py.File("tiny-keras.h5", "w") as f:
    f.attrs["keras_version"] = b"2.2.4"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps(model_config).encode()
    f.attrs["training_config"] = json.dumps(training_config).encode()
    mw = f.create_group("model_weights")
    mw.attrs["layer_names"] = [b"dense_1", b"dense_2"]
    mw.attrs["backend"] = b"tensorflow"
    mw.attrs["keras_version"] = b"2.2.4"
    for name, (w, b) in (("dense_1", (W1, b1)), ("dense_2", (W2, b2))):
        g = mw.create_group(name)
        g.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
        inner = g.create_group(name)
        inner.create_dataset("kernel:0", data=w)
        inner.create_dataset("bias:0", data=b)
with open("tiny-keras-expected.json", "w") as f:
    json.dump({"inputs": X.tolist(), "probabilities": p.tolist()}, f)
