"""Which files are claim files: one rule for ``losscert check DIR``, ``losscert prove``
and the pytest plugin.

- A file named explicitly (``losscert check a.toml``) is always read.
- In a directory (searched recursively), a claim file is a file named
  ``*.losscert.toml``, or a ``*.toml`` file with a ``[[claim]]`` table (every
  claim file has one). Other files (``pyproject.toml``, catalogues, configs)
  are skipped and counted.

>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "pyproject.toml").write_text("[project]\\nname = 'x'\\n")
>>> _ = (d / "a.toml").write_text('[[claim]]\\nkind = "rank"\\n')
>>> _ = (d / "b.losscert.toml").write_text("")
>>> found = claim_files([d])
>>> [p.name for p in found.files], [p.name for p in found.skipped]
(['a.toml', 'b.losscert.toml'], ['pyproject.toml'])
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SUFFIX = ".losscert.toml"
_CLAIM_TABLE = re.compile(rb"^[ \t]*\[\[[ \t]*(claim|\"claim\"|'claim')[ \t]*\]\]", re.MULTILINE)
SNIFF_BYTES = 1 << 24           # a claim file's [[claim]] table is looked for in its first 16 MiB


def is_claim_file(path) -> bool:
    """Whether a file met in a directory is a claim file: named ``*.losscert.toml``,
    or a ``*.toml`` file with a ``[[claim]]`` table."""
    path = Path(path)
    if path.name.endswith(SUFFIX):
        return True
    if path.suffix != ".toml":
        return False
    try:
        with open(path, "rb") as fh:
            return _CLAIM_TABLE.search(fh.read(SNIFF_BYTES)) is not None
    except OSError:
        return False


@dataclass
class Found:
    """Claim files to read (sorted within each directory) and the ``*.toml`` files skipped."""
    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    def skipped_line(self) -> str:
        """One line naming the skipped files ("" when none).

        >>> Found([], [Path("pyproject.toml")]).skipped_line()
        'skipped 1 .toml file that is not a claim file (no [[claim]] table, not *.losscert.toml): pyproject.toml'
        """
        if not self.skipped:
            return ""
        n = len(self.skipped)
        names = ", ".join(str(p) for p in self.skipped[:5]) + (", ..." if n > 5 else "")
        what = "file that is not a claim file" if n == 1 else "files that are not claim files"
        return f"skipped {n} .toml {what} (no [[claim]] table, not *{SUFFIX}): {names}"


def claim_files(paths) -> Found:
    """The files named, and the claim files of the directories named (see the module docstring)."""
    found = Found()
    for p in map(Path, paths):
        if not p.is_dir():
            found.files.append(p)
            continue
        for f in sorted(p.rglob("*.toml")):
            if f.is_file():
                (found.files if is_claim_file(f) else found.skipped).append(f)
    return found
