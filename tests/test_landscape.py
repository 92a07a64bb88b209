"""paths_to_global_minimum and spurious_valley (kernel/landscape.py): wrong paths are never verified."""
import subprocess
import sys

import pytest
import sympy as sp

from losscert import compile_loss, conv1d, dense, sparse_dense
from losscert.kernel.landscape import paths_to_global_minimum, spurious_valley
from losscert.landscapes import least_squares, line, parameter_symbols, row_space_complement, symbols_of
from losscert.proof import Proof, run
from losscert.statements import decide

NET = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
START = {"x -> h": "a", "h -> y": "b"}


def scalar(segments, symbols=None, generic=(), X=(("1",),), Y=(("2",),), start=START):
    return paths_to_global_minimum(NET, [list(r) for r in X], [list(r) for r in Y], "1/2",
                                   symbols or {"a": "a > 0", "b": "real"}, list(generic), start, segments, [])


def status(v):
    return str(v.status)


# -- the scalar two-weight net L = 1/2 (a b - 2)^2 ------------------------------------------------------

def test_true_path_verified_with_certificate():
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}])
    assert status(v) == "verified"
    assert v.certificate["kind"] == "landscape_paths"
    assert v.certificate["segments"][0]["method"] == "affine"
    assert "no spurious valley meets R" in v.reason


def test_loss_increases_somewhere_is_refuted():
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(3/a - b)"}])      # overshoots: L'(1) > 0
    assert status(v) == "refuted" and "increas" in v.reason or "dL/dt" in v.reason


def test_end_not_global_is_never_verified():
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(1/a - b)"}])      # ends at loss 1/2 (and passes 2/a)
    assert status(v) == "refuted"
    v = scalar([{"x -> h": "a", "h -> y": "b"}])                    # constant: ends where it starts
    assert status(v) == "inconclusive" and "lower bound" in v.reason


def test_gap_between_segments_is_refuted():
    v = scalar([{"x -> h": "a", "h -> y": "b"}, {"x -> h": "a + 1", "h -> y": "b + t*(2/(a + 1) - b)"}])
    assert status(v) == "refuted" and "does not start" in v.reason


def test_start_mismatch_is_refuted():
    v = scalar([{"x -> h": "a + t", "h -> y": "b*t"}])
    assert status(v) != "verified"


def test_vanishing_denominator_is_inconclusive():
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}], symbols={"a": "real", "b": "real"})
    assert status(v) == "inconclusive" and "not proven non-zero" in v.reason
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(2/(a - 1) - b)"}])     # a = 1 lies in a > 0
    assert status(v) == "inconclusive"


def test_generic_excludes_the_zero_set_and_says_so():
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}], symbols={"a": "real", "b": "real"}, generic=["a"])
    assert status(v) == "verified"
    assert "outside the zero set" in v.reason and "R \\ Z" in v.reason


def test_derivative_method_and_its_failure():
    # a -> a + t*(c - a) with b = 1: L = 1/2 (a - 2)^2 along; decreasing from a = 0 to 2 only
    segs = [{"x -> h": "t*2", "h -> y": "1"}]
    start = {"x -> h": "0", "h -> y": "1"}
    v = scalar(segs, symbols={"c": "c > 0"}, start=start)
    assert status(v) == "verified"
    v = scalar([{"x -> h": "t*3", "h -> y": "1"}], symbols={"c": "c > 0"}, start=start)
    assert status(v) != "verified"


def test_no_symbols_single_point():
    v = paths_to_global_minimum(NET, [["1"]], [["2"]], "1/2", None, [], {"x -> h": "1", "h -> y": "0"},
                                [{"x -> h": "1", "h -> y": "2*t"}], [])
    assert status(v) == "verified"


@pytest.mark.parametrize("bad, where", [
    ({"x -> h": 0.5, "h -> y": "b"}, "exact text"),
    ({"x -> h": "pi", "h -> y": "b"}, "start"),
    ({"x -> h": "sqrt(2)", "h -> y": "b"}, "start"),
    ({"x -> h": "exp(a)", "h -> y": "b"}, "start"),
    ({"x -> h": "a", "h -> y": "zz"}, "declared"),
    ({"x -> h": "a", "w": "b", "h -> y": "b"}, "not a parameter"),
    ({"x -> h": "a"}, "no expression"),
])
def test_misuse_is_inconclusive_with_a_named_key(bad, where):
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}], start=bad)
    assert status(v) == "inconclusive" and where in v.reason


