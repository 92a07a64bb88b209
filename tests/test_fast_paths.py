"""The fast paths agree with the slow ones they replace: the Gram product
J^T J through one integer product, the conversion into algebraic fields
through SymPy's primitive element, and validation of networks with many
inputs and outputs (linear: membership in sets, not in tuples)."""
import random

import networkx as nx
import pytest
import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from losscert import Network, compile_loss, compiler, sparse_dense
from losscert.activations import activation
from losscert.fields import Field, FieldError
from losscert.network import NetworkError


def _random_rational_matrix(rng, rows, cols, digits):
    def q():
        den = rng.choice([1, 3, 7, 10 ** digits, 2 ** digits * 3, rng.randint(1, 10 ** digits)])
        return QQ(rng.randint(-10 ** digits, 10 ** digits), den)
    return DomainMatrix([[q() if rng.random() < 0.7 else QQ(0) for _ in range(cols)] for _ in range(rows)],
                        (rows, cols), QQ).to_dense()


@pytest.mark.parametrize("seed", range(4))
def test_gram_is_the_exact_product(seed):
    rng = random.Random(seed)
    J = _random_rational_matrix(rng, rng.randint(1, 12), rng.randint(1, 9), rng.choice([2, 17, 60]))
    expected = J.transpose().to_Matrix() * J.to_Matrix()
    assert compiler.gram(J).to_Matrix() == expected


def test_gram_falls_back_on_a_huge_common_denominator(monkeypatch):
    rng = random.Random(5)
    J = _random_rational_matrix(rng, 6, 4, 30)
    monkeypatch.setattr(compiler, "MAX_GRAM_DENOMINATOR_BITS", 1)
    assert compiler.gram(J).to_Matrix() == J.transpose().to_Matrix() * J.to_Matrix()


def test_gram_of_an_empty_or_zero_matrix():
    Z = DomainMatrix([[QQ(0)] * 3 for _ in range(2)], (2, 3), QQ).to_dense()
    assert compiler.gram(Z).to_Matrix() == sympy.zeros(3, 3)


def test_hessian_with_17_digit_decimals_matches_the_reference():
    rng = random.Random(1)
    net = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=2)
    dec = lambda: sympy.Rational(f"{rng.uniform(-1, 1):.16e}")   # noqa: E731
    X = [[dec() for _ in range(5)] for _ in range(3)]
    Y = [[dec() for _ in range(5)] for _ in range(2)]
    loss = compile_loss(net, X, Y)
    theta = loss.point({p: dec() for p in net.parameters})
    assert loss.hessian(theta) == loss.hessian_reference(theta).to_Matrix()


# -- algebraic fields -------------------------------------------------------------

def _random_algebraic(rng, gens):
    """A random expression in rationals and ``gens`` with +, *, and integer powers (inverses too)."""
    def atom():
        if rng.random() < 0.4:
            return sympy.Rational(rng.randint(-9, 9), rng.randint(1, 9))
        return rng.choice(gens)
    x = atom()
    for _ in range(rng.randint(1, 5)):
        y = atom()
        op = rng.randrange(4)
        x = x + y if op == 0 else x * y if op == 1 else x ** 2 - y if op == 2 else 1 / (x + 2 * gens[0] + 7)
    return x


def _agrees_with_sympy(seed, most):
    rng = random.Random(seed)
    pool = [sympy.sqrt(2), sympy.sqrt(3), sympy.sqrt(5), sympy.root(2, 3), sympy.sqrt(sympy.Rational(9, 10))]
    gens = rng.sample(pool, rng.randint(1, most))
    numbers = [_random_algebraic(rng, gens) for _ in range(3)]
    F = Field.for_numbers(numbers)
    assert F._generator_elements(), "the primitive element of the field was not recognised"
    for x in numbers:
        fast = F._evaluate(x)
        assert fast is not None
        assert fast == F.domain.from_sympy(x)            # SymPy's own (slow) conversion


@pytest.mark.parametrize("seed", range(5))
def test_primitive_element_conversion_agrees_with_sympy(seed):
    _agrees_with_sympy(seed, 2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5, 11))
def test_primitive_element_conversion_agrees_with_sympy_three_radicals(seed):
    _agrees_with_sympy(seed, 3)


