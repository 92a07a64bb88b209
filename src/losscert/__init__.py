"""losscert: exact and rigorous certificates for loss-landscape facts.

Pipeline: :class:`~losscert.network.Network` (a validated networkx graph) ->
:func:`~losscert.pruning.effective` and :mod:`~losscert.patterns` ->
:func:`~losscert.compiler.compile_loss` -> the trusted :mod:`~losscert.kernel`
-> verdicts with evidence (claim files, proof scripts, reports).
"""
from .compiler import Loss, compile_loss
from .convert import to_sympy
from .network import Network, conv1d, dense, masked, sparse_dense
from .numbers import parse_number
from .pruning import effective

__all__ = ["Loss", "Network", "compile_loss", "conv1d", "dense", "effective", "masked", "parse_number",
           "sparse_dense", "to_sympy"]
__version__ = "0.1.0"
