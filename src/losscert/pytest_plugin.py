"""pytest plugin: every claim of a claim file, and every statement of a proof script, is a test item.

Installed with losscert (the ``pytest11`` entry point ``losscert``), it
collects the claim files by the rule ``losscert check DIR`` uses
(:mod:`losscert.files`: ``*.losscert.toml``, or ``*.toml`` with a ``[[claim]]``
table), the files matching the globs of the ini option ``losscert_claims``,
and the proof scripts matching the globs of
``losscert_proofs`` (none by default: a proof script runs Python code, so
it is collected only when asked for), e.g. in ``pyproject.toml``::

    [tool.pytest.ini_options]
    losscert_claims = ["claims/*.toml", "*.losscert.toml"]
    losscert_proofs = ["proofs/*.py"]

Each claim becomes the item ``<file>::<kind>[<n>]`` (n counts claims from 1),
so ``-k`` selects by kind or number and ``--junitxml`` reports every claim.
An item passes when the kernel's verdict equals the claim's ``expect``; a
failure reads ``expected verified, got inconclusive: <reason>``. An invalid
file is a collection error with the one-line message of ``losscert check``.
A proof script is run as by ``losscert prove``: in a separate collector
process that hands back its statements as data, which the checking process
decides (one batch per script, for the items selected); the script's
statements are the items ``<script>::<rule>[<n>]`` (n counts the script's
statements from 1), and ``-k`` also matches the proof's name and the
statement's text. A script that cannot be loaded is a collection error.
losscert is imported only when a claim file or proof script is collected.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

DEFAULT_GLOBS = ["*.losscert.toml"]


def pytest_addoption(parser) -> None:
    parser.addini("losscert_claims", type="linelist", default=DEFAULT_GLOBS,
                  help="globs of claim files collected by losscert (default: *.losscert.toml)")
    parser.addini("losscert_proofs", type="linelist", default=[],
                  help="globs of proof scripts whose statements losscert collects (default: none)")
    parser.addini("losscert_timeout", default="120",
                  help="time budget per proof-script statement in seconds (default 120)")
    parser.addini("losscert_memory", default="8192",
                  help="memory budget per proof-script statement in MiB (default 8192)")


def _matches(path: Path, globs) -> bool:
    return any(fnmatch.fnmatch(path.name, g) or path.match(g) for g in globs)


def pytest_collect_file(file_path: Path, parent):
    from .files import is_claim_file
    if file_path.suffix == ".toml" and (_matches(file_path, parent.config.getini("losscert_claims"))
                                        or is_claim_file(file_path)):
        return ClaimFileCollector.from_parent(parent, path=file_path)
    if file_path.suffix == ".py" and _matches(file_path, parent.config.getini("losscert_proofs")):
        return ProofScriptCollector.from_parent(parent, path=file_path)
    return None


class ClaimMismatch(Exception):
    """The verdict differs from the claim's ``expect``."""


class ClaimFileCollector(pytest.File):
    """One claim file: loaded (validated and compiled) once, one item per claim."""

    def collect(self):
        from . import claims
        try:
            self.claim_file = claims.load(self.path)
        except claims.ClaimFileError as exc:
            raise self.CollectError(str(exc)) from None
        for i, claim in enumerate(self.claim_file.claims, 1):
            yield ClaimItem.from_parent(self, name=f"{claim.kind}[{i}]", claim=claim, number=i)


class ClaimItem(pytest.Item):
    """One claim; passes when the kernel's verdict equals ``expect``."""

    def __init__(self, *, claim, number: int, **kwargs):
        super().__init__(**kwargs)
        self.claim, self.number = claim, number
        self.add_marker(pytest.mark.losscert)

    def runtest(self) -> None:
        from . import claims
        assert isinstance(self.parent, ClaimFileCollector)
        verdict = claims.decide(self.parent.claim_file, self.claim)
        self.user_properties += [("verdict", verdict.status), ("expect", self.claim.expect),
                                 ("reason", verdict.reason)]
        if verdict.status != self.claim.expect:
            raise ClaimMismatch(f"expected {self.claim.expect}, got {verdict.status}: {verdict.reason}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimMismatch):
            return f"claim {self.number} ({self.claim.kind}): {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: {self.claim.kind}[{self.number}]"


class StatementMismatch(Exception):
    """The verdict differs from the statement's ``expect``."""


class ProofScriptCollector(pytest.File):
    """One proof script: run in a collector process, one item per statement;
    the selected statements are checked together in the checking process."""

    def collect(self):
        from .prove import collect_streaming
        self.verdicts: dict = {}
        number = 0
        for message in collect_streaming([self.path]):
            if "error" in message:
                raise self.CollectError(message["error"])
            for proof in message["script"]["proofs"]:
                for st in proof["statements"]:
                    number += 1
                    yield StatementItem.from_parent(self, name=f"{st['rule']}[{number}]", statement=st,
                                                    proof=proof["name"], number=number)

    def verdict(self, item: "StatementItem") -> dict:
        """The verdict dict of ``item``; the first call checks every selected item of this script."""
        if item.number not in self.verdicts:
            from .workers import shared
            pending = [i for i in self.session.items
                       if isinstance(i, StatementItem) and i.parent is self and i.number not in self.verdicts]
            pending = pending if item in pending else [item]
            timeout = float(self.config.getini("losscert_timeout"))
            memory = float(self.config.getini("losscert_memory"))
            results = shared().check([i.statement["record"] for i in pending], timeout, memory=memory)
            self.verdicts.update((i.number, v) for i, v in zip(pending, results))
        return self.verdicts[item.number]


class StatementItem(pytest.Item):
    """One statement of a proof script; passes when the checked verdict equals its ``expect``."""

    def __init__(self, *, statement: dict, proof: str, number: int, **kwargs):
        super().__init__(**kwargs)
        self.statement, self.proof, self.number = statement, proof, number
        self.extra_keyword_matches.update({proof, statement["text"]})
        self.add_marker(pytest.mark.losscert)

    def runtest(self) -> None:
        assert isinstance(self.parent, ProofScriptCollector)
        verdict = self.parent.verdict(self)
        expect = self.statement["expect"]
        self.user_properties += [("verdict", verdict["verdict"]), ("expect", expect), ("reason", verdict["reason"]),
                                 ("proof", self.proof), ("statement", self.statement["text"])]
        if verdict["verdict"] != expect:
            raise StatementMismatch(f"expected {expect}, got {verdict['verdict']}: {verdict['reason']}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, StatementMismatch):
            return (f"statement {self.number} ({self.statement['rule']}) of {self.proof!r}: "
                    f"{self.statement['text']}: {excinfo.value}")
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: {self.statement['rule']}[{self.number}]"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "losscert: a claim of a losscert claim file or a proof script's statement")
