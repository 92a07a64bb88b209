"""lin-sun-zhang, Lemma 2: ranks of the FULL, SAME and VALID convolution
matrices, symbolically in the kernel weights (generic rank over Q(w)).

rank f_F(w) = d, rank f_S(w) = d - min{i : w_i != 0} + 1, rank f_V(w) = s
for w != 0. Checked for kernel sizes 2, 3 and input lengths 3, 4, 5, and for
SAME with a leading zero weight.
"""
import sympy as sp

from losscert.network import conv_matrix_entries
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Lemma 2', 'instance')]


def f(mode, d, w):
    """The convolution matrix f(w) built from losscert's convolution layout."""
    entries = conv_matrix_entries(d, len(w), mode)
    rows = max(r for r, _, _ in entries) + 1
    M = sp.zeros(rows, d)
    for r, c, i in entries:
        M[r, c] = w[i]
    return M


PROOF = Proof("Lemma 2: ranks of convolution matrices", source=source("lsz", "Lemma 2"))
for k in (2, 3):
    w = sp.symbols(f"w1:{k + 1}")
    for d in (k + 1, k + 3):
        PROOF.rank(f("FULL", d, w), d, text=f"FULL, d1 = {k}, d = {d}: rank d = {d}")
        PROOF.rank(f("SAME", d, w), d, text=f"SAME, d1 = {k}, d = {d}: rank d = {d}")
        PROOF.rank(f("VALID", d, w), d - k + 1, text=f"VALID, d1 = {k}, d = {d}: rank s = {d - k + 1}")
        PROOF.rank(f("SAME", d, (0,) + w[1:]), d - 1,
                   text=f"SAME, d1 = {k}, d = {d}, w1 = 0: rank d - 2 + 1 = {d - 1}")
        PROOF.rank(f("FULL", d, (0,) + w[1:]), d, text=f"FULL, d1 = {k}, d = {d}, w1 = 0: still rank {d}")
        for first in range(2, k + 1):                 # every first non-zero index i: rank d - i + 1
            wz = (0,) * (first - 1) + w[first - 1:]
            PROOF.rank(f("SAME", d, wz), d - first + 1,
                       text=f"SAME, d1 = {k}, d = {d}, first non-zero weight w{first}: rank d - {first} + 1 = "
                            f"{d - first + 1}")
            PROOF.rank(f("VALID", d, wz), d - k + 1, text=f"VALID, same kernel: still rank s = {d - k + 1}")
