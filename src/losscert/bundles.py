"""Certificate bundles: what ``--certificates DIR`` writes for ``losscert recheck``.

A bundle is one JSON file per proof (``losscert prove``) or claim file
(``losscert check``), self-contained: every decided statement with the full
record the checker saw, its verdict, reason and certificate (None when the
rule attached none; the rechecker then lists it as not covered).

>>> item({"kind": "rank", "matrix": [["1"]], "claimed": 1},
...      {"verdict": "verified", "reason": "rank 1", "evidence": {}, "certificate": {"kind": "rank"}})["certificate"]
{'kind': 'rank'}
"""
from __future__ import annotations

import json
from pathlib import Path

FORMAT = "losscert-certificates"
VERSION = 1


def item(record: dict, verdict: dict) -> dict:
    """One bundle item: the statement record, the verdict, its reason and certificate."""
    return {"statement": record, "verdict": verdict["verdict"], "reason": verdict["reason"],
            "certificate": verdict.get("certificate")}


class BundleWriter:
    """Writes bundles into ``directory`` under unique names (``name``, ``name-2``, ...)."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.used: set = set()

    def write(self, name: str, source: str, records, verdicts) -> Path:
        """Write the decided items of one proof or claim file; returns the path written."""
        stem, k = name, 1
        while stem in self.used:
            k += 1
            stem = f"{name}-{k}"
        self.used.add(stem)
        items = [item(r, v) for r, v in zip(records, verdicts) if v["verdict"] in ("verified", "refuted")]
        path = self.directory / f"{stem}.json"
        doc = {"format": FORMAT, "version": VERSION, "source": source, "items": items}
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return path
