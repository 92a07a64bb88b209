"""Statements as data: what a claim file or a proof script asks the kernel.

A *statement* is a plain record (a dict of strings, integers, booleans, lists
and tables, as in a claim file's ``[[claim]]`` table): its ``kind``, what it
is about (``network``, ``data``, ``scale``, ``point`` as the claim-file
tables; matrices and expressions as text of :mod:`losscert.expressions`) and
optional ``expect``, ``caption`` and ``note``. :data:`KINDS` maps each kind
to a reader (record -> the kernel rule's arguments, built here from the text)
and the kernel rule; adding a kind is one :func:`register` call. Nothing here
accepts a live object from a script: a statement is checked from its text.

>>> net = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
>>> record = {"kind": "loss_value", "network": net, "data": {"X": [[1]], "Y": [[2]]},
...           "point": {"x -> h": "1", "h -> y": "2"}, "value": "0"}
>>> decide(record).status
'verified'
>>> decide({"kind": "rank", "matrix": [["1", "2"], ["2", "4"]], "claimed": 2}).status
'refuted'
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable

from . import kernel
from .activations import ActivationError, activation
from .compiler import CompileError, ExponentialPoint, PointError, compile_loss
from .convert import normalised_keys
from .expressions import ExpressionError, parse_expression, parse_matrix, parse_term
from .fields import FieldError
from .kernel import algebra, assumptions, certificates, gauge, landscape, paths, vandermonde
from .names import did_you_mean
from .network import Network, NetworkError
from .numbers import NumberError, parse_number
from .proposers import newton

COMMON = {"kind", "expect", "caption", "note", "unwritable"}
EXPECTS = ("verified", "refuted", "inconclusive")     # the verdict names a statement may expect
CONTEXT = ("network", "data", "scale", "point")


class StatementError(ValueError):
    """A record that does not state anything readable; str() names the key."""


@dataclass(frozen=True)
class Kind:
    """One statement kind: the keys it takes and how it reaches the kernel.

    ``read(record, context)`` returns the kernel rule's arguments (raising
    :class:`StatementError`); ``uses`` lists the context tables it needs;
    ``numbers`` lists the keys holding numbers (or point tables) that the
    loss's exact field must contain."""
    name: str
    rule: Callable
    read: Callable
    required: tuple = ()
    optional: tuple = ()
    uses: tuple = ()
    numbers: tuple = ()


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a statement kind (one entry per kind)."""
    KINDS[kind.name] = kind
    return kind


# -- reading the parts of a record ------------------------------------------------

def _number(record, key):
    return _number_at(record[key], key)


def _number_at(value, where):
    try:
        return parse_number(value)
    except NumberError as exc:
        raise StatementError(f"{where}: {exc}") from None


def _int(record, key, lo, hi, default=None):
    v = record.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise StatementError(f"{key}: must be an integer from {lo} to {hi}")
    return v


def _numbers(record, key) -> list:
    v = record[key]
    if not isinstance(v, list) or not v:
        raise StatementError(f"{key}: must be a non-empty list of numbers")
    out = []
    for i, x in enumerate(v, 1):
        try:
            out.append(parse_number(x))
        except NumberError as exc:
            raise StatementError(f"{key}[{i}]: {exc}") from None
    return out


def _activation(record):
    try:
        return activation(record["activation"])
    except ActivationError as exc:
        raise StatementError(f"activation: {exc}") from None


def _names(record) -> dict:
    """The table identifier -> symbol name of an expression claim; a value that is a
    condition ("x > 0") is refused: these claims hold for every real value of their
    symbols, so a counterexample outside the condition would be a wrong refutation."""
    names = record.get("symbols", {})
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        raise StatementError("symbols: must be a table of identifier = \"symbol name\"")
    for k, v in names.items():
        if is_condition(v):
            raise StatementError(f"symbols.{k}: {v!r} is a condition, which claims of kind {record.get('kind')} do "
                                 "not use (they hold for every real value of their symbols)")
    return names


def is_condition(text: str) -> bool:
    """``text`` reads as a comparison chain such as ``"x > 0"`` or ``"0 < a <= 2"``.

    >>> is_condition("0 < a <= 2"), is_condition("x1 -> h1"), is_condition("w_1")
    (True, False, False)
    """
    import ast
    try:
        return isinstance(ast.parse(text.strip(), mode="eval").body, ast.Compare)
    except (SyntaxError, ValueError):
        return False


def _term(record, key, kind="term"):
    try:
        if kind == "matrix":
            return parse_matrix(record[key], _names(record))
        if kind == "expression":
            return parse_expression(record[key], _names(record))
        return parse_term(record[key], _names(record))
    except ExpressionError as exc:
        raise StatementError(f"{key}: {exc}") from None


def network_of(record) -> Network:
    try:
        return Network.from_table(record["network"])
    except (NetworkError, ActivationError) as exc:
        raise StatementError(str(exc)) from None


def _rows(record, key, expected=None, what="inputs"):
    rows = record[key]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) and r for r in rows):
        raise StatementError(f"{key}: must be a non-empty list of non-empty rows")
    if any(len(r) != len(rows[0]) for r in rows):
        raise StatementError(f"{key}: rows have different lengths")
    if expected is not None and len(rows) != expected:
        raise StatementError(f"{key}: has {len(rows)} rows but the network has {expected} {what}")
    return [[_number_at(x, f"{key}[{i + 1}][{j + 1}]") for j, x in enumerate(r)] for i, r in enumerate(rows)]


def point_numbers(table, network: Network, where: str, parameters=None) -> dict:
    """A point table {parameter: number text} read exactly, every parameter present
    (``parameters``: the declared symbols the numbers may use)."""
    if not isinstance(table, dict):
        raise StatementError(f"{where}: must be a table")
    out = {}
    try:
        table = normalised_keys(table, where)        # "h2 ->y" names the edge "h2 -> y", as in network.edges
    except ValueError as exc:
        raise StatementError(str(exc)) from None
    for name, value in table.items():
        if name not in network.param_index:
            raise StatementError(f"{where}.{name!r}: not a parameter of the network"
                                 f"{did_you_mean(name, network.parameters)} "
                                 f"(parameters: {', '.join(network.parameters)})")
        if parameters is not None:
            try:
                out[name] = parameters.number(value, f"{where}.{name!r}")
            except FieldError as exc:
                raise StatementError(str(exc)) from None
            continue
        try:
            out[name] = parse_number(value, exponentials=True)
        except NumberError as exc:
            raise StatementError(f"{where}.{name!r}: {exc}") from None
    missing = [p for p in network.parameters if p not in out]
    if missing:
        raise StatementError(f"{where}: no value for parameter {missing[0]!r}")
    return out


# -- the loss of a record: compiled once per (network, data, scale) in a batch ----

@dataclass
class Context:
    """Compiled losses shared by the records of one batch (one exact field per
    network, data and scale, holding every number the batch's records use);
    each distinct network table is read once per batch."""
    records: list = field(default_factory=list)
    _losses: dict = field(default_factory=dict)
    _numbers: dict | None = None
    _networks: dict = field(default_factory=dict)

    def network(self, record) -> Network:
        """The network of ``record`` (as :func:`network_of`), read once per distinct table
        (keyed by its content, so a changed table is read again)."""
        try:
            key = json.dumps(record.get("network"), sort_keys=True)
        except (TypeError, ValueError):
            return network_of(record)                       # not plain data: read it, keep nothing
        if key not in self._networks:
            self._networks[key] = network_of(record)       # an unreadable table raises, every time
        return self._networks[key]

    def _key(self, record) -> str:
        return json.dumps([record.get(k) for k in ("network", "data", "scale", "symbols")], sort_keys=True)

    def _numbers_of(self, record) -> list:
        """The numbers of ``record`` that its loss's field must hold (points, value, radius)."""
        kind, nums = KINDS[record["kind"]], []
        if record.get("symbols") is not None:
            return nums                  # the field is Q(symbols): numbers never enlarge it
        net = self.network(record)
        for key in kind.numbers:
            for value in _point_like(record.get(key)):
                if isinstance(value, dict):
                    nums += point_numbers(value, net, key).values()
                else:
                    nums.append(parse_number(value))
        return nums

    def _collect(self):
        self._numbers = {}
        for r in self.records:
            kind = KINDS.get(r.get("kind"))
            if kind is None or "data" not in kind.uses or "unwritable" in r:
                continue
            try:
                self._numbers.setdefault(self._key(r), []).extend(self._numbers_of(r))
            except (StatementError, NumberError, KeyError):
                continue        # this record's own reading will report it

    def _compile(self, record, numbers):
        data = data_table(record)
        try:
            return compile_loss(self.network(record), data["X"], data["Y"], scale=record.get("scale", "1/2"),
                                extra_numbers=numbers, symbols=record.get("symbols"))
        except CompileError as exc:
            raise StatementError(str(exc)) from None
        except FieldError as exc:
            raise StatementError(f"data: {exc}") from None

    def loss(self, record):
        """The compiled loss of ``record``: shared with the batch's records of the same
        network, data and scale, or, when their numbers together need too large a
        field, its own."""
        key = self._key(record)
        if key not in self._losses:
            if self._numbers is None:
                self._collect()
            try:
                self._losses[key] = self._compile(record, self._numbers.get(key, []))
            except StatementError:
                self._losses[key] = None
        if self._losses[key] is None:
            own = ("own", id(record))
            if own not in self._losses:
                self._losses[own] = self._compile(record, self._numbers_of(record))
            return self._losses[own]
        return self._losses[key]

    def point(self, record, key="point", value=None):
        loss = self.loss(record)
        numbers = point_numbers(record[key] if value is None else value, loss.network, key, loss.parameters)
        try:
            return loss.point(numbers)
        except ExponentialPoint:
            return numbers          # exp(r) in the point: the kernel reads it in Q(e^(1/q)) (kernel.exponential)
        except (PointError, FieldError) as exc:
            raise StatementError(str(exc)) from None

    def number(self, record, key):
        loss = self.loss(record)
        try:
            if loss.parameters is not None:
                return loss.field(loss.parameters.number(record[key], key))
            return loss.field(_number(record, key))
        except Exception as exc:   # noqa: BLE001 - a number outside the batch's field
            raise StatementError(f"{key}: {exc}") from None


def _point_like(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# -- the kinds ----------------------------------------------------------------------

def _at(extra=()):
    def read(r, ctx):
        args = [ctx.loss(r), ctx.point(r)]
        for key in extra:
            args.append(ctx.point(r, key) if key == "better" else ctx.number(r, key))
        return tuple(args)
    return read


_POINT = ("network", "data", "scale", "point")
_SYMBOLS = ("symbols",)    # the declared symbols {name: condition} the data and points may use (kernel.parametric)
for _name in ("critical_point", "hessian_psd", "local_minimum", "strict_local_minimum", "saddle"):
    register(Kind(_name, getattr(kernel, _name), _at(), optional=_SYMBOLS, uses=_POINT, numbers=("point",)))
for _name in ("not_global", "spurious_local_minimum"):
    register(Kind(_name, getattr(kernel, _name), _at(("better",)), required=("better",), optional=_SYMBOLS,
                  uses=_POINT, numbers=("point", "better")))
register(Kind("loss_value", kernel.loss_value, _at(("value",)), required=("value",), optional=_SYMBOLS,
              uses=_POINT, numbers=("point", "value")))


def _read_near(r, ctx):
    radius = _number(r, "radius")
    if not radius > 0:
        raise StatementError("radius: must be positive")
    digits = _int(r, "digits", 10, 1000, kernel.rigorous.DEFAULT_DIGITS)
    return ctx.loss(r), ctx.point(r), ctx.number(r, "radius"), digits


register(Kind("local_minimum_near", newton.local_minimum_near, _read_near, required=("radius",),
              optional=("digits",), uses=_POINT, numbers=("point", "radius")))


def _read_path(r, ctx):
    path = r["path"]
    if not isinstance(path, list) or len(path) < 2:
        raise StatementError("path: must be a list of at least two point tables (coefficients c0, c1, ...)")
    coeffs = [ctx.point(r, f"path[{i + 1}]", c) for i, c in enumerate(path)]
    a, b = (_number_at(r.get(k, d), k) for k, d in (("a", 0), ("b", 1)))
    return ctx.loss(r), coeffs, a, b


register(Kind("non_increasing", paths.non_increasing, _read_path, required=("path",), optional=("a", "b"),
              uses=_POINT[:3], numbers=("path",)))
register(Kind("effective", kernel.effective, lambda r, ctx: (ctx.network(r),), uses=("network",)))


def _read_data_assumption(r, ctx):
    net = ctx.network(r)
    return net, _rows(r, "X", len(net.inputs))


register(Kind("lsz_assumption1", assumptions.lsz_assumption1, _read_data_assumption, required=("X",),
              uses=("network",)))
register(Kind("lds_assumption1", assumptions.lds_assumption1, _read_data_assumption, required=("X",),
              uses=("network",)))
register(Kind("arithmetic_derivatives", assumptions.arithmetic_derivatives,
              lambda r, ctx: (_activation(r), _int(r, "n", 1, 64), _int(r, "max_order", 1, 200, 24)),
              required=("activation", "n"), optional=("max_order",)))
register(Kind("narrow_basin_conditions", assumptions.narrow_basin_conditions,
              lambda r, ctx: (_activation(r), _numbers(r, "x"), _numbers(r, "ws"), _number(r, "w0"),
                              _int(r, "digits", 10, 1000, 30)),
              required=("activation", "x", "ws", "w0"), optional=("digits",)))


def _read_target(r, ctx):
    printed = r["printed"]
    if not isinstance(printed, list) or not all(isinstance(p, str) for p in printed):
        raise StatementError("printed: must be a list of number texts")
    _numbers(r, "printed")
    return (_activation(r), _numbers(r, "x"), _number(r, "w"), _number(r, "M"), printed,
            _int(r, "places", 0, 100), _int(r, "digits", 10, 1000, 30))


register(Kind("narrow_basin_target", assumptions.narrow_basin_target, _read_target,
              required=("activation", "x", "w", "M", "printed", "places"), optional=("digits",)))


def _claimed_rank(r):
    return _int(r, "claimed", 0, 10 ** 6)


register(Kind("rank", algebra.rank_is, lambda r, ctx: (_term(r, "matrix", "matrix"), _claimed_rank(r)),
              required=("matrix", "claimed"), optional=("symbols",)))
register(Kind("determinant", algebra.determinant_is,
              lambda r, ctx: (_term(r, "matrix", "matrix"), _term(r, "claimed", "expression")),
              required=("matrix", "claimed"), optional=("symbols",)))
def _read_identity(r, ctx):
    lhs, rhs = _term(r, "lhs"), _term(r, "rhs")
    shape = [(x.shape if hasattr(x, "shape") else (len(x),) if isinstance(x, list) else ()) for x in (lhs, rhs)]
    if shape[0] != shape[1]:
        raise StatementError(f"lhs and rhs have different shapes: {shape[0] or 'a scalar'} and {shape[1] or 'a scalar'}")
    return lhs, rhs


register(Kind("identity", algebra.identity, _read_identity, required=("lhs", "rhs"), optional=("symbols",)))


def _read_inequality(r, ctx):
    names = _names(r)
    cert = r.get("certificate", [])
    if not isinstance(cert, list) or not all(isinstance(c, list) and len(c) == 2 for c in cert):
        raise StatementError("certificate: must be a list of [weight, expression] pairs")
    try:
        certificate = tuple((parse_expression(c, names), parse_expression(s, names)) for c, s in cert)
    except ExpressionError as exc:
        raise StatementError(f"certificate: {exc}") from None
    counter = r.get("counterexample")
    if counter is not None:
        if not isinstance(counter, dict):
            raise StatementError("counterexample: must be a table symbol = number")
        counter = {names.get(k, k): _number_at(v, f"counterexample.{k}") for k, v in counter.items()}
    strict = r.get("strict", False)
    if not isinstance(strict, bool):
        raise StatementError("strict: must be true or false")
    return _term(r, "lhs", "expression"), _term(r, "rhs", "expression"), certificate, counter, strict


register(Kind("inequality", algebra.inequality, _read_inequality, required=("lhs", "rhs"),
              optional=("certificate", "counterexample", "strict", "symbols")))


def _plain_args(*keys, defaults=None):
    """A reader for kernel rules that read plain data themselves (they refuse what is not exact)."""
    defaults = defaults or {}
    return lambda r, ctx: tuple(r[k] if k in r else defaults[k] for k in keys)


# Vandermonde certificates and rank sigma(W X) (kernel/vandermonde.py)
register(Kind("vandermonde_full_rank", vandermonde.vandermonde_full_rank,
              _plain_args("activation", "samples", "start", "step"),
              required=("activation", "samples", "start", "step")))
register(Kind("activation_rank", vandermonde.activation_rank,
              _plain_args("activation", "W", "X", "claimed", "digits", defaults={"digits": 30}),
              required=("activation", "W", "X", "claimed"), optional=("digits",)))


# minima up to rescaling: interval certificates on a gauge-fixed slice (kernel/gauge.py)
register(Kind("local_minimum_near_modulo_rescaling", gauge.minimum_near_modulo_rescaling, _read_near,
              required=("radius",), optional=("digits",), uses=_POINT, numbers=("point", "radius")))


def _read_spurious_near(r, ctx):
    loss, point, radius, digits = _read_near(r, ctx)
    return loss, point, radius, ctx.point(r, "better"), digits


register(Kind("spurious_local_minimum_near_modulo_rescaling", gauge.spurious_minimum_near_modulo_rescaling,
              _read_spurious_near, required=("radius", "better"), optional=("digits",), uses=_POINT,
              numbers=("point", "radius", "better")))


def data_table(record) -> dict:
    """A record's ``data`` table, with exactly the keys X and Y (StatementError naming the key otherwise)."""
    data = record["data"]
    if not isinstance(data, dict) or "X" not in data or "Y" not in data:
        raise StatementError("data: a table with X and Y is needed")
    extra = sorted(set(data) - {"X", "Y"})
    if extra:
        raise StatementError(f"data.{extra[0]}: unknown key{did_you_mean(extra[0], ['X', 'Y'])}")
    return data


# landscape statements from every starting point of a region (kernel/landscape.py, issue 19)
def _read_landscape(r, ctx):
    data = data_table(r)
    symbols = r.get("symbols")
    if symbols is not None and not isinstance(symbols, dict):
        raise StatementError("symbols: must be a table of symbol = \"condition\"")
    return (r["network"], data["X"], data["Y"], r.get("scale", "1/2"), symbols, r.get("generic", []),
            r["start"], r["segments"], r.get("orthogonal", []))


register(Kind("paths_to_global_minimum", landscape.paths_to_global_minimum, _read_landscape,
              required=("start", "segments"), optional=("symbols", "generic", "orthogonal"),
              uses=("network", "data", "scale")))
register(Kind("spurious_valley", landscape.spurious_valley, lambda r, ctx: (ctx.loss(r), ctx.point(r),
                                                                           ctx.point(r, "better")),
              required=("better",), optional=_SYMBOLS, uses=_POINT, numbers=("point", "better")))


# -- deciding --------------------------------------------------------------------------

def validate(record) -> Kind:
    """The record's kind, after checking its keys (StatementError otherwise)."""
    if not isinstance(record, dict):
        raise StatementError("a statement must be a table")
    kind = KINDS.get(record.get("kind"))
    if kind is None:
        raise StatementError(f"kind: {record.get('kind')!r} is not a statement kind ({', '.join(KINDS)})")
    expect = record.get("expect", "verified")
    if expect not in EXPECTS:
        raise StatementError(f"expect: {expect!r} must be one of {', '.join(EXPECTS)}")
    allowed = COMMON | set(kind.required) | set(kind.optional) | set(kind.uses)
    if "scale" in kind.uses:
        allowed.add("scale")
    unknown = sorted(set(record) - allowed)
    if unknown:
        raise StatementError(f"{unknown[0]}: unknown key for kind {kind.name}{did_you_mean(unknown[0], allowed)}")
    for key in (*kind.required, *(k for k in kind.uses if k != "scale")):
        if key not in record:
            raise StatementError(f"{key}: missing (kind {kind.name} needs it)")
    return kind


def read(record, context: Context | None = None) -> tuple:
    """The kernel rule and its arguments for ``record`` (StatementError when unreadable)."""
    kind = validate(record)
    if "unwritable" in record:
        raise StatementError(f"the statement could not be written as data: {record['unwritable']}")
    ctx = context or Context([record])
    try:
        return kind.rule, kind.read(record, ctx)
    except StatementError:
        raise
    except (NumberError, ExpressionError, NetworkError, ActivationError, CompileError, PointError,
            FieldError) as exc:
        raise StatementError(str(exc)) from None


def decide(record, context: Context | None = None) -> kernel.Verdict:
    """The kernel's verdict on one record, with its certificate when one is known
    (:func:`losscert.kernel.certificates.attach`); an unreadable record is inconclusive."""
    try:
        rule, args = read(record, context)
    except StatementError as exc:
        return kernel.Verdict(kernel.INCONCLUSIVE, f"the statement cannot be read: {exc}")
    return certificates.attach(rule, args, kernel.guarded(rule, *args))


def parameters_of(record, context: Context) -> list | None:
    """The parameter order of the record's loss (of its points, gradients and Hessians), if it has one."""
    kind = KINDS.get(record.get("kind")) if isinstance(record, dict) else None
    if kind is None or "data" not in kind.uses or "unwritable" in record:
        return None
    try:
        return list(context.loss(record).params)
    except (StatementError, NumberError, ExpressionError, NetworkError, ActivationError, CompileError, FieldError,
            KeyError, TypeError):
        return None


def label_hessians(evidence, params: list) -> None:
    """Add ``hessian_parameters`` (the parameter order of its rows and columns)
    beside every P x P ``hessian`` in the (nested) evidence.

    >>> ev = {"hessian": [["1", "0"], ["0", "1"]], "local_minimum": {"hessian": [["2"]]}}
    >>> label_hessians(ev, ["a", "b"]); ev["hessian_parameters"], "hessian_parameters" in ev["local_minimum"]
    (['a', 'b'], False)
    """
    if isinstance(evidence, dict):
        H = evidence.get("hessian")
        if isinstance(H, list) and len(H) == len(params) and all(isinstance(r, list) and len(r) == len(params)
                                                                 for r in H):
            evidence.setdefault("hessian_parameters", params)
        for v in list(evidence.values()):
            label_hessians(v, params)
    elif isinstance(evidence, list):
        for v in evidence:
            label_hessians(v, params)


def describe(record) -> str:
    """One line saying what the record states (what the kernel checks)."""
    k = record.get("kind", "?")
    if k in ("rank", "determinant"):
        op = "rank" if k == "rank" else "det"
        return f"{op} {_short(record.get('matrix'))} = {_short(record.get('claimed'))}"
    if k == "identity":
        return f"{_short(record.get('lhs'))} == {_short(record.get('rhs'))} identically"
    if k == "inequality":
        op = ">" if record.get("strict") else ">="
        how = " (with a sum-of-squares certificate)" if record.get("certificate") else ""
        return f"{_short(record.get('lhs'))} {op} {_short(record.get('rhs'))}{how}"
    if k in ("arithmetic_derivatives", "narrow_basin_conditions", "narrow_basin_target"):
        keys = [x for x in KINDS[k].required + KINDS[k].optional if x in record]
        return f"{k} of " + ", ".join(f"{x} = {_short(record[x])}" for x in keys)
    if k in ("effective", "lsz_assumption1", "lds_assumption1"):
        net = record.get("network", {})
        tail = f" with X = {_short(record['X'])}" if "X" in record else ""
        return f"{k} for the network with edges {_short(net.get('edges'))}{tail}"
    if k == "paths_to_global_minimum":
        conditions = "; ".join(c for c in (record.get("symbols") or {}).values() if c and c != "real")
        generic = f", outside the zero set of {_short(record.get('generic'))}" if record.get("generic") else ""
        return (f"from every start {_short(record.get('start'))} ({conditions or 'no conditions'}{generic}), "
                f"{len(record.get('segments') or [])} segment(s) never increase L and reach a global minimum")
    point = record.get("point")
    extra = [f"{x} = {_short(record[x])}" for x in ("value", "radius", "better", "path") if x in record]
    return f"{k} at {_short(point)}" + (" with " + ", ".join(extra) if extra else "")


def _short(value, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def plain(value):
    """JSON-ready data from evidence (mappings, sequences, numbers; anything else by its text)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def verdict_dict(v: kernel.Verdict) -> dict:
    """A verdict as JSON-ready data: verdict (status text), reason, evidence (and certificate, when there is one)."""
    out = {"verdict": str(getattr(v.status, "value", v.status)), "reason": v.reason, "evidence": plain(v.evidence)}
    certificate = getattr(v, "certificate", None)
    if certificate is not None:
        out["certificate"] = plain(certificate)
    return out
