"""Claim files (TOML, see ``docs/claims.md``) and their checking.

A claim file states a network, data, a point and claims; nothing in it runs.
:func:`load` validates a file into a :class:`ClaimFile` whose claims are
statement records (:mod:`losscert.statements`: every claim kind of the
contract, plus the algebraic and assumption kinds that proof scripts use);
:func:`check` asks the kernel for each claim's verdict. A ``[[claim]]`` may
carry its own ``network``, ``data``, ``scale`` or ``point`` table, which then
replaces the file's for that claim; a file whose claims need no network may
omit ``[network]``. :func:`dumps` writes records back as a claim file.

>>> print(dumps({"title": "t", "claim": [{"kind": "rank", "matrix": [["1", "2"], ["2", "4"]], "claimed": 1}]}))
title = "t"
<BLANKLINE>
[[claim]]
kind = "rank"
matrix = [["1", "2"], ["2", "4"]]
claimed = 1
<BLANKLINE>
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import statements
from .compiler import Loss
from .fields import FieldError
from .names import did_you_mean
from .network import Network
from .statements import CONTEXT, StatementError
from .symbolic import Parameters
from .writer import dumps  # noqa: F401 - the claim-file TOML emitter, part of this module's API

KINDS = tuple(statements.KINDS)
TOP_KEYS = {"title", "source", "scale", "network", "data", "point", "claim", "symbols"}


class ClaimFileError(ValueError):
    """An invalid claim file; str() is one line naming the file and key."""


@dataclass
class Claim:
    kind: str
    expect: str
    record: dict        # the statement: the claim table with the file's tables it uses
    args: dict = field(default_factory=dict)    # better / value / radius, digits: read, in the file's loss


@dataclass
class ClaimFile:
    path: str
    title: str
    network: Network | None     # the file's [network], if any
    loss: Loss | None           # the loss of the file's network, data and scale, if a claim uses them
    point: list | None          # the file's [point] in that loss, if a claim uses it
    claims: list[Claim]
    source: str = ""
    context: statements.Context | None = None     # the compiled losses of the claims


def _err(path, msg):
    return ClaimFileError(f"{path}: {msg}")


def _read_toml(path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh, parse_float=Decimal)
    except FileNotFoundError:
        raise _err(path, "no such file") from None
    except IsADirectoryError:
        raise _err(path, "is a directory, not a claim file") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(path, f"not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise _err(path, "not valid UTF-8 text") from None
    except ValueError as exc:           # e.g. an integer past Python's int-text limit
        raise _err(path, f"a value is not readable: {exc}") from None


def _conditions_used(declared, record) -> dict:
    """The file's [symbols] entries with a condition whose identifier the claim's
    expressions mention (whole words), for claims that do not use conditions."""
    if not isinstance(declared, dict):
        return {}
    text = json.dumps({k: v for k, v in record.items() if k not in ("kind", "expect")}, default=str)
    return {k: v for k, v in declared.items() if isinstance(k, str) and isinstance(v, str)
            and statements.is_condition(v) and re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", text)}


def _plain(value):
    """TOML values as statement data (Decimal floats by their text)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load(path) -> ClaimFile:
    """Read and validate one claim file."""
    path = str(path)
    doc = _read_toml(path)
    extra = sorted(set(doc) - TOP_KEYS)
    if extra:
        raise _err(path, f"{extra[0]}: unknown key{did_you_mean(extra[0], TOP_KEYS)} "
                         f"(allowed: {', '.join(sorted(TOP_KEYS))})")
    title, source = doc.get("title", ""), doc.get("source", "")
    if not isinstance(title, str):
        raise _err(path, "title: must be a string")
    if not isinstance(source, str):
        raise _err(path, "source: must be a string")
    if "symbols" in doc:
        try:
            Parameters.of(_plain(doc["symbols"]) if isinstance(doc["symbols"], dict) else doc["symbols"])
        except (FieldError, TypeError) as exc:
            raise _err(path, str(exc)) from None
    network = None
    context = statements.Context()          # reads each network table once for the whole file
    if "network" in doc:
        try:
            network = context.network({"network": _plain(doc["network"])})
        except StatementError as exc:
            raise _err(path, str(exc)) from None
    raw_claims = doc.get("claim")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise _err(path, "claim: at least one [[claim]] table is needed")
    records = []
    for i, c in enumerate(raw_claims, 1):
        where = f"claim[{i}]"
        if not isinstance(c, dict):
            raise _err(path, f"{where}: must be a table")
        kind = statements.KINDS.get(c.get("kind"))
        if kind is None:
            raise _err(path, f"{where}.kind: {c.get('kind')!r} is not a claim kind ({', '.join(KINDS)})")
        record = _plain(c)
        for key in CONTEXT:
            if key in kind.uses and key not in record and key in doc:
                record[key] = _plain(doc[key])
        if "symbols" in doc and "data" in kind.uses and "symbols" not in record:
            record["symbols"] = _plain(doc["symbols"])      # the file's declared symbols, for claims on its loss
        elif "symbols" in doc and "symbols" in kind.optional and "symbols" not in record:
            conditioned = _conditions_used(doc["symbols"], record)
            if conditioned:       # refused when read (statements._names): the claim would ignore the condition
                record["symbols"] = conditioned
        try:
            statements.validate({k: v for k, v in record.items() if k not in CONTEXT})
        except StatementError as exc:
            if not str(exc).split(":")[0] in CONTEXT:
                raise _err(path, f"{where}.{exc}") from None
        if "network" in kind.uses and "network" not in record:
            raise _err(path, "network: missing table")
        if "data" in kind.uses and not isinstance(record.get("data"), dict):
            raise _err(path, "data: a table with X and Y is needed")
        if "point" in kind.uses and not isinstance(record.get("point"), dict):
            raise _err(path, "point: a table with a value for every parameter is needed")
        try:
            statements.validate(record)
        except StatementError as exc:
            raise _err(path, f"{where}.{exc}") from None
        records.append((where, c, record))
    context.records.extend(r for _, _, r in records)
    claims = []
    for where, c, record in records:
        try:
            _, args = statements.read(record, context)
        except StatementError as exc:
            key = re.split(r"[.\[:]", str(exc), maxsplit=1)[0]
            own = key not in CONTEXT or key in c
            raise _err(path, f"{where}.{exc}" if own else str(exc)) from None
        extra = [k for k in ("better", "value", "radius", "digits") if k in statements.KINDS[record["kind"]].required
                 + statements.KINDS[record["kind"]].optional] if "point" in record else []
        claims.append(Claim(record["kind"], record.get("expect", "verified"), record, dict(zip(extra, args[2:]))))
    loss = point = None
    shared = next((r for _, c, r in records if "data" in statements.KINDS[r["kind"]].uses
                   and not any(k in c for k in ("network", "data", "scale"))), None)
    if shared is not None:
        loss = context.loss(shared)
        if "point" in doc and "point" in statements.KINDS[shared["kind"]].uses:
            point = context.point(shared)
    return ClaimFile(path, title, network, loss, point, claims, source, context)


