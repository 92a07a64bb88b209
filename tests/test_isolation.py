"""Nothing a proof script leaves behind reaches the checking process (issue 21, isolation).

A script runs with your user's rights: it can write a ``usercustomize.py``
into the user site folder, or set environment variables for processes
started later from its own process. The checking process starts isolated
(``python -I``, the package path passed explicitly, its command and
environment taken from a snapshot made when :mod:`losscert.workers` was
imported), so neither reaches a verdict: not in the run that planted it
(the checker is restarted after a statement runs past its time budget) and
not in a later ``losscert check``.

The user site is never the real one: each test runs a Python whose user base
(``PYTHONUSERBASE``, ``HOME``) is a temporary folder.
"""
import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from losscert import workers

SRC = Path(__file__).resolve().parents[1] / "src"
FALSE = {"kind": "identity", "lhs": "x + 1", "rhs": "x + 2"}
SLOW = "(a + b + c + d + f + g + 1)**30"       # its expansion runs far past a 1 s budget

# What the planted files do: make every statement `verified` (with a real verdict of the kernel's
# own, so that no check on who constructed it could help), and leave a marker that they ran.
PAYLOAD = """
import pathlib
pathlib.Path({marker!r}).write_text("ran")
import losscert.statements as statements, losscert.kernel as kernel
statements.decide = lambda record, context=None: kernel.algebra.identity("1", "1")
"""

ATTACK = """
import pathlib, site
from losscert.proof import Proof
user = pathlib.Path(site.getusersitepackages())
assert str(user).startswith({tmp!r}), user           # never the real user site
user.mkdir(parents=True, exist_ok=True)
(user / "usercustomize.py").write_text({payload!r})
PROOF = Proof("attack", source="test")
PROOF.identity({slow!r}, {slow!r} + " + 1", expect="inconclusive", text="runs past its time budget")
PROOF.identity("x + 1", "x + 2", expect="refuted", text="a false identity")
"""


