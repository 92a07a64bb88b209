"""Verdicts: the only outputs of the kernel.

A verdict cannot be mistaken for a truth value, and its evidence cannot be
edited after the kernel returned it:

>>> v = Verdict(VERIFIED, "checked", {"points": [1, 2]})
>>> v.status == VERIFIED, v.status is Status.VERIFIED, v.status
(True, True, 'verified')
>>> bool(v)
Traceback (most recent call last):
...
TypeError: a Verdict is not a truth value: compare verdict.status == VERIFIED
>>> v.evidence["points"].append(3)
Traceback (most recent call last):
...
TypeError: verdict evidence is read-only (use verdict.as_dict() for a mutable copy)
>>> v.as_dict()
{'verdict': 'verified', 'reason': 'checked', 'evidence': {'points': [1, 2]}}

Only code in the kernel (the modules of ``losscert.kernel``) constructs a
decided verdict, as only HOL Light's kernel makes a ``thm``; elsewhere
``Verdict(VERIFIED, ...)`` raises, ``Verdict(INCONCLUSIVE, ...)`` is fine,
and a verdict read back from JSON is a :class:`Reported`, not a Verdict:

>>> exec("Verdict(VERIFIED, 'forged')", {"Verdict": Verdict, "VERIFIED": VERIFIED, "__name__": "elsewhere"})
Traceback (most recent call last):
...
TypeError: a verified Verdict is constructed only in losscert.kernel, not in elsewhere: ask a kernel rule
>>> Reported.from_dict(v.as_dict())
Reported(status='verified', reason='checked', evidence={'points': [1, 2]}, certificate=None)

This is a guard against mistakes and a boundary one can audit, not a
sandbox: code running in the same process can forge anything (construct
the object without ``__init__``, unpickle it, fake its module name, or patch
this file). Verdicts that must not depend on a script come from the
isolated checking process (docs/trust.md).
"""
from __future__ import annotations

import enum
import functools
import json
import sys
import types
from dataclasses import dataclass, field


class Status(str, enum.Enum):
    """verified / refuted / inconclusive; a ``str``, so JSON output and
    comparisons with the plain words are unchanged."""
    VERIFIED = "verified"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"

    def __str__(self):
        return self.value

    def __repr__(self):          # prints like the plain word, as before the enum
        return repr(self.value)

    def __format__(self, spec):
        return format(self.value, spec)


VERIFIED, REFUTED, INCONCLUSIVE = Status.VERIFIED, Status.REFUTED, Status.INCONCLUSIVE
STATUSES = (VERIFIED, REFUTED, INCONCLUSIVE)


def _read_only(self, *args, **kwargs):
    raise TypeError("verdict evidence is read-only (use verdict.as_dict() for a mutable copy)")


class FrozenDict(dict):
    """A read-only dict (JSON-ready, equal to the plain dict); every mutator raises."""
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only

    def __reduce__(self):
        return FrozenDict, (dict(self),)

    def __hash__(self):
        return hash(tuple(self.items()))


class FrozenList(list):
    """A read-only list (JSON-ready, equal to the plain list); every mutator raises."""
    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = sort = reverse = _read_only
    __iadd__ = __imul__ = _read_only

    def __reduce__(self):
        return FrozenList, (list(self),)

    def __hash__(self):
        return hash(tuple(self))


def freeze(value):
    """A deep read-only copy of JSON-like data (mappings, lists, tuples, scalars)."""
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return FrozenList(freeze(v) for v in value)
    if isinstance(value, Status):
        return value.value
    return value


