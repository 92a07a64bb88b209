"""Write claim files: save a point found in Python, check it in CI.

:func:`dump_claim_file` writes the TOML of ``docs/claims.md`` for a
network, data, a point and claims; every number is written as exact text
(``"3*sqrt(10)/10"``, ``"1/4"``; a float by its shortest decimal text) and
read back to the same exact number, so ``losscert check`` decides the same
claims on the same numbers.

>>> import tempfile, pathlib
>>> from losscert import dense, claims
>>> path = pathlib.Path(tempfile.mkdtemp()) / "first.toml"
>>> dump_claim_file(dense([1, 1, 1]), X=[[1, 2]], Y=[[2, 4]], point={"x1 -> h1_1": 1, "h1_1 -> y1": 2},
...                 claims=["critical_point", {"kind": "loss_value", "value": 0}], path=path)
>>> [c["verdict"] for c in claims.check(path)["claims"]]
['verified', 'verified']
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import sympy

from . import convert
from .numbers import NumberError, parse_number

__all__ = ["dump_claim_file", "claim_file_text", "dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_CLAIM_KEYS = {"kind", "expect", "note", "better", "value", "radius", "digits"}


class ClaimWriteError(ValueError):
    """Something that cannot be written as a claim file (one line)."""


def number_text(v, where: str = "number") -> int | str:
    """An exact number as claim-file text: an int stays an int, everything
    else becomes a string that :func:`~losscert.numbers.parse_number` reads
    back to the same number.

    >>> number_text(0.1), number_text(sympy.sqrt(2) / 3), number_text(7)
    ('1/10', 'sqrt(2)/3', 7)
    """
    try:
        x = convert.to_sympy(convert.plain_number(v))
        x = parse_number(x)
    except (TypeError, NumberError) as exc:
        raise ClaimWriteError(f"{where}: {exc}") from None
    if x.is_Integer:
        return int(x)
    text = str(x)
    try:
        back = parse_number(text)
    except NumberError:
        back = None
    if back is None or sympy.simplify(back - x) != 0:
        raise ClaimWriteError(f"{where}: {x} has no exact claim-file text (only + - * / ** and sqrt)")
    return text


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else json.dumps(k, ensure_ascii=False)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v) if abs(v) < 2 ** 63 else json.dumps(str(v))     # TOML integers are 64-bit
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)     # a JSON string is a TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise ClaimWriteError(f"cannot write {type(v).__name__} {v!r}")


def _is_tables(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _table(lines: list, path: list, table: dict):
    for k, v in table.items():
        if not isinstance(v, dict) and not _is_tables(v):
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in table.items():
        if isinstance(v, dict):
            lines += ["", "[" + ".".join(map(_key, path + [k])) + "]"]
            _table(lines, path + [k], v)
    for k, v in table.items():
        if _is_tables(v):
            for item in v:
                lines += ["", "[[" + ".".join(map(_key, path + [k])) + "]]"]
                _table(lines, path + [k], item)


def dumps(doc: dict) -> str:
    """TOML text for a claim-file document (strings, integers, booleans, lists, tables).

    >>> print(dumps({"title": "t", "network": {"inputs": ["x"]}, "claim": [{"kind": "effective"}]}), end="")
    title = "t"
    <BLANKLINE>
    [network]
    inputs = ["x"]
    <BLANKLINE>
    [[claim]]
    kind = "effective"
    """
    lines: list = []
    _table(lines, [], doc)
    return "\n".join(lines).lstrip("\n") + "\n"


def _point_table(network, point, where: str) -> dict:
    try:
        values = convert.in_order(point, network.parameters, where)
    except ValueError as exc:
        raise ClaimWriteError(str(exc)) from None
    return {p: number_text(v, f"{where}.{p}") for p, v in zip(network.parameters, values)}


def _claim_table(network, c, i: int) -> dict:
    where = f"claim[{i}]"
    if isinstance(c, str):
        c = {"kind": c}
    if not isinstance(c, dict) or "kind" not in c:
        raise ClaimWriteError(f"{where}: a claim is a kind name or a dict with 'kind'")
    unknown = sorted(set(c) - _CLAIM_KEYS)
    if unknown:
        raise ClaimWriteError(f"{where}.{unknown[0]}: unknown key")
    out = {}
    for k, v in c.items():
        if k == "better":
            out[k] = _point_table(network, v, f"{where}.better")
        elif k in ("value", "radius"):
            out[k] = number_text(v, f"{where}.{k}")
        else:
            out[k] = v
    return out


def claim_file_text(network, X, Y, point, claims, title: str = "", scale=None) -> str:
    """The TOML text that :func:`dump_claim_file` writes."""
    doc: dict = {}
    if title:
        doc["title"] = title
    if scale is not None:
        doc["scale"] = str(number_text(scale, "scale"))
    table = network.to_table()
    doc["network"] = {k: table[k] for k in ("inputs", "outputs", "activation", "edges", "biases", "dangling",
                                            "activations", "fixed", "tied") if k in table}
    needs_data = any((c if isinstance(c, str) else c.get("kind")) != "effective" for c in claims)
    if needs_data:
        data = {}
        for name, m in (("X", X), ("Y", Y)):
            rows = convert.rows(m, f"data.{name}")
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ClaimWriteError(f"data.{name}: must be a matrix (a list of rows)")
            data[name] = [[number_text(v, f"data.{name}[{i + 1}][{j + 1}]") for j, v in enumerate(r)]
                          for i, r in enumerate(rows)]
        doc["data"] = data
        doc["point"] = _point_table(network, point, "point")
    if not claims:
        raise ClaimWriteError("claims: at least one claim is needed")
    doc["claim"] = [_claim_table(network, c, i) for i, c in enumerate(claims, 1)]
    return dumps(doc)


def dump_claim_file(network, X, Y, point, claims, path, title: str = "", scale=None) -> None:
    """Write a claim file for ``network`` on data ``X`` (inputs x samples),
    ``Y`` at ``point`` (a mapping name -> number, or values in parameter
    order; field elements are fine) with ``claims``: kind names or dicts
    such as ``{"kind": "not_global", "better": {...}, "expect": "verified"}``.
    ``scale`` is the loss scale (default 1/2, not written)."""
    Path(path).write_text(claim_file_text(network, X, Y, point, claims, title, scale), encoding="utf-8")