def test_misuse_other_keys():
    assert status(scalar([])) == "inconclusive"
    assert "path variable" in scalar([{"x -> h": "a", "h -> y": "b"}], symbols={"t": "real", "a": "real",
                                                                                  "b": "real"}).reason
    v = scalar([{"x -> h": "a", "h -> y": "b"}], generic=["0"])
    assert status(v) == "inconclusive" and "generic" in v.reason
    v = paths_to_global_minimum({"inputs": ["x"], "outputs": ["y"], "activation": "tanh", "edges": ["x -> h", "h -> y"]},
                                [["1"]], [["2"]], "1/2", {"a": "a > 0", "b": "real"}, [], START,
                                [{"x -> h": "a", "h -> y": "b"}], [])
    assert status(v) == "inconclusive" and "polynomial" in v.reason


# -- the proof families: wrong paths ---------------------------------------------------------------------

X = sp.Matrix([[1, 0, 1, 2], [0, 1, 1, -1], [1, 1, 0, 1]])


def _family_sd():
    """Theorem 1 (1): SD net, U -> M* W^-1 on det W_1 w_3 != 0."""
    Y = sp.Matrix([[1, 2, 0, 1], [0, 1, 1, 3]])
    net = sparse_dense([(0, 1), (0, 1), (2,)], d_x=3, d_y=2)
    names, symbols = parameter_symbols(net)
    s = symbols_of(names)
    Wk = ["x1 -> h1_1", "x2 -> h1_1", "x1 -> h1_2", "x2 -> h1_2", "x3 -> h1_3"]
    Uk = [f"h1_{j} -> y{i}" for i in (1, 2) for j in (1, 2, 3)]
    M, _ = least_squares(X, Y)
    W = sp.Matrix([[s[Wk[0]], s[Wk[1]], 0], [s[Wk[2]], s[Wk[3]], 0], [0, 0, s[Wk[4]]]])
    U = M * W.inv()
    start = dict(s)
    end = {**start, **{k: sp.cancel(U[i]) for i, k in enumerate(Uk)}}
    generic = [s[Wk[0]] * s[Wk[3]] - s[Wk[1]] * s[Wk[2]], s[Wk[4]]]
    return net, Y, symbols, start, end, generic, row_space_complement(X, 2)


def _decide(net, Y, symbols, start, segments, generic, ortho):
    proof = Proof("t", source="test")
    proof.paths_to_global_minimum(net, X, Y, symbols, start, segments, generic=generic, orthogonal=ortho)
    return decide(proof.statements[0].record)


def test_family_sd_true_and_wrong_paths():
    net, Y, symbols, start, end, generic, ortho = _family_sd()
    assert status(_decide(net, Y, symbols, start, [line(start, end)], generic, ortho)) == "verified"
    over = {k: start[k] + 2 * (end[k] - start[k]) for k in start}                  # overshoot: increases
    assert status(_decide(net, Y, symbols, start, [line(start, over)], generic, ortho)) == "refuted"
    half = {k: start[k] + (end[k] - start[k]) / 2 for k in start}                   # stops early: not global
    assert status(_decide(net, Y, symbols, start, [line(start, half)], generic, ortho)) == "inconclusive"
    gap = [line(start, half), line({k: v + 1 for k, v in half.items()}, end)]
    assert status(_decide(net, Y, symbols, start, gap, generic, ortho)) == "refuted"
    assert status(_decide(net, Y, symbols, start, [line(start, end)], generic[1:], ortho)) == "inconclusive"
    wrong_bound = [A * 0 + sp.ones(*A.shape) for A in ortho[:1]]                    # outputs not orthogonal
    assert status(_decide(net, Y, symbols, start, [line(start, end)], generic, wrong_bound)) == "inconclusive"


def test_family_wide_layer_needs_generic():
    net = dense([2, 2, 1], activation="poly(0, 1, 0, 1)")
    names, symbols = parameter_symbols(net)
    s = symbols_of(names)
    Xw, Yw = sp.Matrix([[1, 0], [1, 1]]), sp.Matrix([[1, -2]])
    W = sp.Matrix(2, 2, lambda i, j: s[f"x{j + 1} -> h1_{i + 1}"])
    F = (W * Xw).applyfunc(lambda z: z + z ** 3)
    det = sp.expand(F.det())
    V = Yw * F.adjugate() / det
    start = dict(s)
    end = {**start, **{f"h1_{i + 1} -> y1": V[i] for i in range(2)}}
    proof = Proof("t", source="test")
    for generic in ([det], [], [det + 1]):
        proof.paths_to_global_minimum(net, Xw, Yw, symbols, start, [line(start, end)], generic=generic)
    got = [status(decide(st.record)) for st in proof.statements]
    assert got == ["verified", "inconclusive", "inconclusive"]