def test_conversion_of_something_outside_the_field_is_refused_as_before():
    F = Field.for_numbers([sympy.sqrt(2)])
    assert F._evaluate(sympy.pi) is None
    assert F._evaluate(sympy.sqrt(3)) is None               # not one of the field's radicals: SymPy decides
    with pytest.raises(Exception):
        F(sympy.pi)
    assert F(sympy.sqrt(8)) == 2 * F(sympy.sqrt(2))


def test_a_wrong_generator_table_is_not_used(monkeypatch):
    """The exact checks reject a representation with the wrong sign (rep**2 is right, rep < 0)."""
    from sympy.polys.numberfields import subfield
    real = subfield.primitive_element

    def wrong(gens, *args, **kwargs):
        if not kwargs.get("ex"):
            return real(gens, *args, **kwargs)
        f, coeffs, reps = real(gens, *args, **kwargs)
        return f, coeffs, [[-c for c in rep] for rep in reps]
    monkeypatch.setattr(subfield, "primitive_element", wrong)
    F = Field.for_numbers([sympy.sqrt(2), sympy.sqrt(3)])
    assert F._generator_elements() == {}
    assert F(sympy.sqrt(2) + 1) == F.domain.from_sympy(sympy.sqrt(2) + 1)


def test_high_degree_field_bounds_still_hold():
    with pytest.raises(FieldError, match="limit 64"):
        Field.for_numbers([sympy.root(2, 64) + sympy.root(3, 64)])


# -- validation of wide networks ---------------------------------------------------

def test_wide_network_validates_and_names_a_duplicate():
    k = 5000
    inputs = [f"x{i}" for i in range(k)]
    g = nx.DiGraph()
    g.add_edges_from((x, "h") for x in inputs)
    g.add_edge("h", "y")
    net = Network(g, inputs, ["y"])
    assert len(net.parameters) == k + 1
    with pytest.raises(NetworkError, match="node 'x7' is listed twice"):
        Network(g, inputs + ["x7"], ["y"])
    g.add_edge("h", "x9")
    with pytest.raises(NetworkError, match="goes into input 'x9'"):
        Network(g, inputs, ["y"])


def test_identity_activation_is_recognised_structurally_and_by_expansion():
    assert activation("linear").is_identity
    assert activation("poly(0, 1)").is_identity
    assert not activation("poly(0, 1, 1/2)").is_identity
    assert not activation("tanh").is_identity


# -- small matrices: exact elimination alone (no numpy import) ------------------------

@pytest.mark.parametrize("seed", range(6))
def test_small_matrices_get_the_same_answers_exactly_and_by_proposals(seed, monkeypatch):
    from losscert.kernel import linalg
    rng = random.Random(seed)
    F = Field(QQ)
    n, r = rng.randint(2, 8), rng.randint(1, 8)
    B = [[QQ(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(n)] for _ in range(r)]
    shift = QQ(rng.choice([0, 0, -1, 1]), 2)                            # PSD, PD or indefinite
    H = linalg.matrix([[sum((B[k][i] * B[k][j] for k in range(r)), QQ(0)) + (shift if i == j else 0)
                        for j in range(n)] for i in range(n)], F)
    exact = linalg.psd_certificate(H, F)
    monkeypatch.setattr(linalg, "EXACT_UP_TO", 0)
    proposed = linalg.psd_certificate(H, F)
    assert exact[1] == proposed[1]                                          # the same pivots
    assert (exact[2] is None) == (proposed[2] is None)                      # PSD or not: the same answer
    for kernel, _, d in (exact, proposed):
        assert linalg.vanishes(H, kernel, F)
        assert d is None or linalg.quad(H, d, F) < 0


def test_a_small_claim_is_checked_without_importing_numpy():
    import json
    import subprocess
    import sys
    code = ("import json, sys\nfrom losscert import checker\n"
            "record = {'kind': 'local_minimum', 'network': {'inputs': ['x1', 'x2'], 'outputs': ['y'], "
            "'edges': ['x1 -> h', 'x2 -> h', 'h -> y']}, 'data': {'X': [['1', '2'], ['3', '1/2']], "
            "'Y': [['1', '1']]}, 'point': {'x1 -> h': '1', 'x2 -> h': '0', 'h -> y': '1'}}\n"
            "v = checker.check_batch([record])[0]['verdict']\n"
            "print(json.dumps([v, 'numpy' in sys.modules]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    verdict, numpy_loaded = json.loads(r.stdout)
    assert verdict in ("verified", "refuted")
    assert numpy_loaded is False
