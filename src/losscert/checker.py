"""The checking process: statement records in, verdicts out.

``python -m losscert.checker`` reads batches (one JSON document per line on
stdin): ``{"records": [...], "timeout": seconds}``, or ``{"file": path,
"timeout": seconds, "start": k}`` for a claim file, which it reads itself and
answers first with a header (title and claims, or an ``error`` line). It
writes one JSON line per record as it is decided, then ``{"done": true}``;
after a budget overrun it stops (``"stopped": true``) and the caller goes on
with a fresh process.
It imports only the trusted core and kernel (via :mod:`losscert.statements`),
so nothing a proof script did in its own process can reach a verdict; it is
started isolated (see :mod:`losscert.workers`), and ``{"about": true}``
answers with the interpreter flags it runs under. Each record has a time
budget and a memory budget (``"memory"``: MiB of address space, POSIX
only): past either, the record is ``inconclusive`` ("time budget exceeded",
"memory budget exceeded") and the next one runs, in a fresh process.

>>> [r["verdict"] for r in check_batch([{"kind": "identity", "lhs": "(a + b)**2", "rhs": "a**2 + 2*a*b + b**2"}])]
['verified']
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time

from . import statements
from .kernel import INCONCLUSIVE, Verdict
from .kernel.certificates import ENABLED as CERTIFICATES


class TimeBudgetExceeded(BaseException):
    """Raised by the timer inside a rule (a BaseException, so that no rule's
    ``except Exception`` turns it into an ordinary failure)."""


def _alarm(signum, frame):
    raise TimeBudgetExceeded()


@contextlib.contextmanager
def budget(seconds):
    """Raise :class:`TimeBudgetExceeded` in this block after ``seconds`` (None: no limit)."""
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def memory_budget(mib):
    """Limit this process's address space to ``mib`` MiB in this block (None, or no
    ``resource`` module: no limit); an allocation past it raises MemoryError."""
    try:
        import resource
    except ImportError:
        resource = None
    if not mib or resource is None:
        yield
        return
    old = resource.getrlimit(resource.RLIMIT_AS)
    limit = int(mib * 2 ** 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit if old[1] == resource.RLIM_INFINITY else min(limit, old[1]), old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, old)


def timed_out(seconds) -> dict:
    """The result of a record that used up its time budget."""
    return _result(Verdict(INCONCLUSIVE, f"time budget exceeded ({seconds:g} s)"), seconds)


def out_of_memory(mib, seconds) -> dict:
    """The result of a record that used up its memory budget."""
    return _result(Verdict(INCONCLUSIVE, f"memory budget exceeded ({mib:g} MiB)"), seconds)


def overran(result: dict) -> bool:
    """Whether ``result`` ended a record past its time or memory budget (then the process is restarted)."""
    return result["verdict"] == INCONCLUSIVE and result["reason"].startswith(("time budget exceeded",
                                                                              "memory budget exceeded"))


def _result(v: Verdict, seconds: float, params=None) -> dict:
    out = {**statements.verdict_dict(v), "seconds": round(seconds, 3)}
    if params:
        statements.label_hessians(out["evidence"], params)
    return out


def check_one(record, context: statements.Context, timeout=None, memory=None) -> dict:
    """The verdict on one record, within ``timeout`` seconds and ``memory`` MiB of address space.
    A failed allocation, raised through or caught by a rule (then named in its reason), makes
    the record inconclusive with the memory budget as the reason."""
    t0 = time.perf_counter()
    try:
        with memory_budget(memory), budget(timeout):
            v = statements.decide(record, context)
    except TimeBudgetExceeded:
        return timed_out(timeout)
    except MemoryError:
        return out_of_memory(memory, time.perf_counter() - t0) if memory else _failed("MemoryError", t0)
    if memory and v.status == INCONCLUSIVE and any(sign in v.reason for sign in _ALLOCATION_FAILED):
        return out_of_memory(memory, time.perf_counter() - t0)
    return _result(v, time.perf_counter() - t0, statements.parameters_of(record, context))


# How a failed allocation shows in the reason of a rule that caught it (C code that fails to
# allocate may return NULL without an exception: SystemError).
_ALLOCATION_FAILED = ("MemoryError", "returned NULL without setting an exception")


def _failed(what, t0) -> dict:
    return _result(Verdict(INCONCLUSIVE, f"could not be checked: {what}"), time.perf_counter() - t0)


def check_batch(records, timeout=None, context: statements.Context | None = None, memory=None) -> list[dict]:
    """Verdicts on ``records``, sharing one compiled loss per network, data and scale."""
    context = context or statements.Context(list(records))
    return [check_one(r, context, timeout, memory) for r in records]


def about() -> dict:
    """How this process runs: the isolation flags, the module search path, the interpreter."""
    return {"isolated": bool(sys.flags.isolated), "no_user_site": bool(sys.flags.no_user_site),
            "ignore_environment": bool(sys.flags.ignore_environment), "safe_path": bool(sys.flags.safe_path),
            "path": list(sys.path), "executable": sys.executable, "pid": os.getpid()}


def _claim_file(path):
    """(header, records, context) of a claim file, or (an error header, [], None)."""
    from .claims import ClaimFileError, load
    try:
        cf = load(path)
    except ClaimFileError as exc:
        return {"error": str(exc)}, [], None
    keys = ("kind", "expect", "caption", "note")
    claims = [{k: c.record.get(k, c.expect if k == "expect" else None) for k in keys if k in c.record or k == "expect"}
              for c in cf.claims]
    return {"title": cf.title, "source": cf.source, "claims": claims}, [c.record for c in cf.claims], cf.context


def _claim_file_within(path, memory):
    """:func:`_claim_file` within the memory budget (an error header past it)."""
    try:
        with memory_budget(memory):
            return _claim_file(path)
    except MemoryError:
        budget_text = f"memory budget exceeded ({memory:g} MiB)" if memory else "out of memory"
        return {"error": f"{path}: {budget_text} while reading it"}, [], None


def main() -> int:
    out = sys.stdout
    sys.stdout = sys.stderr          # nothing but results goes to the channel
    for line in sys.stdin:
        if not line.strip():
            continue
        batch = json.loads(line)
        if batch.get("about"):
            out.write(json.dumps(about()) + "\n")
            out.flush()
            continue
        timeout, start, memory = batch.get("timeout"), batch.get("start", 0), batch.get("memory")
        CERTIFICATES["on"] = bool(batch.get("certificates"))     # made only when bundles are written
        if "file" in batch:
            header, records, context = _claim_file_within(batch["file"], memory)
            if batch.get("certificates") and "error" not in header:
                header["records"] = records          # for certificate bundles: the records as read here
            out.write(json.dumps(header) + "\n")
            out.flush()
        else:
            records, context = batch["records"], statements.Context(list(batch["records"]))
        for i in range(start, len(records)):
            result = check_one(records[i], context, timeout, memory)
            out.write(json.dumps({"index": i, **result}) + "\n")
            out.flush()
            if overran(result):
                # a rule was interrupted somewhere inside: the rest of the batch runs in a fresh process
                out.write('{"done": true, "stopped": true}\n')
                out.flush()
                return 0
        out.write('{"done": true}\n')
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
