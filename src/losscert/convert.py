"""Results as SymPy objects, and user inputs (numpy arrays, array-likes) as numbers.

The kernel computes in exact fields: values come back as field elements
(``flint.fmpq`` or SymPy's ``PythonMPQ`` over the rationals, ``ANP`` over an
algebraic field) and Hessians as ``DomainMatrix``. :func:`to_sympy` turns any
of them, and lists or dicts of them, into SymPy ``Rational`` numbers,
algebraic expressions and ``Matrix`` objects (an Arb ball from the interval evaluators
becomes the exact ``Interval`` it holds):

>>> from losscert import compile_loss, dense, to_sympy
>>> loss = compile_loss(dense([1, 1, 1]), X=[["sqrt(2)", 1]], Y=[[1, 0]])
>>> theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": "1/2"})
>>> to_sympy(loss.value(theta))
7/8 - sqrt(2)/2
>>> to_sympy(loss.hessian(theta))
Matrix([
[        3/4, 3 - sqrt(2)],
[3 - sqrt(2),           3]])

Inputs: :func:`rows` and :func:`vector` read nested lists, tuples, numpy
arrays and any other array-like into lists of Python numbers; a float is
later read by its shortest decimal text (``0.1`` means 1/10, in its own
precision for ``float32``), as in claim files.
"""
from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

__all__ = ["to_sympy", "rows", "vector", "plain_number"]

# Algebraic fields met so far, by the minimal polynomial of their primitive
# element: an ``ANP`` does not know its field, so :func:`to_sympy` looks it up.
_FIELDS: dict[tuple, dict] = {}


def remember_field(domain) -> None:
    """Record an algebraic field so that its elements can be converted
    without naming it (called for the field of every compiled loss)."""
    if getattr(domain, "is_AlgebraicField", False):
        _FIELDS.setdefault(_key(domain.mod.to_list()), {})[domain] = None


def _key(mod) -> tuple:
    return tuple(str(c) for c in mod)


def _field_of(x):
    found = list(_FIELDS.get(_key(x.mod_to_list()), {}))
    if len(found) == 1:
        return found[0]
    if not found:
        raise TypeError("to_sympy: this algebraic number belongs to no field losscert has built; "
                        "pass field=loss.field")
    raise TypeError("to_sympy: several fields share this number's minimal polynomial; pass field=loss.field")


def to_sympy(x, field=None):
    """``x`` as SymPy: field elements to ``Rational`` or algebraic
    expressions, ``DomainMatrix`` to ``Matrix``, lists, tuples and dicts
    element-wise (their keys are kept). ``field`` (a
    :class:`~losscert.fields.Field`, a SymPy domain or a
    :class:`~losscert.compiler.Loss`) names the field of algebraic elements;
    it is needed for fields losscert did not build itself (an ``ANP`` does
    not know its generator) and when two fields share a minimal polynomial.
    Elements of an :class:`~losscert.fields.ExpField` come out in e^(1/q),
    not in its internal variable.

    >>> to_sympy([1, "0.25", {"a": 0.5}])
    [1, 1/4, {'a': 1/2}]
    """
    F = getattr(field, "field", field)
    out = _to_sympy(x, field)
    if getattr(F, "exponential", False) and hasattr(F, "t"):
        return _substitute(out, {F.t: F.value})
    return out


def _substitute(x, table):
    if isinstance(x, (sympy.Basic, sympy.MatrixBase)):
        return x.xreplace(table)
    if isinstance(x, Mapping):
        return {k: _substitute(v, table) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_substitute(v, table) for v in x]
    return x


def _to_sympy(x, field=None):
    if field is not None:
        from .fields import Field
        if isinstance(getattr(field, "field", None), Field):       # a Loss
            field = field.field
        if isinstance(field, Field):
            field = field.domain
    if isinstance(x, (sympy.Basic, sympy.MatrixBase)):
        return x
    if isinstance(x, DomainMatrix):
        return x.to_Matrix()
    if isinstance(x, Mapping):
        return {k: to_sympy(v, field) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_sympy(v, field) for v in x]
    if type(x).__module__.startswith("mpmath") and type(x).__name__ == "matrix":
        return sympy.Matrix(x.rows, x.cols, [sympy.Float(v) for v in x])
    if type(x).__module__.startswith("numpy"):
        if getattr(x, "ndim", 0):
            return sympy.Matrix(to_sympy(x.tolist() if x.dtype.kind in "iuO" else _numpy_nested(x), field))
        return to_sympy(plain_number(x), field)
    if isinstance(x, (bool, type(None))):
        raise TypeError(f"to_sympy: {x!r} is not a number")
    if isinstance(x, Fraction):
        return sympy.Rational(x.numerator, x.denominator)
    if isinstance(x, (int, float, str)) or type(x).__name__ == "Decimal":
        from .numbers import parse_number
        return parse_number(x)
    if type(x).__name__ in ("FracElement", "PolyElement"):        # over the declared symbols
        return x.as_expr()
    if type(x).__name__ == "ANP":
        domain = field if field is not None and getattr(field, "is_AlgebraicField", False) else _field_of(x)
        return domain.to_sympy(x)
    if type(x).__name__ in ("mpf",):
        return sympy.Float(x)
    if type(x).__name__ == "arb":                                   # an Arb ball: the exact interval it holds
        return sympy.Interval(*(_exact_arf(e) for e in (x.lower(), x.upper())))
    try:
        return (field if field is not None else QQ).to_sympy(QQ.convert(x) if field is None else field.convert(x))
    except Exception:       # noqa: BLE001 - anything SymPy cannot read is named below
        raise TypeError(f"to_sympy: cannot convert {type(x).__name__} {x!r}") from None


