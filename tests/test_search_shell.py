"""`losscert search`: the kernel's reason in the table, converged and not
converged end points apart, decimals for long fractions, and ReLU end points
certified exactly where an exact point can be found (the output layer fitted
exactly on rounded features)."""
import pytest

from losscert import compile_loss, dense, discover
from losscert.discover import Minimum, SearchResult, decimals, search, table

RELU = dict(network=dense([1, 3, 1], activation="relu", biases=True), X=[["0.7", "1.9", "-1.1"]],
            Y=[["1.3", "2.7", "-0.4"]])


@pytest.fixture(scope="module")
def relu_search():
    return search(compile_loss(**RELU), runs=12, max_iter=4000, seed=3, lr=0.02)


def test_relu_end_points_are_certified_exactly(relu_search):
    assert [m.verdict for m in relu_search.minima] == ["verified"] * 3
    assert all(m.route == "exact" and m.converged for m in relu_search.minima)
    assert relu_search.minima[0].reason == "L(theta) = 0, the global minimum value of a squared loss"


def test_without_the_output_layer_fit_the_zero_loss_point_stays_open(monkeypatch):
    monkeypatch.setattr(discover, "_output_layer_fit", lambda loss, q: None)
    res = search(compile_loss(**RELU), runs=12, max_iter=4000, seed=3, lr=0.02)
    assert res.minima[0].loss < 1e-20 and res.minima[0].verdict == "inconclusive"


def test_the_table_has_reasons(relu_search):
    lines = table(relu_search).splitlines()
    assert lines[2].split()[4:6] == ["verified", "exact"]
    assert lines[3] == "      L(theta) = 0, the global minimum value of a squared loss"


def test_runs_that_did_not_converge_are_kept_apart_and_not_certified(monkeypatch):
    monkeypatch.setattr(discover.descent, "polish", lambda f, theta: theta)
    loss = compile_loss(dense([1, 1, 1]), [[1, 2]], [[2, 4]])
    res = search(loss, runs=4, max_iter=1, seed=0, lr=1e-6)
    assert res.statuses["converged"] == 0 and res.minima
    assert all(not m.converged and m.verdict == "not tried" for m in res.minima)
    text = table(res)
    assert "not converged (stopped at max_iter; not minima candidates):" in text
    assert "local minimum" not in text.splitlines()[1]


def test_long_fractions_are_shown_as_decimals():
    big = "2073598617600374399952/6553600000000000000000000"
    m = Minimum(0.5, 3, [0.0], 0.0, "verified", "exact", f"L(better) = {big} < L(point) = 1/2")
    text = table(SearchResult(3, "gd", {"converged": 3, "max_iter": 0, "diverged": 0}, [m]))
    assert "L(better) = ~0.0003164060391 < L(point) = 1/2" in text and big not in text
    assert decimals("-12345678901234567890123") == "~-1.23456789e+22"
    assert decimals("x1 -> h1 = 3/4, 10**40") == "x1 -> h1 = 3/4, 10**40"
