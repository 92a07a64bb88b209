"""The public API is mypy-clean: `mypy` in the repository root checks the
modules listed under [tool.mypy] in pyproject.toml (about 15 s on a fresh
cache, a few seconds with the cache in .mypy_cache/)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_public_api_is_mypy_clean():
    pytest.importorskip("mypy", reason="mypy is in the 'test' extra")
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


@pytest.mark.slow
def test_mypy_would_see_a_misuse_of_the_api(tmp_path):
    """The configuration really type-checks calls into losscert (not just parses it)."""
    pytest.importorskip("mypy", reason="mypy is in the 'test' extra")
    bad = tmp_path / "bad.py"
    bad.write_text("from losscert.kernel.verdict import Verdict\n"
                   "v = Verdict('verified', 'checked')\n"
                   "n: int = v.reason\n")
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), str(bad)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and 'Incompatible types in assignment (expression has type "str"' in done.stdout
