"""The install recipe of docs/ci.md works for this unpublished package, from an
outside project: `pip install /path/to/losscert` (a checkout) into a fresh
virtual environment, then `losscert check` and the pytest plugin there.

A wheel is built (about 20 s): part of the default run, so that CI checks the recipe.
The fresh environment borrows the test environment's dependencies (sympy,
python-flint, pytest, ...) through a .pth file, so that no package index is
needed for them; losscert itself is built from the checkout and installed into
the new environment (not in editable mode), which is what the test checks.
"""
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
CLAIM = """title = "zero loss"
[network]
inputs = ["x1"]
outputs = ["y"]
edges = ["x1 -> h", "h -> y"]
[data]
X = [[1, 2]]
Y = [[2, 4]]
[point]
"x1 -> h" = 1
"h -> y" = 2
[[claim]]
kind = "local_minimum"
[[claim]]
kind = "strict_local_minimum"
expect = "refuted"
"""


def test_install_from_the_checkout_into_an_outside_project(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python, losscert = venv / "bin" / "python", venv / "bin" / "losscert"
    checkout = tmp_path / "losscert"            # a copy: building in place would leave build/ in this checkout
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, checkout / name)
    shutil.copytree(ROOT / "src", checkout / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(checkout)], check=True,
                   capture_output=True)
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'outside'\nversion = '0'\n")
    (project / "tests" / "model.losscert.toml").write_text(CLAIM)
    where = subprocess.run([str(python), "-c", "import losscert; print(losscert.__file__)"], cwd=project,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))                       # installed, not this checkout
    check = subprocess.run([str(losscert), "check", "."], cwd=project, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[-1] == "1 file (1 .toml file skipped), 2 claims: 2 as expected, 0 not"
    tests = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                           capture_output=True, text=True)
    assert tests.returncode == 0 and "2 passed" in tests.stdout, tests.stdout + tests.stderr
