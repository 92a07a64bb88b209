"""losscert search: the float proposer, clustering, certification, claim files."""
import json
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest

from losscert import Network, compile_loss, dense, sparse_dense
from losscert.claims import ClaimFileError, check
from losscert.discover import load_problem, search, write_claim_files
from losscert.kernel import gauge
from losscert.proposers import descent
from losscert.workers import environment

ROOT = Path(__file__).resolve().parents[1]


def lsz_theorem8(act="linear"):
    net = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["o1", "o2", "o3"], "activation": act,
                              "edges": ["h1 -> o1", "h1 -> o2", "h2 -> o2", "h2 -> o3",
                                        "x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2"]})
    return compile_loss(net, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 1, 0], [2, 8, 0], [0, 0, 2]], scale=1)


@pytest.mark.parametrize("act", ["linear", "tanh", "relu", "sigmoid", "softplus", "swish", "elu",
                                 "leaky_relu(1/10)", "poly(0, 1, 1/2)"])
def test_float_loss_matches_the_exact_compiler(act):
    net = Network.from_table({"inputs": ["x1", "x2"], "outputs": ["y1", "y2"], "activation": act,
                              "edges": ["x1 -> h1", "x2 -> h1", "x2 -> h2", "h1 -> h3", "x1 -> h3", "h2 -> h3",
                                        "h3 -> y1", "h1 -> y2", "h2 -> y2", "x2 -> y1"],
                              "biases": ["h1", "y2"], "fixed": {"h2 -> y2": "-1/2"},
                              "tied": {"k": ["x1 -> h1", "h2 -> h3"]}})
    loss = compile_loss(net, [[1, 2, "1/3"], [3, -1, 2]], [[1, 0, 1], [2, 1, 0]])
    f = descent.FloatLoss(loss)
    T = np.random.default_rng(1).normal(size=(3, len(loss.params)))
    L, G = f.value_and_gradient(T)
    for b in range(3):
        pt = [mpmath.mpf(float(v)) for v in T[b]]
        assert abs(float(loss.mp_value(pt)) - L[b]) < 1e-10
        assert max(abs(float(a) - g) for a, g in zip(loss.mp_gradient(pt), G[b])) < 1e-10


def test_search_finds_and_certifies_the_theorem8_valley(tmp_path):
    loss = lsz_theorem8()
    res = search(loss, runs=20, max_iter=20000, seed=3)
    valley = [m for m in res.minima if abs(m.loss - 4) < 1e-6]
    assert valley and valley[0].verdict == "verified" and valley[0].route == "exact"
    assert valley[0].spurious == "verified"
    assert sum(m.basin for m in res.minima) == 20
    files = write_claim_files(loss, res, tmp_path)
    assert files and not list(tmp_path.glob("*.part"))
    for path in files:                     # every certified minimum passes losscert check on its own file
        out = check(path)
        assert all(c["verdict"] == c["expect"] == "verified" for c in out["claims"])


def test_a_saddle_is_never_reported_as_certified():
    # y = u w x with target 0 at u = w = 0 is a global minimum; with target 1, (0, 0) is a saddle:
    # gradient descent from tiny initialisations may stall there, the kernel must say so
    loss = compile_loss(dense([1, 1, 1]), X=[[1]], Y=[[1]])
    f = descent.FloatLoss(loss)
    start = np.zeros((1, 2))
    d = descent.gradient_descent(f, start, max_iter=10)
    assert d.status == ["converged"]       # the float search believes it
    res = search(loss, runs=1, max_iter=10, seed=0)
    assert all(m.verdict != "verified" or m.loss < 1e-9 for m in res.minima)


def test_rank_one_never_increases_the_loss_and_ends_critical():
    rng = np.random.default_rng(2)
    net = sparse_dense([[0, 1], [1, 2], [2, 3]], 4, 3)
    X, Y = rng.integers(-3, 4, size=(4, 7)).tolist(), rng.integers(-3, 4, size=(3, 7)).tolist()
    loss = compile_loss(net, X, Y)
    f = descent.FloatLoss(loss)
    losses = [f.value(descent.alternating_rank_one(loss, 5, np.random.default_rng(0), sweeps=k))
              for k in (1, 2, 5, 20, 400)]
    assert all((b <= a + 1e-12).all() for a, b in zip(losses, losses[1:]))
    pts = descent.alternating_rank_one(loss, 5, np.random.default_rng(0), sweeps=2000)
    _, G = f.value_and_gradient(np.array([descent.polish(f, p) for p in pts]))
    assert np.linalg.norm(G, axis=1).max() < 1e-8


def test_rank_one_refuses_other_networks():
    with pytest.raises(ValueError, match="two-layer linear"):
        descent.alternating_rank_one(compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[1]]), 1,
                                     np.random.default_rng(0))


