"""Claim files (TOML, ``docs/claims.md``) and their checking.

A claim file states a network, data, a point and claims; nothing in it runs.
:func:`load` validates a file into a :class:`ClaimFile` (errors name the file
and key); :func:`check` asks the kernel for each claim's verdict.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import kernel
from .activations import ActivationError
from .compiler import CompileError, Loss, PointError, compile_loss
from .fields import FieldError
from .network import Network, NetworkError
from .numbers import NumberError, parse_number
from .proposers import newton

KINDS = ("critical_point", "local_minimum", "strict_local_minimum", "saddle", "not_global",
         "spurious_local_minimum", "loss_value", "effective", "local_minimum_near")
NEEDS = {"not_global": "better", "spurious_local_minimum": "better", "loss_value": "value",
         "local_minimum_near": "radius"}
TOP_KEYS = {"title", "scale", "network", "data", "point", "claim"}
OPTIONAL = {"local_minimum_near": {"digits"}}   # decimal digits of the interval arithmetic (default 30)


class ClaimFileError(ValueError):
    """An invalid claim file; str() is one line naming the file and key."""


@dataclass
class Claim:
    kind: str
    expect: str
    args: dict          # better / value / radius, already converted


@dataclass
class ClaimFile:
    path: str
    title: str
    network: Network
    loss: Loss | None
    point: list | None
    claims: list[Claim]


def _err(path, msg):
    return ClaimFileError(f"{path}: {msg}")


def load(path) -> ClaimFile:
    """Read and validate one claim file."""
    path = str(path)
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh, parse_float=Decimal)
    except FileNotFoundError:
        raise _err(path, "no such file") from None
    except IsADirectoryError:
        raise _err(path, "is a directory, not a claim file") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(path, f"not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise _err(path, "not valid UTF-8 text") from None
    except ValueError as exc:          # e.g. an integer longer than Python's int-text limit
        raise _err(path, f"not readable: {exc}") from None
    extra = sorted(set(doc) - TOP_KEYS)
    if extra:
        raise _err(path, f"{extra[0]}: unknown key (allowed: {', '.join(sorted(TOP_KEYS))})")
    title = doc.get("title", "")
    if not isinstance(title, str):
        raise _err(path, "title: must be a string")
    if "network" not in doc:
        raise _err(path, "network: missing table")
    try:
        network = Network.from_table(doc["network"])
    except (NetworkError, ActivationError) as exc:
        raise _err(path, str(exc)) from None
    raw_claims = doc.get("claim")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise _err(path, "claim: at least one [[claim]] table is needed")
    claims_raw = []
    for i, c in enumerate(raw_claims, 1):
        where = f"claim[{i}]"
        if not isinstance(c, dict):
            raise _err(path, f"{where}: must be a table")
        kind = c.get("kind")
        if kind not in KINDS:
            raise _err(path, f"{where}.kind: {kind!r} is not a claim kind ({', '.join(KINDS)})")
        expect = c.get("expect", "verified")
        if expect not in kernel.STATUSES:
            raise _err(path, f"{where}.expect: {expect!r} must be one of {', '.join(kernel.STATUSES)}")
        allowed = {"kind", "expect", "note"} | ({NEEDS[kind]} if kind in NEEDS else set()) | OPTIONAL.get(kind, set())
        unknown = sorted(set(c) - allowed)
        if unknown:
            raise _err(path, f"{where}.{unknown[0]}: unknown key for kind {kind}")
        if kind in NEEDS and NEEDS[kind] not in c:
            raise _err(path, f"{where}.{NEEDS[kind]}: missing (kind {kind} needs it)")
        claims_raw.append((where, kind, expect, c))
    needs_loss = any(kind != "effective" for _, kind, _, _ in claims_raw)
    if not needs_loss:
        return ClaimFile(path, title, network, None, None,
                         [Claim(kind, expect, {}) for _, kind, expect, _ in claims_raw])
    data = doc.get("data")
    if not isinstance(data, dict) or "X" not in data or "Y" not in data:
        raise _err(path, "data: a table with X and Y is needed")
    extra = sorted(set(data) - {"X", "Y"})
    if extra:
        raise _err(path, f"data.{extra[0]}: unknown key")
    point_raw = doc.get("point")
    if not isinstance(point_raw, dict):
        raise _err(path, "point: a table with a value for every parameter is needed")
    numbers = []
    point_syms = _numbers(path, "point", point_raw, network)
    numbers += point_syms.values()
    converted = []
    for where, kind, expect, c in claims_raw:
        arg = {}
        if kind in ("not_global", "spurious_local_minimum"):
            if not isinstance(c["better"], dict):
                raise _err(path, f"{where}.better: must be a table of parameter values")
            arg["better"] = _numbers(path, f"{where}.better", c["better"], network)
            numbers += arg["better"].values()
        elif kind in NEEDS:
            key = NEEDS[kind]
            try:
                arg[key] = parse_number(c[key])
            except NumberError as exc:
                raise _err(path, f"{where}.{key}: {exc}") from None
            if kind == "local_minimum_near" and not arg[key] > 0:
                raise _err(path, f"{where}.radius: must be positive")
            numbers.append(arg[key])
        if kind == "local_minimum_near":
            digits = c.get("digits", kernel.rigorous.DEFAULT_DIGITS)
            if not isinstance(digits, int) or isinstance(digits, bool) or not 10 <= digits <= 1000:
                raise _err(path, f"{where}.digits: must be an integer from 10 to 1000")
            arg["digits"] = digits
        converted.append((kind, expect, arg))
    scale = doc.get("scale", "1/2")
    try:
        loss = compile_loss(network, data["X"], data["Y"], scale=scale, extra_numbers=numbers)
        point = loss.point(point_syms)
        claims = []
        for kind, expect, arg in converted:
            if "better" in arg:
                arg = {"better": loss.point(arg["better"])}
            elif "value" in arg:
                arg = {"value": loss.field(arg["value"])}
            elif "radius" in arg:
                arg = {"radius": loss.field(arg["radius"]), "digits": arg["digits"]}
            claims.append(Claim(kind, expect, arg))
    except (CompileError, PointError, FieldError) as exc:
        raise _err(path, str(exc)) from None
    return ClaimFile(path, title, network, loss, point, claims)


def _numbers(path, where, table, network) -> dict:
    if not isinstance(table, dict):
        raise _err(path, f"{where}: must be a table")
    out = {}
    for name, value in table.items():
        if name not in network.param_index:
            raise _err(path, f"{where}.{name!r}: not a parameter of the network "
                             f"(parameters: {', '.join(network.parameters)})")
        try:
            out[name] = parse_number(value)
        except NumberError as exc:
            raise _err(path, f"{where}.{name!r}: {exc}") from None
    missing = [p for p in network.parameters if p not in out]
    if missing:
        raise _err(path, f"{where}: no value for parameter {missing[0]!r}")
    return out


def decide(cf: ClaimFile, claim: Claim) -> kernel.Verdict:
    """The kernel's verdict on one claim."""
    k, loss, pt = claim.kind, cf.loss, cf.point
    if k == "effective":
        return kernel.guarded(kernel.effective, cf.network)
    if k == "loss_value":
        return kernel.guarded(kernel.loss_value, loss, pt, claim.args["value"])
    if k in ("not_global", "spurious_local_minimum"):
        return kernel.guarded(getattr(kernel, k), loss, pt, claim.args["better"])
    if k == "local_minimum_near":
        return kernel.guarded(newton.local_minimum_near, loss, pt, claim.args["radius"], claim.args["digits"])
    return kernel.guarded(getattr(kernel, k), loss, pt)


def check(path) -> dict:
    """Check one file; the JSON-ready result (raises ClaimFileError)."""
    cf = load(path)
    out = []
    for claim in cf.claims:
        v = decide(cf, claim)
        out.append({"kind": claim.kind, "verdict": v.status, "expect": claim.expect,
                    "reason": v.reason, "evidence": v.evidence})
    return {"file": cf.path, "title": cf.title, "claims": out}


def expand(paths) -> list[Path]:
    """Files named, and the *.toml files of directories named, sorted."""
    out = []
    for p in map(Path, paths):
        out += sorted(p.rglob("*.toml")) if p.is_dir() else [p]
    return out
