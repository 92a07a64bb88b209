"""The Vandermonde certificate and rank sigma(W X): verified, refuted, inconclusive, misuse."""
import pytest
import sympy as sp

from losscert.kernel import guarded
from losscert.kernel.vandermonde import activation_rank, vandermonde_full_rank
from losscert.proof import Proof, run


def status(rule, *args):
    return guarded(rule, *args).status


# -- vandermonde_full_rank ----------------------------------------------------------------------

def test_vandermonde_verified_matches_an_exact_determinant():
    v = vandermonde_full_rank("tanh", [1, "sqrt(2)", 3, "1/2"], 1, 2)
    assert v.status == "verified"
    ders = [1, -2, 16, -272]                       # tanh^(1, 3, 5, 7)(0)
    z = [1, sp.sqrt(2), 3, sp.Rational(1, 2)]
    A = sp.Matrix(4, 4, lambda k, i: z[i] ** (1 + 2 * k) * ders[k])
    assert A.det() != 0


@pytest.mark.parametrize("act, samples, start, step, why", [
    ("tanh", [1, -1, 2], 1, 2, "z_1^2 = z_2^2"),          # odd activation, even step: li-ding-sun Lemma 1 fails
    ("sigmoid", [1, 2, 3], 0, 1, "sigma^(2)(0) = 0"),      # a zero derivative: a zero row
    ("softplus", [0, 2], 1, 1, "z_1 = 0"),              # a zero sample with l_1 > 0
    ("poly(1, 1, 1)", [2, "sqrt(4)", 3], 0, 1, "z_1^1 = z_2^1"),
])
def test_vandermonde_refuted_when_a_factor_vanishes(act, samples, start, step, why):
    v = vandermonde_full_rank(act, samples, start, step)
    assert v.status == "refuted" and why in v.reason
    z = [sp.sympify(s) for s in samples]
    ders = [sp.diff(sp.sympify({"tanh": "tanh(x)", "sigmoid": "1/(1+exp(-x))", "softplus": "log(1+exp(x))",
                               "poly(1, 1, 1)": "1+x+x**2"}[act]), sp.Symbol("x"), start + k * step)
            .subs("x", 0) for k in range(len(z))]
    A = sp.Matrix(len(z), len(z), lambda k, i: z[i] ** (start + k * step) * ders[k])
    assert sp.simplify(A.det()) == 0


def test_vandermonde_zero_sample_allowed_when_l1_is_zero():
    assert status(vandermonde_full_rank, "softplus", [0, 2, 3], 0, 1) == "verified"


def test_vandermonde_inconclusive_when_a_derivative_is_undecided(monkeypatch):
    from losscert.activations import Activation
    monkeypatch.setattr(Activation, "derivatives_at_zero",
                        lambda self, order: [sp.Symbol("c")] * (order + 1))   # SymPy cannot say c != 0
    assert status(vandermonde_full_rank, "tanh", [1, 2], 0, 1) == "inconclusive"


@pytest.mark.parametrize("args", [
    ("tanh", [1.0, 2, 3], 1, 2),            # a float sample
    ("tanh", [1, 2, 3], 1, 0),              # step 0: orders not distinct
    ("tanh", [1, 2, 3], 1.0, 2),            # float order
    ("tanh", [], 1, 2),                     # no samples
    ("relu", [1, 2], 0, 1),                 # not differentiable at 0
    (None, [1, 2], 0, 1),                   # not a name
    ("tanh", [1, "pi"], 1, 2),              # not a number
])
def test_vandermonde_misuse_is_inconclusive_with_a_reason(args):
    v = guarded(vandermonde_full_rank, *args)
    assert v.status == "inconclusive" and "could not be checked" in v.reason


# -- activation_rank -------------------------------------------------------------------------------

def test_activation_rank_exact_for_piecewise_linear_and_polynomials():
    assert status(activation_rank, "relu", [[1], [2]], [[1, -1]], 1) == "verified"
    assert status(activation_rank, "relu", [[1], [2]], [[1, -1]], 2) == "refuted"
    assert status(activation_rank, "poly(0, 1, 1)", [[1], [2]], [[1, "1/2"]], 2) == "verified"


def test_activation_rank_odd_activations_at_antipodal_samples_are_refuted():
    for act in ("tanh", "shifted_sigmoid", "poly(0, 1, 0, 1)"):
        v = guarded(activation_rank, act, [[1], [2], ["1/3"]], [[1, -1]], 2)
        assert v.status == "refuted", (act, v.reason)


def test_activation_rank_transcendental_full_rank_by_arb_minor():
    v = activation_rank("tanh", [[1, 0], [0, 1], [1, 1]], [[1, 2, 3], [1, -1, 2]], 3)
    assert v.status == "verified" and ("Arb" in v.evidence["arithmetic"] or "exact" in v.evidence["arithmetic"])
    assert activation_rank("sigmoid", [[1], [2]], [[1, -1]], 2).status == "verified"


def test_activation_rank_lower_claim_with_formal_bound():
    # rank 1 exactly: the 2-minors vanish identically (tanh(-a) = -tanh(a)), a 1-minor is non-zero
    assert activation_rank("tanh", [[1], [2]], [[1, -1]], 1).status == "verified"
    # claimed 1 but a 2-minor is proven non-zero
    assert activation_rank("tanh", [[1], [2]], [[1, 2]], 1).status == "refuted"


def test_activation_rank_inconclusive_without_a_proof():
    v = activation_rank("softplus", [[1], [2]], [[1, 1]], 2)
    assert v.status == "refuted"             # equal columns: formally identical
    v = activation_rank("softplus", [[0], [0]], [["1", "2"]], 1, digits=20)
    assert v.status == "verified"            # all entries log 2: rank 1 exactly by formal bound + minor
    w = activation_rank("softplus", [["1/10**40"], ["2/10**40"]], [[1, 2]], 2, digits=20)
    assert w.status == "inconclusive"        # full rank, but the minor is below the precision


@pytest.mark.parametrize("args", [
    ("tanh", [[1.5], [2]], [[1, 2]], 2),            # float weight
    ("tanh", [[1, 2]], [[1, 2]], 1),                # W is 1 x 2 but X has 1 row
    ("tanh", [[1], [2]], [[1, 2], [3]], 1),         # ragged X
    ("tanh", [[1], [2]], [[1, 2]], 3),              # rank above min(p, N)
    ("tanh", [[1], [2]], [[1, 2]], -1),
    ("tanh", "W", [[1, 2]], 1),
])
def test_activation_rank_misuse(args):
    v = guarded(activation_rank, *args)
    assert v.status == "inconclusive" and "could not be checked" in v.reason


def test_proof_api_exposes_both_rules():
    proof = Proof("t", source="test")
    proof.vandermonde_full_rank("tanh", [1, 2], 1, 2)
    proof.vandermonde_full_rank("tanh", [1, -1], 1, 2, expect="refuted")
    proof.activation_rank("tanh", [[1], [2]], [[1, -1]], 2, expect="refuted")
    assert [s["verdict"] for s in run(proof)["statements"]] == ["verified", "refuted", "refuted"]
