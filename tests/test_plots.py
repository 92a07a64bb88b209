"""Pictures (the plot extra): each picture is written, draws the right
numbers, and matplotlib stays out of the core."""
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from losscert import claims, compile_loss, dense  # noqa: E402
from losscert.cli import main  # noqa: E402
from losscert.plots import (MISSING_EXTRA, PlotError, _values, architecture, basin_histogram,  # noqa: E402
                            loss_along_curve, slice_2d)
from losscert.pruning import effective  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
THEOREM2 = ROOT / "examples" / "lin-sun-zhang-theorem2.toml"
APPENDIX_A = ROOT / "examples" / "lin-sun-zhang-appendixA.toml"
SADDLE = """
title = "origin of L = 1/2 (u w - 1)^2"
[network]
inputs = ["x1"]
outputs = ["y1"]
edges = ["x1 -> h1", "h1 -> y1"]
[data]
X = [[1]]
Y = [[1]]
[point]
"x1 -> h1" = 0
"h1 -> y1" = 0
[[claim]]
kind = "local_minimum"
expect = "refuted"
"""


def png(path) -> bool:
    data = Path(path).read_bytes()
    return len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def theorem2():
    cf = claims.load(THEOREM2)
    return cf, claims.decide(cf, cf.claims[3])          # local_minimum: Morse-Bott, kernel dimension 2


def test_descent_curve_of_a_refuted_saddle(tmp_path):
    cf = claims.load(_write(tmp_path, SADDLE))
    verdict = claims.decide(cf, cf.claims[0])
    assert verdict.status == "refuted"
    ax = loss_along_curve(cf.loss, cf.point, [verdict.evidence["d1"]], (-1, 1), marks=[(0.5, "drop")])
    xs, ys = ax.lines[0].get_data()
    for t, y in zip(xs, ys):                            # d1 = (1, 1): L(t) = 1/2 (t^2 - 1)^2
        assert y == pytest.approx((t * t - 1) ** 2 / 2, abs=1e-12)
    ax.figure.savefig(tmp_path / "curve.png")
    assert png(tmp_path / "curve.png")


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "swish", "elu(1/2)", "poly(1, 0, 1/3)"])
def test_float_and_mpmath_evaluations_agree(activation):
    import numpy as np
    loss = compile_loss(dense([2, 2, 1], activation=activation, biases=True), [[1, -2, "sqrt(2)"], [0, 3, 1]],
                        [[1, 2, -1]])
    cols = [np.array([1.0, 0.5, -2.0]) * (k + 1) / 3 - 0.4 for k in range(len(loss.params))]
    assert list(_values(loss, cols, False)) == pytest.approx(list(_values(loss, cols, True)), rel=1e-12)


def test_slice_through_the_theorem2_minimum(tmp_path, theorem2):
    cf, verdict = theorem2
    u, v = verdict.evidence["kernel_basis"][:2]
    ax = slice_2d(cf.loss, cf.point, u, v, 0.5, points=11, verdict=verdict)
    assert "Morse-Bott" in ax.get_title()
    (star,) = [line for line in ax.lines if line.get_marker() == "*"]
    assert list(star.get_xdata()) == [0] and "0.613889" in star.get_label()     # L = 221/360
    ax.figure.savefig(tmp_path / "slice.png")
    assert png(tmp_path / "slice.png")


def _linestyles(ax):
    """(solid segments, dashed segments) of the drawn line collections."""
    from matplotlib.collections import LineCollection
    solid = dashed = 0
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            n = len(coll.get_segments())
            if all(dashes is None for _, dashes in coll.get_linestyle()):
                solid += n
            else:
                dashed += n
    return solid, dashed


def test_architecture_dashes_exactly_the_pruned_edges(tmp_path):
    net = claims.load(APPENDIX_A).network
    _, report = effective(net)
    cut = sum(r.kind == "edge" for r in report.removed)
    assert cut > 0
    ax = architecture(net)
    assert _linestyles(ax) == (len(net.edges) - cut, cut)
    ax.figure.savefig(tmp_path / "net.png")
    assert png(tmp_path / "net.png")


