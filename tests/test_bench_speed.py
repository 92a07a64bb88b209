"""bench/speed.py: its float route computes the same Hessian as the kernel
(so the comparison is honest), and a tiny run prints a decided row."""
from __future__ import annotations

import numpy as np
import pytest

from bench import speed
from losscert import compile_loss


@pytest.mark.parametrize("family", ["linear", "polynomial", "relu", "tanh"])
def test_float_route_is_the_same_hessian(family):
    net, X, Y, theta, patterns = speed.instance(family, 24, seed=1)
    Hf = speed.float_hessian(family, X, Y, theta, patterns)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    order = [net.parameters.index(f"x{j + 1} -> h1_{i + 1}") for i, pat in enumerate(patterns) for j in pat] + \
        [net.parameters.index(f"h1_{i + 1} -> y{o + 1}") for o in range(speed.D_Y) for i in range(len(patterns))]
    if family == "tanh":
        import mpmath
        with mpmath.workdps(30):
            H = np.array(loss.mp_hessian(loss.to_mp(th)).tolist(), dtype=float)
    else:
        H = np.array([[float(x) for x in row] for row in loss.hessian(th, raw=True).to_list()])
    H = H[np.ix_(order, order)]
    assert np.max(np.abs(H - Hf)) <= 1e-12 * np.max(np.abs(H))


def test_a_tiny_run_prints_decided_rows(capsys):
    speed.main(["--sizes", "40", "--families", "polynomial,tanh"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all("verified" in line for line in out[1:])
