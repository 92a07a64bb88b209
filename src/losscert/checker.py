"""The checking process: statement records in, verdicts out.

``python -m losscert.checker`` reads batches (one JSON document per line on
stdin): ``{"records": [...], "timeout": seconds}``, or ``{"file": path,
"timeout": seconds, "start": k}`` for a claim file, which it reads itself and
answers first with a header (title and claims, or an ``error`` line). It
writes one JSON line per record as it is decided, then ``{"done": true}``;
after a budget overrun it stops (``"stopped": true``) and the caller goes on
with a fresh process.
It imports only the trusted core and kernel (via :mod:`losscert.statements`),
so nothing a proof script did in its own process can reach a verdict. Each
record has a time budget: past it, the record is ``inconclusive`` ("time
budget exceeded") and the next one runs.

>>> [r["verdict"] for r in check_batch([{"kind": "identity", "lhs": "(a + b)**2", "rhs": "a**2 + 2*a*b + b**2"}])]
['verified']
"""
from __future__ import annotations

import contextlib
import json
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


def timed_out(seconds) -> dict:
    """The result of a record that used up its time budget."""
    return _result(Verdict(INCONCLUSIVE, f"time budget exceeded ({seconds:g} s)"), seconds)


def _result(v: Verdict, seconds: float) -> dict:
    return {**statements.verdict_dict(v), "seconds": round(seconds, 3)}


def check_one(record, context: statements.Context, timeout=None) -> dict:
    """The verdict on one record, within ``timeout`` seconds."""
    t0 = time.perf_counter()
    try:
        with budget(timeout):
            v = statements.decide(record, context)
    except TimeBudgetExceeded:
        return timed_out(timeout)
    return _result(v, time.perf_counter() - t0)


def check_batch(records, timeout=None, context: statements.Context | None = None) -> list[dict]:
    """Verdicts on ``records``, sharing one compiled loss per network, data and scale."""
    context = context or statements.Context(list(records))
    return [check_one(r, context, timeout) for r in records]


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


def main() -> int:
    out = sys.stdout
    sys.stdout = sys.stderr          # nothing but results goes to the channel
    for line in sys.stdin:
        if not line.strip():
            continue
        batch = json.loads(line)
        timeout, start = batch.get("timeout"), batch.get("start", 0)
        CERTIFICATES["on"] = bool(batch.get("certificates"))     # made only when bundles are written
        if "file" in batch:
            header, records, context = _claim_file(batch["file"])
            if batch.get("certificates") and "error" not in header:
                header["records"] = records          # for certificate bundles: the records as read here
            out.write(json.dumps(header) + "\n")
            out.flush()
        else:
            records, context = batch["records"], statements.Context(list(batch["records"]))
        for i in range(start, len(records)):
            result = check_one(records[i], context, timeout)
            out.write(json.dumps({"index": i, **result}) + "\n")
            out.flush()
            if result["reason"] == timed_out(timeout)["reason"] and result["verdict"] == INCONCLUSIVE:
                # a rule was interrupted somewhere inside: the rest of the batch runs in a fresh process
                out.write('{"done": true, "stopped": true}\n')
                out.flush()
                return 0
        out.write('{"done": true}\n')
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