def test_architecture_of_an_effective_network_has_no_dashes(theorem2):
    cf, _ = theorem2
    assert _linestyles(architecture(cf.network)) == (len(cf.network.edges), 0)


def test_basin_histogram_sorted_by_loss_and_coloured_by_verdict(tmp_path):
    from matplotlib.colors import to_rgba
    ax = basin_histogram([("221/360", 7, "verified"), (0, 90, "verified"), (0.7, 3, "inconclusive")])
    bars = ax.patches[:3]
    assert [b.get_height() for b in bars] == [90, 7, 3]
    assert bars[2].get_facecolor() == to_rgba("tab:gray") and bars[0].get_facecolor() == to_rgba("tab:green")
    ax.figure.savefig(tmp_path / "basins.png")
    assert png(tmp_path / "basins.png")
    with pytest.raises(PlotError, match="verdict 'ok'"):
        basin_histogram([(0, 1, "ok")])


def test_bad_directions_are_one_line_errors(theorem2):
    cf, _ = theorem2
    with pytest.raises(PlotError, match="'x9 -> h1' is not a parameter"):
        loss_along_curve(cf.loss, cf.point, [{"x9 -> h1": 1}])
    with pytest.raises(PlotError, match="2 entries for 8 parameters"):
        loss_along_curve(cf.loss, cf.point, [[1, 2]])


def _write(tmp_path, text, name="saddle.toml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_cli_draws_a_refutation_and_an_architecture(tmp_path, capsys):
    out = tmp_path / "saddle.png"
    assert main(["plot", _write(tmp_path, SADDLE), "--claim", "1", "-o", str(out)]) == 0
    assert png(out) and "descent curve" in capsys.readouterr().out
    assert main(["plot", str(APPENDIX_A), "--architecture", "-o", str(tmp_path / "net.png")]) == 0
    assert png(tmp_path / "net.png")


def test_cli_errors_are_one_line_exit_2(tmp_path, capsys, monkeypatch):
    path = _write(tmp_path, SADDLE)
    assert main(["plot", path, "--claim", "2", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--claim 2: no such claim (the file has 1 claim" in err
    assert main(["plot", path, "--claim", "1", "-o", str(tmp_path / "no" / "dir" / "x.png")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    kink_text = (SADDLE.replace("edges", 'activation = "relu"\nedges').replace('"h1 -> y1" = 0', '"h1 -> y1" = 1')
                 .replace('kind = "local_minimum"\nexpect = "refuted"', 'kind = "loss_value"\nvalue = "1/2"'))
    kink = _write(tmp_path, kink_text, "kink.toml")            # relu at 0: no evidence direction, no gradient
    assert main(["plot", kink, "--claim", "1", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing to draw" in err and "not differentiable at 0" in err
    monkeypatch.setitem(sys.modules, "matplotlib", None)       # the extra is not installed
    assert main(["plot", path, "--claim", "1", "-o", str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err == MISSING_EXTRA + "\n"
    assert not (tmp_path / "x.png").exists()


def test_the_core_never_imports_matplotlib():
    code = ("import sys, losscert, losscert.kernel, losscert.claims, losscert.cli, losscert.plots; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src")}).stdout
    assert out.strip() == "[]"


def test_loss_is_flat_along_the_rescaling_orbit_and_not_along_its_tangent_line(theorem2):
    import math
    cf, verdict = theorem2
    params = cf.loss.params
    theta = {p: float(v) for p, v in zip(params, cf.loss.to_mp(cf.point))}
    incoming = [p for p in params if p.endswith("-> h1")]
    outgoing = [p for p in params if p.startswith("h1 ->")]

    def orbit(t):                                      # the rescaling of h1 with c = e^t
        return {p: x * math.exp(t) if p in incoming else x / math.exp(t) if p in outgoing else x
                for p, x in theta.items()}

    flat = loss_along_curve(cf.loss, cf.point, orbit, (-1, 1), points=21).lines[0].get_ydata()
    assert max(flat) - min(flat) < 1e-12
    tangent = verdict.evidence["constant_loss_curves"][0]["tangent"]
    line = loss_along_curve(cf.loss, cf.point, [tangent], (-1, 1), points=21).lines[0].get_ydata()
    assert max(line) - min(line) > 1e-3