def thaw(value):
    """A deep plain (mutable) copy of data made by :func:`freeze`."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    return value


KERNEL = __name__.rsplit(".", 1)[0]         # "losscert.kernel": the trust folder, as a package name


def in_kernel(module: str) -> bool:
    """Whether ``module`` (a module's ``__name__``) is the kernel package or one of its modules.

    >>> in_kernel("losscert.kernel.algebra"), in_kernel("losscert.statements"), in_kernel("losscert.kernelx")
    (True, False, False)
    """
    return module == KERNEL or module.startswith(KERNEL + ".")


class _Shown:
    """What a verdict and a reported verdict share: no truth value, a JSON copy, Jupyter display."""
    status: Status
    reason: str
    evidence: dict
    certificate: dict | None

    def _freeze(self):
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "evidence", freeze(dict(self.evidence or {})))
        if self.certificate is not None:
            object.__setattr__(self, "certificate", freeze(dict(self.certificate)))

    def __bool__(self):
        raise TypeError("a Verdict is not a truth value: compare verdict.status == VERIFIED")

    def as_dict(self) -> dict:
        """A fresh, mutable, JSON-ready copy (with ``certificate`` when there is one)."""
        out = {"verdict": self.status.value, "reason": self.reason, "evidence": thaw(self.evidence)}
        if self.certificate is not None:
            out["certificate"] = thaw(self.certificate)
        return out

    def _repr_markdown_(self) -> str:
        """Jupyter: the status in bold, the reason, the evidence as a table (long values cut).

        >>> print(Verdict(REFUTED, "rank is 1, not 2", {"rank": 1, "minor|x": "a|b"})._repr_markdown_())
        **refuted**: rank is 1, not 2
        <BLANKLINE>
        | evidence | |
        |---|---|
        | rank | `1` |
        | minor\\|x | `"a\\|b"` |
        """
        lines = [f"**{self.status.value}**: {self.reason}"]
        if self.evidence:
            lines += ["", "| evidence | |", "|---|---|"]
            for key, value in self.evidence.items():
                text = json.dumps(value, default=str)
                text = text if len(text) <= MARKDOWN_VALUE_WIDTH else text[:MARKDOWN_VALUE_WIDTH] + " ..."
                lines.append(f"| {_cell(str(key))} | `{_cell(text)}` |")
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        """Jupyter (LaTeX): the status and the reason, as text in one formula.

        >>> print(Verdict(VERIFIED, "L(point) = 1/2 exactly, 100% of it")._repr_latex_())
        $\\textbf{verified}\\text{: L(point) = 1/2 exactly, 100\\% of it}$
        """
        return f"$\\textbf{{{self.status.value}}}\\text{{: {_latex_text(self.reason)}}}$"


@dataclass(frozen=True)
class Verdict(_Shown):
    """``status`` is verified, refuted or inconclusive; ``reason`` one line;
    ``evidence`` JSON-ready data a reader can check by hand (a deep read-only
    copy of what the rule passed in); ``certificate`` (None, or JSON-ready
    data ``{"kind": ..., ...}`` with exact numbers as text) is what the
    independent rechecker (``losscert recheck``) re-verifies. A verified or
    refuted Verdict is constructed only by code in ``losscert.kernel``
    (:func:`in_kernel`); a subclass only there too."""
    status: Status
    reason: str
    evidence: dict = field(default_factory=dict)
    certificate: dict | None = None

    def __post_init__(self):
        self._freeze()
        if self.status != INCONCLUSIVE:
            module = _constructor_module()
            if not in_kernel(module):
                raise TypeError(f"a {self.status} Verdict is constructed only in {KERNEL}, not in {module}: "
                                "ask a kernel rule")

    def __init_subclass__(cls, **kwargs):
        if not in_kernel(cls.__module__):
            raise TypeError(f"Verdict is subclassed only in {KERNEL}, not in {cls.__module__}")
        super().__init_subclass__(**kwargs)


def _constructor_module() -> str:
    """The ``__name__`` of the module whose code called ``Verdict(...)`` (past the
    dataclass ``__init__`` and ``__post_init__`` frames, and ``dataclasses.replace``)."""
    own = {Verdict.__init__.__code__, Verdict.__post_init__.__code__, _constructor_module.__code__}
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None and (frame.f_code in own or frame.f_globals.get("__name__") == "dataclasses"):
        frame = frame.f_back            # dataclasses.replace: the module that called it decides
    return frame.f_globals.get("__name__", "?") if frame is not None else "?"


@dataclass(frozen=True)
class Reported(_Shown):
    """A verdict read back from JSON (such as the checking process's answer, or a
    results file): the fields and display of a :class:`Verdict`, but data, not a
    kernel result. It is not a Verdict, so nothing that takes only a Verdict
    (``conjunction``, ``isinstance(v, Verdict)`` checks) accepts it; anyone may
    build one with any status. Whether it is right is what ``losscert check``
    on the statement (or the rechecker on its certificate) decides."""
    status: Status
    reason: str
    evidence: dict = field(default_factory=dict)
    certificate: dict | None = None

    def __post_init__(self):
        self._freeze()

    @classmethod
    def from_dict(cls, d: dict) -> "Reported":
        """The reported verdict of a dict as written by :meth:`Verdict.as_dict` (or the checker's JSON)."""
        return cls(d["verdict"], d["reason"], d.get("evidence") or {}, d.get("certificate"))


MARKDOWN_VALUE_WIDTH = 200
_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "&": r"\&",
                  "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def _latex_text(text: str) -> str:
    """``text`` safe inside LaTeX's ``\\text{...}``."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def _cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def guarded(rule, *args) -> Verdict:
    """Apply a kernel rule; a failed self-check or an input the rule cannot
    read gives ``inconclusive`` with the reason, never a verdict."""
    try:
        return rule(*args)
    except AssertionError as exc:
        return Verdict(INCONCLUSIVE, f"internal self-check failed: {exc}")
    except Exception as exc:  # noqa: BLE001 - any failure must end as inconclusive, not a traceback
        return Verdict(INCONCLUSIVE, f"could not be checked: {type(exc).__name__}: {exc}")


def _no_symbolic_rules(rule, loss, *args, **kwargs) -> Verdict:
    return Verdict(INCONCLUSIVE, f"{rule}: losses with symbolic parameters are not decided here")


SYMBOLIC = [_no_symbolic_rules]    # the rules for symbolic parameters (kernel.parametric installs its own)


def loss_rule(rule):
    """Decorate a kernel rule whose first argument is a compiled loss: a
    ``Loss`` built by losscert.compiler is checked; anything else (e.g. a
    subclass with its own derivatives) gives ``inconclusive``."""
    @functools.wraps(rule)
    def checked(loss, *args, **kwargs):
        from ..compiler import Loss
        if type(loss) is not Loss:
            return Verdict(INCONCLUSIVE, f"expected a losscert Loss, got {type(loss).__name__}: the kernel "
                                         "decides only losses compiled by losscert.compiler")
        if loss.parameters is not None:          # symbols: the statement must hold on the whole region
            return SYMBOLIC[0](rule.__name__, loss, *args, **kwargs)
        return rule(loss, *args, **kwargs)
    return checked


def conjunction(local_min: Verdict, not_global: Verdict) -> Verdict:
    """``spurious_local_minimum`` from its two parts: verified when both are,
    refuted when either is (that part's reason), else inconclusive."""
    if not (type(local_min) is type(not_global) is Verdict):
        raise TypeError("conjunction takes the kernel's Verdicts")
    ev = {"local_minimum": local_min.as_dict(), "not_global": not_global.as_dict()}
    if REFUTED in (local_min.status, not_global.status):
        which = local_min if local_min.status == REFUTED else not_global
        return Verdict(REFUTED, which.reason, ev)
    if local_min.status == not_global.status == VERIFIED:
        return Verdict(VERIFIED, f"{local_min.reason}; and {not_global.reason}", ev)
    return Verdict(INCONCLUSIVE, local_min.reason if local_min.status == INCONCLUSIVE else not_global.reason, ev)
