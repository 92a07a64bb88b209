"""Acceptance: ``losscert prove --certificates`` / ``losscert check --certificates`` then ``losscert recheck``.

The default run (so CI) certifies and re-verifies all of proofs/ and examples/ (about 30 s) and prints
the share re-verified; the fast subset is a quick check while working (``pytest -m slow``).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAST = ["lsz_theorem4_same.py", "lsz_theorem2.py", "lsz_section51_quadratic.py", "lsz_appendixA_pruning.py",
        "lsz_theorem4_paths.py", "iclr_theorem7.py", "lsz_lemma2_conv_ranks.py"]
SUMMARY = re.compile(r"(\d+) items: (\d+) rechecked, (\d+) rejected, (\d+) not covered")


def _losscert(*args):
    return subprocess.run([sys.executable, "-m", "losscert", *args], capture_output=True, text=True, cwd=ROOT)


def _recheck(directory):
    out = _losscert("recheck", "-q", str(directory))
    print(out.stdout)
    m = SUMMARY.search(out.stdout)
    assert m, out.stdout + out.stderr
    total, ok, rejected, uncovered = map(int, m.groups())
    assert rejected == 0 and out.returncode == 0, out.stdout
    return total, ok


def _certify(directory, proofs):
    out = _losscert("prove", *proofs, "--certificates", str(directory / "proofs"), "-q")
    assert out.returncode == 0, out.stdout + out.stderr
    out = _losscert("check", "examples", "--certificates", str(directory / "examples"), "-q")
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.slow
def test_recheck_fast_subset(tmp_path):
    _certify(tmp_path, [str(ROOT / "proofs" / f) for f in FAST])
    total, ok = _recheck(tmp_path)
    assert total >= 80 and ok >= 0.85 * total


def test_recheck_all_of_proofs_and_examples(tmp_path):
    _certify(tmp_path, ["proofs"])
    total, ok = _recheck(tmp_path)
    print(f"re-verified {ok} of {total} decided statements ({100 * ok / total:.1f}%)")
    assert total >= 400 and ok >= 0.95 * total          # the acceptance of issue 21