@pytest.fixture
def user_site_python(tmp_path):
    """(python, env): a Python with the user site enabled (a venv with system site packages that
    sees this losscert), whose user base is a temporary folder."""
    venv = tmp_path / "py"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip",
                    "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    if not python.exists():
        pytest.skip("no POSIX venv layout")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    here = sysconfig.get_paths()["purelib"]           # this test's packages (sympy, flint, losscert ...)
    Path(purelib, "losscert_test.pth").write_text(f"import site; site.addsitedir({here!r}); "
                                                  f"import sys; sys.path.insert(0, {str(SRC)!r})\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(HOME=str(home), PYTHONUSERBASE=str(tmp_path / "userbase"))
    probe = subprocess.run([str(python), "-c", "import site; print(site.ENABLE_USER_SITE, site.getusersitepackages())"],
                           capture_output=True, text=True, env=env, check=True).stdout.split()
    if probe[0] != "True":
        pytest.skip("the user site is disabled for this user")
    assert probe[1].startswith(str(tmp_path))
    return python, env


def _losscert(python, env, *args, cwd, flags=()):
    proc = subprocess.run([str(python), *flags, "-m", "losscert", *args, "--json"], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)
    return json.loads(proc.stdout)


def test_a_planted_usercustomize_reaches_no_checker(tmp_path, user_site_python):
    python, env = user_site_python
    marker = tmp_path / "payload-ran"
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    payload = PAYLOAD.format(marker=str(marker))
    (scripts / "attack.py").write_text(ATTACK.format(tmp=str(tmp_path), payload=payload, slow=SLOW))
    doc = _losscert(python, env, "prove", str(scripts), "--timeout", "1", cwd=tmp_path)
    got = [(s["verdict"], s["reason"]) for s in doc["proofs"][0]["statements"]]
    assert got[0] == ("inconclusive", "time budget exceeded (1 s)")     # the checker was restarted ...
    assert got[1][0] == "refuted", got                                   # ... and is not fooled
    assert not marker.exists()              # every other process of the run had started before the planting
    # the file is still there: a later `losscert check` (a fresh checker) is not fooled either
    assert len(list((tmp_path / "userbase").rglob("usercustomize.py"))) == 1
    (tmp_path / "false.toml").write_text('[[claim]]\nkind = "identity"\nlhs = "x + 1"\nrhs = "x + 2"\n'
                                         'expect = "refuted"\n')
    doc = _losscert(python, env, "check", str(tmp_path / "false.toml"), cwd=tmp_path, flags=["-I"])
    assert [c["verdict"] for c in doc["files"][0]["claims"]] == ["refuted"]
    assert not marker.exists()              # `python -I -m losscert check`: no process of it ran the payload
    doc = _losscert(python, env, "check", str(tmp_path / "false.toml"), cwd=tmp_path)
    assert [c["verdict"] for c in doc["files"][0]["claims"]] == ["refuted"]
    assert marker.exists()                  # the front end without -I ran it (docs/trust.md says so) ...
    marker.unlink()
    # ... and the attack is real: a Python started without isolation runs the payload and is fooled
    fooled = subprocess.run([str(python), "-c", "import losscert.statements as s; "
                             f"print(s.decide({FALSE!r}).status)"], capture_output=True, text=True, env=env)
    assert fooled.stdout.strip() == "verified" and marker.exists()


INJECTIONS = {   # variable -> value ({PLANTED}: the folder of the planted files); one test each
    "PYTHONPATH": {"PYTHONPATH": "{PLANTED}"},                 # sitecustomize.py is imported from the path
    "PYTHONWARNINGS": {"PYTHONWARNINGS": "ignore::losscert_evil.Boom",    # a category's module is imported
                       "PYTHONPATH": "{PLANTED}"},
    "PYTHONSTARTUP": {"PYTHONSTARTUP": "{PLANTED}/startup.py", "PYTHONINSPECT": "1"},
    "PYTHONUSERBASE": {"PYTHONUSERBASE": "{PLANTED}"},         # usercustomize.py, where the user site is on
    "PYTHONHOME": {"PYTHONHOME": "{PLANTED}"},                 # would stop the checker from starting
    "PYTHONSAFEPATH": {"PYTHONSAFEPATH": ""},                  # empty: the current directory back on the path
    "PYTHONNOUSERSITE": {"PYTHONNOUSERSITE": ""},
}


@pytest.mark.parametrize("variables", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_environment_set_later_reaches_no_checker(tmp_path, monkeypatch, variables):
    """Variables set in this process after losscert was imported (as a script run in-process could)
    neither reach a fresh checking process nor run code there."""
    marker = tmp_path / "payload-ran"
    planted = tmp_path / "planted"
    planted.mkdir()
    payload = PAYLOAD.format(marker=str(marker))
    for name in ("sitecustomize.py", "usercustomize.py", "startup.py"):
        (planted / name).write_text(payload)
    (planted / "losscert_evil.py").write_text(payload + "class Boom(Warning):\n    pass\n")
    for name, value in variables.items():
        monkeypatch.setenv(name, value.replace("{PLANTED}", str(planted)))
    monkeypatch.chdir(planted)                  # where a sitecustomize.py waits in the current directory
    with workers.Worker() as worker:
        got = worker.check([FALSE], timeout=60)
    assert got[0]["verdict"] == "refuted", got
    assert not marker.exists()


def test_the_checker_command_and_environment_are_a_snapshot(monkeypatch):
    command, env = workers.checker_command(), workers.checker_environment()
    monkeypatch.setattr(sys, "executable", "/tmp/not-python")
    monkeypatch.setenv("PYTHONPATH", "/tmp/evil")
    monkeypatch.setenv("LD_PRELOAD", "/tmp/evil.so")
    assert workers.checker_command() == command and workers.checker_environment() == env
    assert command[1] == "-I" and str(SRC) in command          # isolated; the package path passed explicitly
    assert not any(k.startswith("PYTHON") for k in env)
    command.append("x")
    env["x"] = "y"                                               # the caller's copies, not the snapshot
    assert workers.checker_command() != command and "x" not in workers.checker_environment()


def test_the_checking_process_runs_isolated():
    """The flags the checker reports about itself (``{"about": true}``)."""
    with workers.Worker() as worker:
        about = worker.about()
    assert about["isolated"] and about["no_user_site"] and about["safe_path"]
    assert about["path"][0] == str(SRC)


# -- the memory budget ------------------------------------------------------------------------

HOG = {"kind": "identity", "lhs": "((x + y + z + 1)**1000)**1000", "rhs": "0"}     # gigabytes, fast


def test_a_claim_past_its_memory_budget_is_inconclusive_and_the_next_runs(tmp_path, capsys):
    from losscert.cli import main
    claims = "".join(f'[[claim]]\nkind = "identity"\nlhs = "{r["lhs"]}"\nrhs = "{r["rhs"]}"\nexpect = "{e}"\n'
                     for r, e in ((HOG, "inconclusive"), (FALSE, "refuted")))
    (tmp_path / "hog.toml").write_text(claims)
    assert main(["check", str(tmp_path / "hog.toml"), "--memory", "400", "--json"]) == 0
    got = [(c["verdict"], c["reason"]) for c in json.loads(capsys.readouterr().out)["files"][0]["claims"]]
    assert got[0] == ("inconclusive", "memory budget exceeded (400 MiB)")
    assert got[1][0] == "refuted"


@pytest.mark.parametrize("bad", ["0", "-5", "lots"])
def test_the_memory_option_is_a_positive_number(bad, capsys):
    from losscert.cli import main
    with pytest.raises(SystemExit):
        main(["check", "examples", "--memory", bad])
    assert "--memory" in capsys.readouterr().err


def test_the_memory_budget_is_restored_after_the_claim():
    resource = pytest.importorskip("resource")
    from losscert.checker import memory_budget
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_budget(1 << 20):                                   # 1 TiB: nothing here comes near it
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == 1 << 40
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    with memory_budget(None):
        assert resource.getrlimit(resource.RLIMIT_AS) == before