def test_same_p1_valley_never_verified_as_spurious_valley():
    net = conv1d(2, 2, "SAME", channels=1, d_y=2)
    loss = compile_loss(net, [[1, 0], [0, 1]], [[1, 0], [0, 4]])
    t0 = {"k1_1": 0, "k1_2": 1, "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": 4, "c1_2 -> y2": 0}
    best = {"k1_1": 1, "k1_2": 0, "c1_1 -> y1": 1, "c1_2 -> y1": 0, "c1_1 -> y2": 0, "c1_2 -> y2": 4}
    assert status(spurious_valley(loss, t0, best)) == "inconclusive"
    assert status(spurious_valley(loss, best, t0)) == "inconclusive"


def test_spurious_valley_from_a_strict_minimum():
    # one weight, L(w) = 1/2 (w^2 (w^2 - 4) + 3)^2-free example: a quartic with two minima
    net = dense([1, 1], activation="poly(0, 0, -2, 0, 1)")          # y = (w x)^4 - 2 (w x)^2 via an activation
    net2 = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> y"], "activation": "linear"}
    del net2
    loss = compile_loss(dense([1, 1, 1], activation="poly(0, 1, 1)"), [[1]], [[0]])
    v = spurious_valley(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}, {"x1 -> h1_1": 0, "h1_1 -> y1": 0})
    assert status(v) == "inconclusive"
    del net


def test_emit_then_check_redecides(tmp_path):
    out = subprocess.run([sys.executable, "-m", "losscert", "prove", "--emit", str(tmp_path / "emit"),
                          "proofs/wide_layer_landscape.py"], capture_output=True, text=True, timeout=600)
    assert "3 as expected" in out.stdout, out.stdout + out.stderr
    check = subprocess.run([sys.executable, "-m", "losscert", "check", str(tmp_path / "emit")],
                           capture_output=True, text=True, timeout=600)
    assert check.stdout.count("paths_to_global_minimum: verified") == 2, check.stdout
    assert "paths_to_global_minimum: inconclusive (expect inconclusive)" in check.stdout


def test_run_proof_in_process():
    proof = Proof("scalar", source="test")
    net = dense([1, 1, 1])
    names, symbols = parameter_symbols(net)
    s = symbols_of(names)
    a, b = s["x1 -> h1_1"], s["h1_1 -> y1"]
    start = dict(s)
    proof.paths_to_global_minimum(net, [[1]], [[2]], symbols, start,
                                  [{"x1 -> h1_1": a, "h1_1 -> y1": b + sp.Symbol("t") * (2 / a - b)}], generic=[a])
    with pytest.raises(ValueError):
        proof.paths_to_global_minimum(net, [[1.5]], [[2]], symbols, start, [start])
    assert [r["verdict"] for r in run(proof)["statements"]] == ["verified"]


def test_empty_region_outside_z_is_inconclusive():
    # a >= 0 and a <= 0 leave a = 0 only, where the generic polynomial a vanishes: nothing to state
    v = scalar([{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}], symbols={"a": "0 <= a <= 0", "b": "real"},
               generic=["a"])
    assert status(v) == "inconclusive"


def test_same_p1_leaving_t0_too_fast_is_refuted():
    net = conv1d(2, 2, "SAME", channels=1, d_y=2)
    U = ["c1_1 -> y1", "c1_2 -> y1", "c1_1 -> y2", "c1_2 -> y2"]
    m = sp.Symbol("m")
    names, symbols = parameter_symbols(net)
    s = symbols_of(names)
    sym = {n: v for n, v in symbols.items() if n not in ("k1_1", "k1_2")}
    sym["m"] = "m > 0"
    start = {**s, "k1_1": 0, "k1_2": m}
    flat = {**start, U[0]: 0, U[1]: -8 / m, U[2]: 4 / m, U[3]: 0}
    proof = Proof("t", source="test")
    for w1, u1 in ((m / 16, sp.Rational(9, 16) / m), (m, 9 / m)):
        out = {**flat, "k1_1": w1, U[0]: u1}
        f = sp.Matrix([[w1, m], [0, w1]])
        end = {**out, **{k: sp.cancel(v) for k, v in zip(U, sp.diag(1, 4) * f.inv())}}
        proof.paths_to_global_minimum(net, sp.eye(2), sp.diag(1, 4), sym, start,
                                      [line(start, flat), line(flat, out), line(out, end)])
    got = [status(decide(st.record)) for st in proof.statements]
    assert got == ["verified", "refuted"]


def test_hostile_degree_is_refused_quickly():
    v = scalar([{"x -> h": "a", "h -> y": "(a + b)**1000"}])
    assert status(v) == "inconclusive" and "degree" in v.reason
