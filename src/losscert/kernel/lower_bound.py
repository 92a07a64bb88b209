"""Global minima from a lower bound, without any Hessian.

When every node of the network is affine in its inputs (activation none,
linear, or a polynomial of degree <= 1), output o is, for every parameter
value, a vector of the space V_o spanned by the sample rows X_j of the
inputs j with a path to o, and by the all-ones vector when a constant
(a bias, a constant term, a constant edge) reaches o. If the residual
R_o = F_o(theta) - Y_o is orthogonal to V_o for every output o, then for
every theta'

    L(theta') = s sum_o ||(F_o(theta') - F_o(theta)) + R_o||^2
              = s sum_o (||F_o(theta') - F_o(theta)||^2 + ||R_o||^2) >= L(theta),

so theta is a global minimum, hence a local one. Checked exactly: one inner
product per (output, spanning vector).

>>> import sympy
>>> from losscert import compile_loss, sparse_dense
>>> net = sparse_dense([(0,)], d_x=1, d_y=1)
>>> loss = compile_loss(net, X=[[1, -1]], Y=[[1, 1]])      # F(theta) = a b x: R orthogonal to x needs R = (c, c)
>>> theta = loss.point([1, 0])
>>> global_minimum(loss, theta)["kind"]
'orthogonal_residual'
>>> global_minimum(loss, loss.point([1, 1])) is None
True
"""
from __future__ import annotations

from .. import integer_pass
from . import fastpath, shallow_pass
from ..compiler import Loss


def _affine(act) -> bool:
    if act is None or act.kind == "linear":
        return True
    coeffs = act.polynomial_coefficients
    return coeffs is not None and all(c == 0 for c in coeffs[2:])


def _constant(act) -> bool:
    coeffs = None if act is None else act.polynomial_coefficients
    return coeffs is not None and coeffs[0] != 0


def reachable(loss: Loss) -> dict | None:
    """slot -> (set of input indices with a path to it, whether a constant
    reaches it), for every slot; None when a node is not affine."""
    if getattr(loss, "_slopes", None):
        return None
    out = {i: ({i}, False) for i in range(loss.n_inputs)}
    for st in loss.steps:
        if not _affine(st.activation):
            return None
        inputs, const = set(), st.bias is not None or _constant(st.activation)
        for src, _p, _c in st.terms:
            i, c = out[src]
            inputs |= i
            const = const or c
        out[st.slot] = (inputs, const)
    return out


def global_minimum(loss: Loss, theta, value=None) -> dict | None:
    """The certificate that theta is a global minimum (see the module
    docstring), or None when this rule does not apply or the residual is
    not orthogonal to some V_o. ``value``: L(theta) when the caller has it.

    Certificate fields: ``kind`` "orthogonal_residual"; ``outputs``: per
    output, the input names and ``constant`` spanning V_o; ``value``: L(theta)."""
    if loss.parameters is not None:
        return None
    spans = reachable(loss)
    if spans is None:
        return None
    F = loss.field
    orthogonal, sums_to_zero = _inner_products(loss, theta)
    per_output = {}
    for o, slot in enumerate(loss.output_slots):
        inputs, const = spans[slot]
        if not all(orthogonal(o, j) for j in sorted(inputs)) or const and not sums_to_zero(o):
            return None
        per_output[loss.network.outputs[o]] = {"inputs": [loss.network.inputs[j] for j in sorted(inputs)],
                                               "constant": const}
    value = loss.value(theta, raw=True) if value is None else value
    return {"kind": "orthogonal_residual", "outputs": per_output, "value": F.show(value)}


def _inner_products(loss: Loss, theta):
    """(orthogonal(o, j), sums_to_zero(o)): <X_j, R_o> == 0 and sum(R_o) == 0,
    exactly; integer vectors over common denominators when the integer pass
    applies (:mod:`losscert.integer_pass`), else field elements."""
    fast = shallow_pass.forward(loss, theta) if fastpath.at_scale(loss, len(theta)) else None       # the residuals modulo primes
    if fast is not None:
        res = fast.residuals
    else:
        run = integer_pass.forward(loss, theta, derivatives=False)
        res = integer_pass.residuals(loss, run[0]) if run is not None else None
    rows = integer_pass.data(loss)[0] if res is not None else None
    if rows is not None and all(r is not None for r in rows):
        return (lambda o, j: integer_pass.dot(rows[j], res[o]) == 0), (lambda o: integer_pass.total(res[o]) == 0)
    F = loss.field
    R = [[f - t for f, t in zip(row, y)] for row, y in zip(loss.outputs(theta, raw=True), loss.Y)]
    return ((lambda o, j: not sum((a * b for a, b in zip(loss.X[j], R[o]) if a and b), F.zero)),
            (lambda o: not sum(R[o], F.zero)))
