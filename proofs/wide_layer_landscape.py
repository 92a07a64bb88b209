"""A wide first layer (n_1 = N samples) with polynomial activations: Property P for generic theta.

nguyen Theorem 3.2 (strictly monotone activation, rank X = N, n_1 > n_2 = d_y):
sigma(z) = z + z^3 (strictly increasing), X = [[1, 0], [1, 1]] (rank 2 = N),
hidden width 2, one output. li-ding-sun Theorem 2 / Corollary 2 (last hidden
layer >= N neurons, any continuous activation): sigma(z) = z + z^2 (not
monotone), same sizes. For every theta with F = sigma(W X) invertible
(generic: det F != 0) the output weights move to Y F^-1 (outputs affine in t):
loss 0, a global minimum. As the data are exact and the region is the whole
parameter space minus the zero set of det F (a non-zero polynomial, empty
interior), the kernel also concludes: no spurious strict local minimum (li-ding-sun
Corollary 2 on the instance) and no spurious valley with non-empty interior.
The points with det F = 0 are not stated (nguyen's Lemma 3.4 curve inverts sigma).
"""
import sympy as sp

from losscert import dense
from losscert.coverage import source
from losscert.landscapes import line, parameter_symbols, symbols_of
from losscert.proof import Proof

COVERS = [("nguyen:Theorem 3.2", "step"), ("lds:Corollary 2", "instance")]

X, Y = sp.Matrix([[1, 0], [1, 1]]), sp.Matrix([[1, -2]])


def wide(poly, z_text):
    net = dense([2, 2, 1], activation=f"poly({', '.join(map(str, poly))})")
    names, symbols = parameter_symbols(net)
    s = symbols_of(names)
    W = sp.Matrix(2, 2, lambda i, j: s[f"x{j + 1} -> h1_{i + 1}"])
    sigma = sp.Lambda(sp.Symbol("z"), sum(c * sp.Symbol("z") ** i for i, c in enumerate(poly)))
    F = (W * X).applyfunc(sigma)                     # hidden features, one column per sample
    det = sp.expand(F.det())
    V = Y * F.adjugate() / det
    start = dict(s)
    end = {**start, **{f"h1_{i + 1} -> y1": V[i] for i in range(2)}}
    return net, symbols, start, [line(start, end)], det, z_text


nguyen = Proof("nguyen Theorem 3.2, instance: sigma(z) = z + z^3, n_1 = N = 2, Property P for generic theta",
               source=source("nguyen", "Theorem 3.2"))
net, symbols, start, segs, det, z = wide((0, 1, 0, 1), "z + z^3")
nguyen.paths_to_global_minimum(net, X, Y, symbols, start, segs, generic=[det],
                               text=f"every theta with det sigma(W X) != 0 (sigma = {z}): V -> Y F^-1 reaches 0")
nguyen.paths_to_global_minimum(net, X, Y, symbols, start, segs, expect="inconclusive",
                               text="control: without the generic condition the denominator det F may vanish")
lds = Proof("li-ding-sun Corollary 2, instance: sigma(z) = z + z^2, last hidden layer N = 2",
            source=source("lds", "Theorem 2 / Corollary 2"))
net, symbols, start, segs, det, z = wide((0, 1, 1), "z + z^2")
lds.paths_to_global_minimum(net, X, Y, symbols, start, segs, generic=[det],
                            text=f"every theta with det sigma(W X) != 0 (sigma = {z}): V -> Y F^-1 reaches 0; "
                                 "no spurious strict local minimum")
nguyen.covers, lds.covers = ["nguyen:Theorem 3.2"], ["lds:Corollary 2"]
PROOFS = [nguyen, lds]
