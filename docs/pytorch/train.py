"""Trains the sparse two-layer ReLU network of docs/pytorch.md from several seeds in PyTorch and
exports each end point with torch.onnx.export (run once, with torch installed; the page itself
needs no torch):

    python docs/pytorch/train.py

Data: 12 samples of 4 inputs (two decimals each) and the outputs of a teacher of the same sparse
architecture with small integer weights, so Y is exact and the global minimum value is 0.
The same network with tanh instead of ReLU is trained from the same seeds.
Writes docs/pytorch/data.json, docs/pytorch/relu<k>.onnx and docs/pytorch/tanh<k>.onnx.
"""
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch
from torch.nn.utils import prune

HERE = Path(__file__).resolve().parent
MASK = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]          # hidden unit i sees inputs MASK[i]
TEACHER_W = [[1, -1, 0, 0], [0, 2, 1, 0], [0, 0, -1, 1]]
TEACHER_V = [[1, -1, 2]]
SEEDS = range(12)
ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}


def data():
    rng = np.random.default_rng(0)
    X = [[Fraction(str(v)) for v in row] for row in np.round(rng.uniform(-1, 1, size=(4, 12)), 2)]
    relu = lambda z: max(z, 0)                                          # noqa: E731
    H = [[relu(sum(w * X[j][s] for j, w in enumerate(row))) for s in range(12)] for row in TEACHER_W]
    Y = [[sum(v * H[i][s] for i, v in enumerate(TEACHER_V[0])) for s in range(12)]]
    return X, Y


def train(act, seed, X, Y):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3, bias=False), ACTIVATIONS[act](),
                                torch.nn.Linear(3, 1, bias=False)).double()
    prune.custom_from_mask(model[0], "weight", torch.tensor(MASK, dtype=torch.float64))
    x, y = torch.tensor(X, dtype=torch.float64).T, torch.tensor(Y, dtype=torch.float64).T
    loss = lambda: 0.5 * ((model(x) - y) ** 2).sum()                   # noqa: E731
    adam = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(3000):
        adam.zero_grad()
        loss().backward()
        adam.step()
    lbfgs = torch.optim.LBFGS(model.parameters(), max_iter=2000, tolerance_grad=1e-12, tolerance_change=0,
                              line_search_fn="strong_wolfe")

    def closure():
        lbfgs.zero_grad()
        value = loss()
        value.backward()
        return value
    lbfgs.step(closure)
    final = float(loss())
    model = model.float().eval()
    torch.onnx.export(model, (x[:1].float(),), str(HERE / f"{act}{seed}.onnx"), input_names=["x"],
                      output_names=["y"], dynamic_shapes=({0: torch.export.Dim("batch")},), external_data=False)
    return final


def main():
    X, Y = data()
    (HERE / "data.json").write_text(json.dumps({
        "X": [[str(v) for v in row] for row in X], "Y": [[str(v) for v in row] for row in Y],
        "teacher": {"mask": MASK, "W": TEACHER_W, "V": TEACHER_V}, "torch": torch.__version__}, indent=1) + "\n")
    for act in ACTIVATIONS:
        for seed in SEEDS:
            print(act, seed, train(act, seed, [[float(v) for v in r] for r in X], [[float(v) for v in r] for r in Y]))


if __name__ == "__main__":
    main()
