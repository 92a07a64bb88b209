"""The documentation in docs/: it builds without warnings, and every output it
shows is what the code prints today.

- ``>>>`` examples in docs/*.md run as doctests;
- ``console`` blocks: each ``$ losscert ...`` line is run (as
  ``python -m losscert``, from the repository root) and its output compared
  with the lines shown; ``$ echo $?`` shows the previous exit status.

After a deliberate change of output, refresh the blocks with
``python tests/test_docs.py --update`` and read the diff.
"""
import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
CONSOLE = re.compile(r"^```console\n(.*?)^```\n", re.S | re.M)


def _run(command: str) -> tuple[str, int]:
    assert command.startswith("losscert "), command
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "losscert", *command.split()[1:]], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    return proc.stdout, proc.returncode


def _replay(block: str) -> str:
    """The block as it should read: every command followed by its real output."""
    out, rc = [], None
    for line in block.splitlines():
        if not line.startswith("$ "):
            continue
        command = line[2:]
        out.append(line)
        if command == "echo $?":
            out.append(str(rc))
        else:
            text, rc = _run(command)
            out += text.rstrip("\n").splitlines()
    return "\n".join(out) + "\n"


def _blocks(page: Path):
    return [m for m in CONSOLE.finditer(page.read_text())]


def test_docs_build_without_warnings(tmp_path):
    sphinx = pytest.importorskip("sphinx.cmd.build", reason="install the test extra: pip install -e '.[test]'")
    pytest.importorskip("myst_parser")
    status = sphinx.build_main(["-W", "--keep-going", "-q", "-E", "-b", "html", str(DOCS), str(tmp_path / "html")])
    assert status == 0
    assert (tmp_path / "html" / "api.html").exists()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_examples_print_what_the_page_shows(page):
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: p.name)
def test_console_outputs_are_what_the_commands_print(page):
    for m in _blocks(page):
        assert _replay(m.group(1)) == m.group(1), f"{page.name}: a console block is out of date " \
                                                  "(python tests/test_docs.py --update)"


def test_the_complete_example_of_the_contract_holds(tmp_path):
    from losscert import claims
    example = re.search(r"^```toml\n(.*?)^```", (DOCS / "claims.md").read_text(), re.S | re.M).group(1)
    (tmp_path / "example.toml").write_text(example)
    results = claims.check(tmp_path / "example.toml")["claims"]
    assert [(c["kind"], c["verdict"]) for c in results] == [(c["kind"], c["expect"]) for c in results]
    assert len(results) == 2


def test_docs_stand_alone():
    """The repository's documents point nowhere outside the repository."""
    texts = [p.read_text() for p in [*DOCS.rglob("*.md"), *DOCS.rglob("*.rst"), *(ROOT / "src").rglob("*.py"),
                                     *(ROOT / "examples").rglob("*.toml"), *(ROOT / "proofs").rglob("*.py"),
                                     ROOT / "README.md"]]
    assert not [t for t in texts if "../shared" in t]
    linked = set(re.findall(r"^(\w+)$", (DOCS / "index.md").read_text(), re.M))
    assert {p.stem for p in PAGES} - {"index"} <= linked


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    for page in PAGES:
        text = page.read_text()
        new = CONSOLE.sub(lambda m: "```console\n" + _replay(m.group(1)) + "```\n", text)
        if new != text:
            page.write_text(new)
            print(f"updated {page.relative_to(ROOT)}")


def test_every_public_kernel_function_has_a_docstring():
    import importlib
    import inspect
    import pkgutil

    import losscert.kernel as kernel
    missing = []
    for info in pkgutil.iter_modules(kernel.__path__):
        mod = importlib.import_module(f"losscert.kernel.{info.name}")
        for name, obj in vars(mod).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) == mod.__name__ and not (obj.__doc__ or "").strip():
                missing.append(f"{info.name}.{name}")
    assert not missing, missing
