"""The atlas of small architectures (experiments/atlas.py, issue 25): the
enumeration is complete up to isomorphism, every certified minimum of a
small slice is re-decided by `losscert check`, the run resumes, and the
theory-against-census check runs (and fails loudly on a planted contradiction).
"""
import itertools

import pytest

from experiments import atlas
from losscert.cli import main as losscert_main

SLICE = ["--inputs", "1", "--hidden", "2", "--outputs", "2", "--draws", "1", "--runs", "8",
         "--activations", "linear;relu", "--workers", "1"]


def _brute_force_classes(max_inputs, max_hidden, max_outputs):
    """Every labelled architecture, grouped by networkx isomorphism (no canonical form used)."""
    reps = []
    for d_x, d_y, h in itertools.product(range(1, max_inputs + 1), range(1, max_outputs + 1),
                                         range(1, max_hidden + 1)):
        kinds = [(i, o) for i in atlas._subsets(d_x) for o in atlas._subsets(d_y)]
        for hidden in itertools.product(kinds, repeat=h):
            if {a for i, _ in hidden for a in i} != set(range(d_x)) or \
                    {b for _, o in hidden for b in o} != set(range(d_y)):
                continue
            arch = atlas.Architecture(d_x, d_y, tuple(hidden))
            if not any(atlas.isomorphic(arch, r) for r in reps):
                reps.append(arch)
    return reps


@pytest.mark.parametrize("bounds", [(1, 2, 2), (2, 2, 1), (2, 2, 2)])
def test_enumeration_is_one_per_isomorphism_class(bounds):
    ours = atlas.architectures(*bounds)
    assert len(ours) == len(_brute_force_classes(*bounds))
    for a, b in itertools.combinations(ours, 2):
        assert not atlas.isomorphic(a, b), (a.name, b.name)


def test_canonical_form_ignores_relabelling():
    a = atlas.canonical(2, 2, [((0,), (0, 1)), ((0, 1), (1,))])
    b = atlas.canonical(2, 2, [((1,), (0, 1)), ((0, 1), (0,))])       # inputs and outputs swapped
    assert a == b and atlas.isomorphic(a, b)
    assert atlas.canonical(2, 2, [((0,), (0,)), ((1,), (1,))]) != a


def test_theorems_follow_the_hypotheses():
    scalar = atlas.Architecture(2, 1, (((0,), (0,)), ((0, 1), (0,))))
    ids = [t["id"] for t in atlas.applicable_theorems(scalar, "linear", [[1, 2], [3, 4]])]
    assert "iclr:Theorem 1 (scalar output)" in ids and "lsz:Theorem 1 (3)" in ids
    assert "lsz:Theorem 1 (1)" not in ids                       # the pattern {x1, x2} has p = 1 < d = 2
    assert atlas.applicable_theorems(scalar, "relu", [[1, 2], [3, 4]]) == []
    two = atlas.Architecture(2, 2, (((0,), (0,)), ((1,), (1,))))  # sparse-sparse: no theorem of the list
    assert atlas.applicable_theorems(two, "linear", [[1, 2], [3, 4]]) == []


def test_least_squares_bound_is_certified_and_tight():
    from losscert import compile_loss, kernel
    from losscert.kernel import algebra
    arch = atlas.Architecture(2, 1, (((0,), (0,)), ((1,), (0,))))
    X, Y = [[1, 0, 1], [0, 1, 1]], [[1, 1, 3]]
    loss = compile_loss(arch.network(), X, Y)
    L_star, squares = atlas.least_squares_bound(arch, X, Y, {v.param: v for v in loss.symbols()})
    assert kernel.guarded(algebra.inequality, loss.expression(), L_star, tuple(squares)).status == kernel.VERIFIED
    wrong = kernel.guarded(algebra.inequality, loss.expression(), L_star + 1, tuple(squares))
    assert wrong.status != kernel.VERIFIED


def test_a_planted_contradiction_is_reported():
    row = {"theorems": [{"id": "iclr:Theorem 1 (scalar output)", "forbids": "spurious"},
                        {"id": "lsz:Theorem 1 (3)", "forbids": "spurious strict"}],
           "minima": [{"spurious": "verified", "strict": "refuted", "loss": 1.5, "claim_file": "m.toml"}]}
    found = atlas.contradictions(row)
    assert len(found) == 1 and found[0].startswith("iclr:Theorem 1")
    row["minima"][0]["strict"] = "verified"
    assert len(atlas.contradictions(row)) == 2
    row["minima"][0]["spurious"] = "not tried"
    assert atlas.contradictions(row) == []


def test_a_small_slice_resumes_and_every_certified_minimum_is_re_decided(tmp_path, capsys):
    out = tmp_path / "atlas"
    args = SLICE + ["--out", str(out), "--docs", str(tmp_path / "atlas.md")]
    assert atlas.main(args) == 0                    # no contradiction with the theorems that apply
    printed = capsys.readouterr().out
    rows = list(atlas._done(out / "results.jsonl").values())
    assert len(rows) == len(atlas.architectures(1, 2, 2)) * 2
    assert all(r["verdict"] != "error" for r in rows)
    assert "0 contradictions" in printed
    page = (tmp_path / "atlas.md").read_text()
    assert "Theory against the census" in page and (tmp_path / "atlas.png").stat().st_size > 1000
    spurious = [r for r in rows if r["verdict"].startswith("spurious")]
    assert spurious, "the slice has ReLU cases with certified spurious minima"
    claims = sorted((out / "claims").glob("*.toml"))
    assert claims
    capsys.readouterr()
    assert losscert_main(["check", "-q", *map(str, claims)]) == 0     # each claim re-decided as written
    # resumable: a second run finds every case done and runs none
    assert atlas.main(args) == 0
    assert "0 to run" in capsys.readouterr().err


def test_the_module_examples_hold():
    import doctest
    assert doctest.testmod(atlas).failed == 0
