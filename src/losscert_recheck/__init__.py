"""losscert_recheck: an independent small checker of losscert's certificates.

It reads the JSON bundles that ``losscert prove --certificates DIR`` and
``losscert check --certificates DIR`` write, recomputes what each statement
is about (its own expression reader, exact arithmetic and network
evaluator), and tests the certificate against it. It imports only the
standard library and python-flint, never losscert: a bug in the deciding
kernel and the same bug here would have to be written twice.

Run ``losscert recheck DIR`` or ``python -m losscert_recheck DIR``.
"""
from .checks import CHECKS, recheck
from .exact import NotCovered, Rejected

__all__ = ["recheck", "CHECKS", "Rejected", "NotCovered"]