def _exact_arf(point) -> sympy.Rational:
    """An exact Arb point (radius 0) as a SymPy Rational.

    >>> import flint
    >>> _exact_arf(flint.arb(3) / 4)
    3/4
    """
    man, exp = point.mid().man_exp()
    return sympy.Integer(int(man)) * sympy.Integer(2) ** int(exp)


# -- inputs ---------------------------------------------------------------------

def plain_number(v):
    """A numpy scalar as a Python number (a float as its shortest decimal
    text in its own precision), a Fraction as a SymPy Rational; anything
    else unchanged.

    >>> import numpy as np
    >>> plain_number(np.float32(0.1)), plain_number(np.int64(3))
    ('0.1', 3)
    """
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if not type(v).__module__.startswith("numpy"):
        return v
    import numpy as np
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        if not np.isfinite(v):
            return float(v)             # nan and inf: rejected by the number reader with its message
        return str(v)                   # numpy's str is the shortest round-trip text
    if isinstance(v, np.complexfloating):
        return complex(v)
    return v.item() if hasattr(v, "item") else v


def _numpy_nested(arr):
    if not hasattr(arr, "ndim"):            # an element of an object array
        return plain_number(arr)
    if arr.ndim == 0:
        return plain_number(arr[()])
    return [_numpy_nested(a) for a in arr]


def _array(x, ndim: int, what: str):
    """An array-like as nested lists of Python numbers, through numpy."""
    import numpy as np
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: cannot be read as an array ({exc})") from None
    if arr.ndim != ndim:
        raise ValueError(f"{what}: expected {ndim} dimension{'s' if ndim > 1 else ''}, got an array of shape "
                         f"{arr.shape}")
    if arr.dtype.kind == "c":
        raise ValueError(f"{what}: complex numbers are not real numbers")
    if arr.dtype.kind == "b":
        raise ValueError(f"{what}: booleans are not numbers")
    return _numpy_nested(arr)


def _is_plain_sequence(x) -> bool:
    return isinstance(x, (list, tuple))


def rows(x, what: str = "data"):
    """A matrix given as nested lists/tuples, a SymPy Matrix, a numpy array or
    any array-like, as a list of rows (lists) of plain numbers.

    >>> import numpy as np
    >>> rows(np.array([[0.5, 1.0], [2.0, 0.1]]))
    [['0.5', '1.0'], ['2.0', '0.1']]
    """
    if isinstance(x, sympy.MatrixBase):
        return x.tolist()
    if _is_plain_sequence(x):
        return [[plain_number(v) for v in r] if _is_plain_sequence(r) else
                _array(r, 1, what) if hasattr(r, "__array__") else r for r in x]
    if isinstance(x, (str, bytes, Mapping)) or x is None:
        return x                                        # the caller reports the wrong type
    return _array(x, 2, what)


def vector(x, what: str = "point"):
    """A sequence, numpy array or array-like as a list of plain numbers
    (mappings are returned unchanged, with numpy scalars made plain)."""
    if isinstance(x, Mapping):
        return {k: plain_number(v) for k, v in x.items()}
    if isinstance(x, sympy.MatrixBase) and 1 in x.shape:
        return list(x)
    if _is_plain_sequence(x):
        return [plain_number(v) for v in x]
    if isinstance(x, (str, bytes)) or x is None or not hasattr(x, "__len__") and not hasattr(x, "__array__"):
        raise ValueError(f"{what}: expected a mapping name -> number or a sequence in parameter order, "
                         f"got {type(x).__name__}")
    return _array(x, 1, what)


def parameter_name(key):
    """A parameter name as edges are written: ``"h2 ->y"`` is ``"h2 -> y"`` (other keys unchanged).

    >>> parameter_name("h2 ->y"), parameter_name("  b:h1"), parameter_name("k1")
    ('h2 -> y', 'b:h1', 'k1')
    """
    if not isinstance(key, str):
        return key
    if key.count("->") == 1:
        a, b = (part.strip() for part in key.split("->"))
        return f"{a} -> {b}" if a and b else key
    return key.strip()


def normalised_keys(values: Mapping, what: str = "point") -> dict:
    """``values`` with its keys written as :func:`parameter_name` writes them
    (ValueError when two keys name the same parameter)."""
    out: dict = {}
    for k, v in values.items():
        name = parameter_name(k)
        if name in out:
            raise ValueError(f"{what}: {k!r} names the parameter {name!r} a second time")
        out[name] = v
    return out


def in_order(x, params, what: str = "point") -> list:
    """``x`` (as :func:`vector` takes it) as a list in the order of ``params``:
    a mapping must name every parameter and nothing else, a sequence must have
    one value per parameter (ValueError naming ``what`` otherwise).

    >>> in_order({"b": 2, "a": "1/2"}, ["a", "b"])
    ['1/2', 2]
    """
    values = vector(x, what)
    if isinstance(values, dict):
        values = normalised_keys(values, what)
        unknown = sorted(set(values) - set(params), key=str)
        if unknown:
            raise ValueError(f"{what}: {unknown[0]!r} is not a parameter (parameters: {', '.join(params)})")
        missing = [p for p in params if p not in values]
        if missing:
            raise ValueError(f"{what}: no value for parameter {missing[0]!r}")
        values = [values[p] for p in params]
    if len(values) != len(params):
        raise ValueError(f"{what}: {len(values)} values for {len(params)} parameters")
    return values