def test_gauge_rule_certifies_an_irrational_minimum_and_refuses_far_points():
    # a 2-1-2 linear net: the minimum is the top singular pair of Y X^+, irrational here
    loss = compile_loss(dense([2, 1, 2]), X=[[1, 0, 1], [0, 1, 1]], Y=[[2, 0, 1], [1, 1, 0]])
    f = descent.FloatLoss(loss)
    pt = descent.polish(f, descent.alternating_rank_one(loss, 1, np.random.default_rng(0))[0])
    q = descent.rationalise(descent.gauge(loss, pt), 10 ** 12)
    theta = loss.point([f"{x.numerator}/{x.denominator}" for x in q])
    assert gauge.minimum_near_modulo_rescaling(loss, theta, "1/1000000").status == "verified"
    far = loss.point([1, 0, 1, 1])
    assert gauge.minimum_near_modulo_rescaling(loss, far, "1/1000000").status == "inconclusive"
    # the witness of lower loss must really be lower
    worse = loss.point([10, 10, 10, 10])
    assert gauge.spurious_minimum_near_modulo_rescaling(loss, theta, "1/1000000", worse).status == "inconclusive"


def test_gauge_rule_refuses_a_subclass_and_networks_without_rescaling():
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])
    theta = loss.point({"x1 -> h1_1": "0.65", "h1_1 -> y1": "1.7"})
    v = gauge.minimum_near_modulo_rescaling(loss, theta, "1/10")
    assert v.status == "inconclusive" and "rescaling" in v.reason


def test_load_problem_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[network]\ninputs = ["x1"]\noutputs = ["y1"]\nedges = ["x1 -> y1"]\n')
    with pytest.raises(ClaimFileError, match="data"):
        load_problem(bad)
    out = subprocess.run([sys.executable, "-m", "losscert", "search", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_search_cli_json_and_workers(tmp_path):
    example = ROOT / "examples" / "lin-sun-zhang-theorem2.toml"
    args = [sys.executable, "-m", "losscert", "search", str(example), "--runs", "6", "--max-iter", "3000",
            "--workers", "2", "--json", "--no-certify"]
    one = subprocess.run(args, capture_output=True, text=True)
    assert one.returncode == 0, one.stderr
    doc = json.loads(one.stdout)
    assert doc["runs"] == 6 and sum(m["basin"] for m in doc["minima"]) == 6
    serial = subprocess.run(args[:-4] + ["--workers", "1", "--json", "--no-certify"], capture_output=True, text=True)
    assert [round(m["loss"], 8) for m in json.loads(serial.stdout)["minima"]] == \
        [round(m["loss"], 8) for m in doc["minima"]]


def test_slice_certified_minima_get_claim_files_that_check(tmp_path):
    # irrational minimum of a 2-1-2 linear net: certified on the gauge slice, re-decided from its claim file
    loss = compile_loss(dense([2, 1, 2]), X=[[1, 0, 1], [0, 1, 1]], Y=[[2, 0, 1], [1, 1, 0]])
    res = search(loss, runs=3, method="rank-one", seed=0)
    assert [m.route for m in res.minima] == ["slice"] and res.minima[0].verdict == "verified"
    (path,) = write_claim_files(loss, res, tmp_path)
    out = check(path)
    assert [(c["kind"], c["verdict"]) for c in out["claims"]] == [("local_minimum_near_modulo_rescaling", "verified")]


def test_progress_reports_descent_steps_and_certificates():
    calls = []
    loss = compile_loss(dense([1, 1, 1]), X=[[1, 2]], Y=[[2, 4]])
    res = search(loss, runs=4, max_iter=2000, lr=0.05, seed=1, progress=lambda *a: calls.append(a))
    stages = {c[2] for c in calls}
    assert stages == {"descent", "certify"}
    assert all(0 <= done <= total for done, total, _ in calls)
    assert calls[-1] == (len(res.minima), len(res.minima), "certify")


def test_core_does_not_import_dask():
    code = "import sys, losscert, losscert.discover, losscert.cli; print(any(m.split('.')[0] in ('dask', " \
           "'distributed') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment())
    assert out.stdout.strip() == "False", out.stderr


def test_scheduler_without_the_distributed_extra_is_a_one_line_error(monkeypatch, tmp_path, capsys):
    import argparse

    from losscert import discover
    monkeypatch.setitem(sys.modules, "dask.distributed", None)       # as if the extra were not installed
    example = ROOT / "examples" / "lin-sun-zhang-theorem2.toml"
    args = argparse.Namespace(file=str(example), runs=2, seed=0, lr=0.01, max_iter=10, method="gd", workers=1,
                              no_certify=True, digits=30, scheduler="tcp://127.0.0.1:1", json=True, out=None)
    assert discover.run_cli(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "distributed" in err


@pytest.mark.slow
def test_search_on_a_local_dask_cluster_matches_the_local_search():
    distributed = pytest.importorskip("distributed")
    loss = lsz_theorem8("tanh")
    kw = dict(runs=8, max_iter=4000, seed=3, certify=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        seen = []
        on_dask = search(loss, workers=2, scheduler=cluster.scheduler_address,
                         progress=lambda *a: seen.append(a), **kw)
    here = search(loss, workers=1, **kw)
    assert [(round(m.loss, 8), m.basin) for m in on_dask.minima] == [(round(m.loss, 8), m.basin) for m in here.minima]
    assert seen[-1] == (2, 2, "batches")
