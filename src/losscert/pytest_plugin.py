"""pytest plugin: every claim of a claim file is a test item.

Installed with losscert (the ``pytest11`` entry point ``losscert``), it
collects files named ``*.losscert.toml``, or those matching the globs of the
ini option ``losscert_claims``, e.g. in ``pyproject.toml``::

    [tool.pytest.ini_options]
    losscert_claims = ["claims/*.toml", "*.losscert.toml"]

Each claim becomes the item ``<file>::<kind>[<n>]`` (n counts claims from 1),
so ``-k`` selects by kind or number and ``--junitxml`` reports every claim.
An item passes when the kernel's verdict equals the claim's ``expect``; a
failure reads ``expected verified, got inconclusive: <reason>``. An invalid
file is a collection error with the one-line message of ``losscert check``.
losscert is imported only when a claim file is collected.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

DEFAULT_GLOBS = ["*.losscert.toml"]


def pytest_addoption(parser) -> None:
    parser.addini("losscert_claims", type="linelist", default=DEFAULT_GLOBS,
                  help="globs of claim files collected by losscert (default: *.losscert.toml)")


def _matches(path: Path, globs) -> bool:
    return any(fnmatch.fnmatch(path.name, g) or path.match(g) for g in globs)


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".toml" and _matches(file_path, parent.config.getini("losscert_claims")):
        return ClaimFileCollector.from_parent(parent, path=file_path)
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


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "losscert: a claim of a losscert claim file")
