"""losscert: exact and rigorous certificates for loss-landscape facts.

Pipeline: :class:`~losscert.network.Network` (a validated networkx graph) ->
:func:`~losscert.pruning.effective` and :mod:`~losscert.patterns` ->
:func:`~losscert.compiler.compile_loss` -> the trusted :mod:`~losscert.kernel`
-> verdicts with evidence (claim files, proof scripts, reports).

The names below are imported on first use (PEP 562), so ``import losscert``
and ``losscert --version`` stay fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {"Loss": "compiler", "compile_loss": "compiler", "Network": "network", "conv1d": "network",
         "dense": "network", "masked": "network", "sparse_dense": "network", "parse_number": "numbers",
         "effective": "pruning", "to_sympy": "convert", "from_onnx": "interop", "from_safetensors": "interop",
         "from_torch": "interop", "to_torch": "interop"}
__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
