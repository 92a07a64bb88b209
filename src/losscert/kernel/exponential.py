"""Exact decisions for tanh, sigmoid, shifted-sigmoid, Swish and ELU networks.

At rational data and a rational point, every value of a network whose
transcendental neurons all receive rational pre-activations (one hidden
layer of them, or deeper ones fed through zero weights) lies in
Q(t), t = e^(1/q), with q the least common denominator of those
pre-activations: tanh(a/q) = (t^(2a) - 1)/(t^(2a) + 1),
sigmoid(a/q) = t^a/(t^a + 1), ELU(a/q) = t^a - 1 for a < 0. Since t is
transcendental (Lindemann), an element of Q(t) vanishes exactly when it is
the zero rational function, so the exact kernel (gradients, Hessians,
kernels, critical families, the splitting lemma) runs unchanged over the
:class:`~losscert.fields.ExpField` Q(t).

:func:`exponential_loss` builds that loss (or returns None where it does not
apply: algebraic data, symbols, softplus, a transcendental pre-activation
such as tanh(tanh(1)), a power t^k beyond the bound);
:func:`exact_in_exponentials` makes a kernel rule retry over Q(t) when its
ordinary route (exact arithmetic, formal atoms, Arb enclosures) is
inconclusive, so a decided verdict is never changed.

>>> from losscert import compile_loss, dense
>>> loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[0]])
>>> exp_loss, (theta,) = exponential_loss(loss, [loss.point(["1/2", 1])])
>>> exp_loss.field, exp_loss.value(theta)
(ExpField(t = E), (-2*E + 1 + exp(2))/(2 + 4*E + 2*exp(2)))
"""
from __future__ import annotations

import functools
from math import lcm

import sympy
from sympy.polys.polyerrors import CoercionFailed

from ..activations import EXPONENTIAL_KINDS, NonSmooth, NotExact
from ..compiler import ExponentialPoint, Loss
from ..fields import MAX_EXP_DENOMINATOR, ExpField, FieldError, NeedDenominator
from ..numbers import parse_number
from .verdict import INCONCLUSIVE, Verdict

MAX_RETRIES = 6          # field enlargements q -> lcm(q, b) tried before giving up
MAX_PARAMETERS = 60      # exact rational-function arithmetic is for small networks


def applies(loss: Loss) -> bool:
    """The loss has rational data, no symbols, and an activation whose values
    at rationals lie in an exponential field (softplus, with its logarithm, does not)."""
    if loss.parameters is not None or not loss.field.is_rational or len(loss.params) > MAX_PARAMETERS:
        return False
    kinds = {act.kind for st in loss.steps for act in [st.activation] if act is not None}
    return bool(kinds & set(EXPONENTIAL_KINDS)) and "softplus" not in kinds


def exponential_loss(loss: Loss, points) -> tuple[Loss, list] | None:
    """(the loss over Q(e^(1/q)), the points in it) when every coordinate of
    the points is rational or in Q(e^(1/q)) (exp(r) of rationals) and every
    transcendental neuron's pre-activation at every point is rational; else
    None. q grows to the denominators met (at most MAX_EXP_DENOMINATOR)."""
    if not applies(loss):
        return None
    rational = [[x if isinstance(x, sympy.Basic) else loss.field.to_sympy(x) for x in p] for p in points]
    exps = [e.args[0] for p in rational for x in p for e in x.atoms(sympy.exp)]
    if any(not r.is_Rational for r in exps):
        return None
    q = lcm(1, *(int(r.q) for r in exps))
    if q > MAX_EXP_DENOMINATOR:
        return None
    cache = loss.__dict__.setdefault("_exponential", {})
    for _ in range(MAX_RETRIES):
        lifted = cache.get(q)
        if lifted is None:
            try:
                lifted = cache[q] = loss.over(ExpField(q))
            except FieldError:
                return None
        F = lifted.field
        try:
            converted = [[F(x) for x in p] for p in rational]
            for p in converted:
                lifted.value(p, raw=True)
        except NeedDenominator as need:
            q = lcm(q, need.denominator)
            if q > MAX_EXP_DENOMINATOR:
                return None
            continue
        except (NotExact, NonSmooth, FieldError, CoercionFailed):
            return None
        return lifted, converted
    return None


def _points_of(loss: Loss, args) -> list:
    """Every argument that is a point of ``loss``, read (SymPy numbers, possibly with exp(r))."""
    return [loss.read_point(a) for a in args if _is_point(a)]


def _is_point(a) -> bool:
    return isinstance(a, (dict, list, tuple)) or hasattr(a, "shape")


def exact_in_exponentials(rule):
    """Decorate a kernel rule ``rule(loss, point, ...)``: when its verdict is
    inconclusive and :func:`exponential_loss` applies, decide again over
    Q(e^(1/q)); a decided answer there replaces the inconclusive one (with
    the field in its evidence). Scalar arguments (claimed values) are
    converted into the field."""
    @functools.wraps(rule)
    def decided(loss, *args, **kwargs):
        exponential_point = False
        try:
            first = rule(loss, *args, **kwargs)
        except ExponentialPoint as exc:          # exp(r) in the point: only Q(e^(1/q)) holds it
            first, exponential_point = Verdict(INCONCLUSIVE, f"{exc}; the exponential field does not apply here"), True
        if first.status != INCONCLUSIVE or type(loss) is not Loss or not applies(loss):
            return first
        try:
            points = _points_of(loss, args)
            lifted = exponential_loss(loss, points)
        except (ValueError, TypeError, ArithmeticError):
            return first
        if lifted is None:
            return first
        exp_loss, converted = lifted
        F = exp_loss.field
        it = iter(converted)
        new_args = [next(it) if _is_point(a) else _scalar(loss, F, a) for a in args]
        try:
            second = rule(exp_loss, *new_args, **kwargs)
        except FieldError as exc:        # a non-zero element too close to 0 for MAX_SIGN_BITS: no verdict, no crash
            second = Verdict(INCONCLUSIVE, f"exact in Q({F.value}), but a sign is not decided: {exc}")
        if second.status == INCONCLUSIVE:
            return second if exponential_point else first
        evidence = {**second.evidence, "arithmetic": f"exact in Q(t), t = {F.value} (transcendental: "
                    "an element is zero only as the zero rational function)"}
        return Verdict(second.status, f"{second.reason} [exact in Q({F.value})]", evidence, second.certificate)
    return decided


def _scalar(loss: Loss, F: ExpField, a):
    """A claimed number (field element of ``loss`` or text) as an element of F."""
    if loss.field.domain.of_type(a):
        return F(loss.field.to_sympy(a))
    if isinstance(a, (int, str, sympy.Basic)):
        return F(parse_number(a, exponentials=True) if isinstance(a, str) else loss._read(a, "value"))
    return a
