"""The front end's side of the checking process (:mod:`losscert.checker`).

:class:`Worker` starts the checking process once and sends it batches of
statement records. Each record has a time budget, enforced inside the worker
by a timer, and a memory budget (the process's address space); if the worker
does not answer within the budget plus a grace period (stuck in C code, or
dead), it is killed, the record is ``inconclusive`` ("time budget exceeded")
and a new worker checks the rest.

The checking process starts isolated: ``python -I`` (no user site, no
``PYTHON*`` variable read, not the current directory), this package's path
passed explicitly, and the command and environment of a snapshot made when
this module was first imported. A proof script that plants a
``usercustomize.py`` or sets ``os.environ`` in this process afterwards
reaches no checking process, fresh or restarted (see docs/trust.md).
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY = 8192   # MiB of address space; the 2002-parameter row of bench/users.py peaks at 3194 MiB (VmPeak)
SCHEMA = 2          # of the JSON output of ``losscert check`` and ``losscert prove``
STARTUP_SECONDS = 30.0


class Worker:
    """A checking process; use as a context manager or call :meth:`close`."""

    def __init__(self):
        self.proc = None
        self.lines = None
        self.memory = None          # the memory budget of the batch being checked (for a death's reason)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _start(self):
        self.proc = subprocess.Popen(checker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=checker_environment())
        self.lines = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, self.lines), daemon=True).start()
        self.fresh = True

    def warm(self):
        """Start the process now (its imports then overlap with the caller's work)."""
        if self.proc is None:
            self._start()

    def close(self):
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def _kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def about(self) -> dict:
        """What the checking process reports about itself (interpreter flags, module path)."""
        if not self._send({"about": True}):
            return {}
        msg, _ = self._next(STARTUP_SECONDS)
        return msg or {}

    def _send(self, message: dict) -> bool:
        if self.proc is None:
            self._start()
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
            return True
        except OSError:
            self._kill()
            return False

    def _next(self, timeout):
        """The worker's next message, or (None, the result of a stuck or dead record)."""
        grace = min(10.0, max(2.0, (timeout or 0) / 2))
        wait = None if not timeout else timeout + grace + (STARTUP_SECONDS if self.fresh else 0)
        try:
            line, stuck = self.lines.get(timeout=wait), False
        except queue.Empty:
            line, stuck = None, True
        self.fresh = False
        if line is not None:
            return json.loads(line), None
        if not stuck:
            self.proc.wait()
        code = self.proc.returncode
        self._kill()
        budget = f"; memory budget {self.memory:g} MiB" if self.memory else ""
        return None, (_timed_out(timeout) if stuck else
                      _failed(f"the checking process ended unexpectedly (exit code {code}{budget})"))

    def _collect(self, out: list, timeout, on_result=None):
        """Append results to ``out`` until the worker is done, or one record got stuck (then it is killed);
        ``on_result(result)`` is called on each as it arrives."""
        while True:
            msg, problem = self._next(timeout)
            if problem is not None:
                out.append(problem)
                if on_result:
                    on_result(problem)
                return
            if msg.get("done"):
                if msg.get("stopped"):           # the worker ends after a budget overrun
                    self.proc.wait()
                    self.proc = None
                return
            msg.pop("index", None)
            out.append(msg)
            if on_result:
                on_result(msg)

    def check(self, records, timeout=DEFAULT_TIMEOUT, on_result=None, memory=DEFAULT_MEMORY,
              certificates=False) -> list[dict]:
        """Verdict dicts (verdict, reason, evidence, seconds; ``certificate`` when asked and known)
        for ``records``, in order, each within ``timeout`` seconds and ``memory`` MiB;
        ``on_result(verdict dict)`` is called as each is decided (for progress)."""
        records = list(records)
        out: list[dict] = []
        self.memory = memory
        while len(out) < len(records):
            message = {"records": records[len(out):], "timeout": timeout, "memory": memory}
            if not self._send({**message, "certificates": True} if certificates else message):
                out.append(_failed("the checking process could not be started"))
                continue
            self._collect(out, timeout, on_result)
        return out

    def check_file(self, path, timeout=DEFAULT_TIMEOUT, memory=DEFAULT_MEMORY,
                   certificates=False) -> tuple[dict, list[dict]]:
        """(header, verdict dicts) for a claim file read and checked in the worker; the
        header has the title and claims (kind, expect, caption, note), or an ``error`` line;
        ``certificates``: also the statement records the worker read (``records``) and certificates."""
        out: list[dict] = []
        self.memory = memory
        while True:
            message = {"file": str(path), "start": len(out), "timeout": timeout, "memory": memory}
            if not self._send({**message, "certificates": True} if certificates else message):
                return {"error": f"{path}: the checking process could not be started"}, out
            header, problem = self._next(timeout)
            if problem is not None:
                return {"error": f"{path}: could not be read: {problem['reason']}"}, out
            if "error" in header:
                self._next(timeout)
                return header, out
            self._collect(out, timeout)
            if len(out) >= len(header["claims"]):
                return header, out


def summary(items) -> dict:
    """Counts of verdicts (and of verdicts equal to their ``expect``) for JSON output."""
    items = list(items)
    counts = {s: sum(i["verdict"] == s for i in items) for s in ("verified", "refuted", "inconclusive")}
    return {"statements": len(items), **counts, "as_expected": sum(i["verdict"] == i["expect"] for i in items)}


PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])
# How the checking process starts; ``-I`` ignores every PYTHON* variable, so the path comes as an argument.
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from losscert.checker import main; sys.exit(main())"
# The snapshot: the interpreter and the environment as they were when losscert was imported, before any
# script could run in this process; PYTHON* variables are dropped (``-I`` ignores them anyway).
_EXECUTABLE = sys.executable
_ENVIRONMENT = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def checker_command() -> list[str]:
    """The command line of every checking process (a fresh copy of the snapshot).

    >>> checker_command()[1:3]
    ['-I', '-c']
    """
    return [_EXECUTABLE, "-I", "-c", _BOOT, PACKAGE_ROOT]


def checker_environment() -> dict:
    """The environment of every checking process (a fresh copy of the snapshot)."""
    return dict(_ENVIRONMENT)


def environment() -> dict:
    """os.environ with this losscert first on PYTHONPATH (for the proof-script collector, which runs
    the scripts and so trusts whatever they trust; never for the checking process)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([PACKAGE_ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def _pump(stream, lines: queue.Queue):
    for line in stream:
        lines.put(line)
    lines.put(None)


def _timed_out(seconds) -> dict:
    return {"verdict": "inconclusive", "reason": f"time budget exceeded ({seconds:g} s)", "evidence": {},
            "seconds": seconds}


def _failed(reason) -> dict:
    return {"verdict": "inconclusive", "reason": reason, "evidence": {}, "seconds": 0}


_SHARED: Worker | None = None


def shared() -> Worker:
    """One checking process reused by every command run in this process
    (closed at exit), so that repeated ``main([...])`` calls start it once."""
    global _SHARED
    if _SHARED is None:
        import atexit
        _SHARED = Worker()
        atexit.register(_SHARED.close)
    return _SHARED
