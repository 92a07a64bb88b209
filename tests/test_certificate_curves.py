"""Pictures follow the certificate's own curve: for each kind of certificate,
the loss along the drawn curve behaves as the verdict says (constant on an
orbit, a constant-loss line or a family of critical points; dropping on a
descent curve; lower at the better point; monotone on a path)."""
from pathlib import Path

import numpy as np
import pytest

from losscert import claims, compile_loss, statements
from losscert.kernel import decide
from losscert.kernel.symmetry import candidate_curves, check_constant
from losscert.network import conv1d
from losscert.plots import certificate_curve

from test_statements import AT, ONE, ZERO

THEOREM2 = Path(__file__).resolve().parents[1] / "examples" / "lin-sun-zhang-theorem2.toml"


def along(loss, drawn, points=41):
    ts = np.linspace(*drawn.t_range, points)
    return ts, np.array(drawn.values(loss, ts))


def constant(values) -> bool:
    return np.ptp(values) <= 1e-9 * max(1.0, np.abs(values).max())


def test_the_rescaling_orbit_is_flat_where_its_tangent_line_is_not():
    cf = claims.load(THEOREM2)
    strict = next(c for c in cf.claims if c.kind == "strict_local_minimum")
    v = claims.decide(cf, strict)
    drawn = certificate_curve(cf.loss, cf.point, strict.record, v.evidence)
    assert v.status == "refuted" and drawn.expect == "constant" and "rescale neuron h1" in drawn.what
    _, values = along(cf.loss, drawn)
    assert constant(values)
    tangent = [float(x) for x in statements.plain(v.evidence["constant_loss_curves"][0]["tangent"]).values()]
    assert any(tangent)     # the old picture: the tangent line, a bowl
    th = drawn.at(0.0)
    line = certificate_curve(cf.loss, cf.point, {}, {"kernel_basis": [v.evidence["constant_loss_curves"][0]
                                                                        ["tangent"]]})
    assert line.expect == "" and not constant(along(cf.loss, line)[1]) and line.at(0.0) == th


@pytest.mark.parametrize("kind", ["rescaling", "mixing", "dead-out", "dead-in"])
def test_every_structural_constant_loss_curve_is_drawn_flat(kind):
    from test_kernel_soundness import _two_neuron_net
    X, Y = [[1, 0, 1], [0, 1, 1]], [[1, 2, 3], [2, 1, 0]]
    pt = {"x1 -> h1": 1, "x2 -> h1": 2, "x1 -> h2": 3, "x2 -> h2": 1, "h1 -> y1": 1, "h1 -> y2": 1,
          "h2 -> y1": 2, "h2 -> y2": 1}
    if kind == "dead-out":
        pt.update({"h2 -> y1": 0, "h2 -> y2": 0})
    if kind == "dead-in":
        pt.update({"x1 -> h2": 0, "x2 -> h2": 0})
    loss = compile_loss(_two_neuron_net("linear" if kind == "mixing" else "relu"), X, Y)
    theta = loss.point(pt)
    curves = [c for c in candidate_curves(loss, theta) if c.kind == kind]
    assert curves
    for c in curves:
        proof = check_constant(loss, theta, c)
        assert proof is not None
        drawn = certificate_curve(loss, theta, {}, {"constant_loss_curves": [proof]})
        assert drawn.expect == "constant" and proof["curve"] in drawn.what
        ts, values = along(loss, drawn)
        assert constant(values)
        moved = np.array([drawn.at(t) for t in ts])
        assert np.ptp(moved, axis=0).max() > 0.1         # the curve moves; the loss does not


def test_the_family_of_critical_points_is_drawn_flat():
    loss = compile_loss(conv1d(2, 2, "SAME", channels=1, d_y=2), [[1, 0], [0, 1]], [[1, 0], [0, 4]])
    theta = loss.point({"k1_1": 0, "k1_2": 2, "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": 2, "c1_2 -> y2": 0})
    v = decide.local_minimum(loss, theta)
    assert v.status == "verified"
    family = {"critical_family": v.evidence["critical_family"]}
    drawn = certificate_curve(loss, theta, {}, family)
    assert drawn.expect == "constant" and "family" in drawn.what
    assert constant(along(loss, drawn)[1])


def test_the_descent_curve_drops():
    record = {"kind": "local_minimum", **AT, "point": ZERO}
    v = statements.decide(record)
    context = statements.Context([record])
    loss, theta = context.loss(record), context.point(record)
    drawn = certificate_curve(loss, theta, record, statements.plain(v.evidence))
    assert v.status == "refuted" and drawn.expect == "drops"
    (t, _), = drawn.marks
    L0, Lt = drawn.values(loss, [0.0, t])
    assert Lt < L0
    ts, values = along(loss, drawn)
    small = (ts > 0) & (ts <= t)
    assert (values[small] < L0).all()


def test_the_segment_ends_lower_at_the_better_point():
    record = {"kind": "not_global", **AT, "point": ZERO, "better": ONE}
    v = statements.decide(record)
    context = statements.Context([record])
    loss = context.loss(record)
    drawn = certificate_curve(loss, context.point(record), record, v.evidence)
    assert v.status == "verified" and drawn.expect == "lower at 1"
    L0, L1 = drawn.values(loss, [0.0, 1.0])
    assert L1 < L0


@pytest.mark.parametrize("ab, verdict", [((0, 1), "verified"), ((1, 2), "refuted")])
def test_the_path_is_monotone_as_the_verdict_says(ab, verdict):
    record = {"kind": "non_increasing", **AT, "path": [ZERO, ONE], "a": str(ab[0]), "b": str(ab[1])}
    v = statements.decide(record)
    context = statements.Context([record])
    loss = context.loss(record)
    drawn = certificate_curve(loss, loss.point(ZERO), record, v.evidence)
    assert v.status == verdict and drawn.t_range == ab
    _, values = along(loss, drawn)
    steps = np.diff(values)
    if verdict == "verified":
        assert drawn.expect == "non-increasing" and (steps <= 1e-12).all()
    else:
        assert drawn.expect == "not non-increasing" and (steps > 0).any()
