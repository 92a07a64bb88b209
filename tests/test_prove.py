"""`losscert prove` streams each script's results as soon as they are checked,
draws a progress bar only on a terminal, and keeps per-proof seconds."""
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from losscert.cli import main
from losscert.text import Progress

SRC = Path(__file__).resolve().parents[1] / "src"

FIRST = """
from losscert.proof import Proof
PROOF = Proof("first", source="test")
PROOF.rank([[1, 2], [2, 4]], 1, text="a rank-one matrix")
"""
# The second script waits until the test has seen the first script's result on
# stdout (a marker file); if results were printed only after every script ran,
# it would give up and say so in its proof's name.
SECOND = """
import pathlib, time
from losscert.proof import Proof
marker = pathlib.Path({marker!r})
for _ in range(600):
    if marker.exists():
        break
    time.sleep(0.1)
PROOF = Proof("second saw the marker" if marker.exists() else "second gave up waiting", source="test")
PROOF.identity("(a + b)**2", "a**2 + 2*a*b + b**2", text="binomial")
"""


def test_results_stream_while_later_scripts_still_run(tmp_path):
    marker = tmp_path / "first-result-seen"
    (tmp_path / "a_first.py").write_text(FIRST)
    (tmp_path / "b_second.py").write_text(SECOND.format(marker=str(marker)))
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "losscert", "prove", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if "a rank-one matrix" in line:
            marker.touch()
    assert proc.wait() == 0, proc.stderr.read()
    assert "\r" not in proc.stderr.read()                   # stderr is a pipe: no progress bar
    assert lines == ["first  [test]", "  ok  a rank-one matrix: verified (expect verified)",
                     "second saw the marker  [test]", "  ok  binomial: verified (expect verified)",
                     "2 proofs, 2 statements, 2 as expected, 0 not"]


def test_a_broken_script_among_good_ones(tmp_path, capsys):
    (tmp_path / "a_first.py").write_text(FIRST)
    (tmp_path / "b_broken.py").write_text("print('hello from the script')\nraise RuntimeError('no proof here')\n")
    (tmp_path / "c_third.py").write_text(FIRST.replace('"first"', '"third"'))
    assert main(["prove", str(tmp_path), "--json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert [p["name"] for p in doc["proofs"]] == ["first", "third"]
    assert doc["summary"]["scripts_not_loaded"] == 1
    assert all(isinstance(p["seconds"], float) and isinstance(p["script_seconds"], float) for p in doc["proofs"])
    err = captured.err.splitlines()
    assert "hello from the script" in err                   # what a script prints goes to stderr
    assert any(line.endswith("cannot load: RuntimeError: no proof here") for line in err)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_and_clears_around_output(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    stream = Terminal()
    with Progress(2, "scripts", stream=stream, delay=0) as bar:
        bar.start, bar.clock = 0.0, lambda: 5.0              # a fixed clock: 5 s into the run
        bar.advance("one.py")
        assert stream.getvalue().endswith("\r[##########..........] 1/2 scripts, 0 statements checked, 5 s  one.py"
                                          "\x1b[K")
        with bar.hidden():
            assert stream.getvalue().endswith("\r\x1b[K")      # cleared while other output is written
        bar.advance("two.py")
    assert stream.getvalue().endswith("\r\x1b[K")              # and gone at the end


def test_progress_bar_waits_for_a_long_run_and_skips_dumb_terminals(monkeypatch):
    stream = Terminal()
    with Progress(2, "scripts", stream=stream, delay=3600) as bar:
        bar.advance("quick.py")
    assert stream.getvalue() == ""
    monkeypatch.setenv("TERM", "dumb")
    with Progress(2, "scripts", stream=stream, delay=0) as bar:
        bar.advance("one.py")
    assert stream.getvalue() == ""


def test_progress_bar_is_cut_to_the_terminal_width():
    bar = Progress(3, "scripts", stream=io.StringIO())
    bar.label = textwrap.shorten("x " * 200, 400)
    assert len(bar.line(width=50)) == 49