def decide(cf: ClaimFile, claim: Claim):
    """The kernel's verdict (a :class:`~losscert.kernel.Verdict`) on one claim of a loaded file, in this process."""
    return statements.decide(claim.record, cf.context)


def check(path) -> dict:
    """Check one file in this process; the JSON-ready result (raises ClaimFileError).
    ``losscert check`` does the same in a checking process, with a time budget per claim."""
    cf = load(path)
    return result(cf, [statements.verdict_dict(statements.decide(c.record, cf.context)) for c in cf.claims])


def result(cf: ClaimFile, verdicts: list[dict]) -> dict:
    """The JSON-ready result of a file from its claims' verdicts."""
    out = []
    for claim, v in zip(cf.claims, verdicts):
        item = {"kind": claim.kind, "verdict": v["verdict"], "expect": claim.expect, "reason": v["reason"],
                "evidence": v["evidence"]}
        for key in ("caption", "note"):
            if key in claim.record:
                item[key] = claim.record[key]
        out.append(item)
    return {"file": cf.path, "title": cf.title, "claims": out}


def expand(paths) -> list[Path]:
    """Files named, and the claim files of directories named (:func:`losscert.files.claim_files`)."""
    from .files import claim_files
    return claim_files(paths).files


# -- writing claim files ---------------------------------------------------------------

def claim_file(title: str, records: list[dict], source: str = "") -> dict:
    """A claim-file document for ``records``: a context table shared by every
    record that uses it is written once at the top, the others per claim."""
    doc: dict = {"title": title}
    if source:
        doc["source"] = source
    claims = [dict(r) for r in records]
    for key in CONTEXT:
        users = [c for c in claims if key in c]
        if not users or not all(key in c for c in claims if key in statements.KINDS[c["kind"]].uses):
            continue
        texts = [json.dumps(c[key], sort_keys=True) for c in users]
        common = max(texts, key=texts.count)          # the most frequent value goes to the top
        doc[key] = users[texts.index(common)][key]
        for c, text in zip(users, texts):
            if text == common:
                del c[key]
    users = [c for c in claims if "data" in statements.KINDS[c["kind"]].uses]
    if users and all("symbols" in c for c in users) \
            and len({json.dumps(c["symbols"], sort_keys=True) for c in users}) == 1:
        doc["symbols"] = users[0]["symbols"]          # every claim on a loss has the same symbols: [symbols]
        for c in users:
            del c["symbols"]
    doc["claim"] = claims
    return doc


