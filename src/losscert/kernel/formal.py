"""Exact zeros of transcendental networks by formal identity.

At a point with rational weights, a network with tanh, sigmoid, ... computes
with transcendental numbers like tanh(1/2). Here each such value is an
*atom*: a variable of a polynomial ring over the loss's field, so the
gradient becomes a polynomial in the atoms. The atoms obey only identities
that are true:

- sigma(a) for an odd activation (tanh, shifted sigmoid, ...) and -a:
  sigma(-a) = -sigma(a), sigma'(-a) = sigma'(a);
- tanh' = 1 - tanh^2, sigmoid' = sigmoid (1 - sigmoid);
- an exact value (sigma(0) = 0 for an odd sigma, polynomial pieces) is used
  as it is.

A polynomial that is identically zero is zero for every value of the atoms,
so a gradient that vanishes as a polynomial vanishes at the actual point:
``critical_point`` is proven (sound). The converse is not a proof of
anything: tanh 2 = 2 tanh 1 / (1 + tanh^2 1) relates atoms the ring treats
as independent, so a non-zero polynomial may still vanish (then the
interval enclosures decide, or nothing does).

>>> from losscert import compile_loss, dense
>>> net = dense([1, 2, 1], activation="tanh")
>>> loss = compile_loss(net, [[1, -1]], [[1, 1]])     # mirrored samples, equal targets
>>> theta = loss.point({"x1 -> h1_1": "1/2", "x1 -> h1_2": "-1/2", "h1_1 -> y1": 1, "h1_2 -> y1": 1})
>>> formal_gradient_zero(loss, theta)["atoms"]
['tanh(1/2)']
"""
from __future__ import annotations

from sympy.polys.rings import ring

from ..activations import NonSmooth, NotExact
from ..compiler import FieldAlgebra, Loss

MAX_ATOMS = 48


class _TooManyAtoms(Exception):
    pass


class AtomAlgebra(FieldAlgebra):
    """Polynomials in atoms (values of transcendental activations) over the
    field: the forward/backward pass's algebra for :func:`formal_gradient_zero`."""

    def __init__(self, F):
        self.F = F
        self.R, *self.gens = ring(",".join(f"a{i}" for i in range(MAX_ATOMS)), F.domain)
        self.zero = self.R.zero
        self.atoms: dict = {}        # (kind, spec, key) -> generator index
        self.names: list[str] = []

    def lift(self, c):
        return self.R.zero + c

    def _atom(self, what, act, arg):
        key = (what, act.spec, frozenset(arg.items()))
        if key not in self.atoms:
            if len(self.atoms) == MAX_ATOMS:
                raise _TooManyAtoms()
            self.atoms[key] = len(self.atoms)
            shown = self.F.show(arg.LC) if arg.is_ground else str(arg.as_expr())
            self.names.append(f"{act.spec}({shown})" if what == "value" else f"{act.spec}'({shown})")
        return self.gens[self.atoms[key]]

    def activate(self, act, a, derivative):
        F = self.F
        if a.is_ground:
            try:
                c = act.taylor(a.LC if a else F.zero, 1 if derivative else 0, F)
                return self.lift(c[0]), (self.lift(c[1]) if derivative else None)
            except NotExact:
                pass
        sign = 1
        if act.properties["odd"] and a and F.sign(a.LC) < 0:
            a, sign = -a, -1                        # sigma(-a) = -sigma(a), sigma'(-a) = sigma'(a)
        v = self._atom("value", act, a)
        value = v if sign > 0 else -v
        if not derivative:
            return value, None
        if act.kind == "tanh":
            slope = 1 - v * v
        elif act.kind == "sigmoid":
            slope = v - v * v
        else:
            slope = self._atom("derivative", act, a)
        return value, slope


def formal_gradient_zero(loss: Loss, theta) -> dict | None:
    """Evidence that grad L(theta) is zero as a polynomial in the
    transcendental atoms, or None (not identically zero, a kink, too many atoms)."""
    alg = AtomAlgebra(loss.field)
    try:
        grad = loss._gradient_in([alg.lift(t) for t in theta], alg)
    except (_TooManyAtoms, NonSmooth, NotExact):
        return None
    if any(grad):
        return None
    return {"gradient": "0 as a polynomial in the atoms (formal identity)", "atoms": alg.names}


def formal_values_equal(loss: Loss, theta, other) -> dict | None:
    """Evidence that L(theta) - L(other) is zero as a polynomial in the
    transcendental atoms (``other``: a point, or a field element for a claimed
    value), or None. Atoms are shared between the two points.

    >>> from losscert import compile_loss, dense
    >>> loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[0]])
    >>> a = loss.point({"x1 -> h1_1": "1/2", "h1_1 -> y1": 1})
    >>> b = loss.point({"x1 -> h1_1": "-1/2", "h1_1 -> y1": 1})    # the mirror image: same loss
    >>> formal_values_equal(loss, a, b)["atoms"]
    ['tanh(1/2)']
    """
    alg = AtomAlgebra(loss.field)
    try:
        l0 = loss._value_in([alg.lift(t) for t in theta], alg)
        l1 = loss._value_in([alg.lift(t) for t in other], alg) if isinstance(other, (list, tuple)) \
            else alg.lift(other)
    except (_TooManyAtoms, NonSmooth, NotExact):
        return None
    if l0 - l1:
        return None
    return {"loss": "equal as polynomials in the atoms (formal identity)", "atoms": alg.names}
