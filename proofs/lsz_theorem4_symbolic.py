"""lin-sun-zhang, Theorem 4 (SAME mode, p1 = 1): T0's point is a spurious local minimum for every a > 0.

(Not a spurious valley: its sublevel component reaches loss 0, see
lsz_theorem4_same_landscape.py.)

The same network and data as ``lsz_theorem4_same.py`` (a = 1 and a = 2),
now with the valley's parameter a as a declared symbol (``a > 0``): the
loss lives over Q(a) and each statement is decided for every a > 0 at once
(kernel.parametric). The point of T0 is {w1 = u1 = 0, w2 = a, u3 = 4/a}.

- loss 1/2 and criticality: identities in Q(a) (the only denominator, a,
  has no root in a > 0);
- local minimum: the leading minors of H on (w1, w2, u1) are 16/a^2,
  256/a^4, 240/a^2 (positive for every a > 0, Sturm), the rank of H in Q(a)
  is 3, and the 3-dimensional family of critical points (channel rescaling
  composed with the free u2, u4) is proven by an identity in (s, c, 1/c, a);
  its tangent minor is a (non-zero for a > 0): Morse-Bott for every a > 0;
- not strict: refuted at a = 1 (the first rational value tried);
- spurious: L(better) = 0 < 1/2.

T0 also has a < 0 (the paper's a != 0): the same statements are decided for
``a < 0`` as a second region (one symbolic region is one interval).
"""
from losscert import compile_loss, conv1d
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 4 SAME', 'step')]

net = conv1d(2, 2, "SAME", channels=1, d_y=2)
t0 = {"k1_1": 0, "k1_2": "a", "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": "4/a", "c1_2 -> y2": 0}
best = {"k1_1": 1, "k1_2": 0, "c1_1 -> y1": 1, "c1_2 -> y1": 0, "c1_1 -> y2": 0, "c1_2 -> y2": 4}
PROOF = Proof("Theorem 4: the SAME-mode valley T0 for every a != 0 (symbolic a)",
              source=source("lsz", "Theorem 4 (proof, SAME mode)"))
for condition in ("a > 0", "a < 0"):
    loss = compile_loss(net, [[1, 0], [0, 1]], [[1, 0], [0, 4]], symbols={"a": condition})
    PROOF.loss_value(loss, t0, "1/2", text=f"{condition}: the point of T0 has loss 1/2")
    PROOF.critical_point(loss, t0, text=f"{condition}: it is a critical point")
    PROOF.hessian_psd(loss, t0, text=f"{condition}: H is PSD (rank 3)")
    PROOF.local_minimum(loss, t0, text=f"{condition}: it is a local minimum",
                        note="Morse-Bott on the 3-dimensional critical family, for every a in the region at once")
    PROOF.strict_local_minimum(loss, t0, expect="refuted", text=f"{condition}: it is a strict local minimum")
    PROOF.spurious_local_minimum(loss, t0, best, text=f"{condition}: T0 is a spurious local minimum "
                                                      "(L(better) = 0 < 1/2)")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lsz:Theorem 4 SAME']
