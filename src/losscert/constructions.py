"""Compatibility name for :mod:`losscert.proposers.constructions` (proof scripts import it from here)."""
from .proposers.constructions import basin_data, best_single_neuron

__all__ = ["basin_data", "best_single_neuron"]
