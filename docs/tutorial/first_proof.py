"""My first proof script: the global minima of a two-weight linear network.

L(a, b) = 1/2 ((a b - 2)^2 + (2 a b - 4)^2) is zero exactly when a b = 2.
The script proposes points; the kernel decides each statement.
"""
from losscert import compile_loss, dense
from losscert.proof import Proof

loss = compile_loss(dense([1, 1, 1]), X=[[1, 2]], Y=[[2, 4]])
PROOF = Proof("global minima of a two-weight linear network", source="docs/tutorial.md")
for a in (1, 2, "1/3"):
    point = {"x1 -> h1_1": a, "h1_1 -> y1": f"2/({a})"}
    PROOF.loss_value(loss, point, 0, text=f"a = {a}: (a, 2/a) has loss 0")
    PROOF.local_minimum(loss, point, text=f"a = {a}: it is a local minimum")
    PROOF.strict_local_minimum(loss, point, expect="refuted", text=f"a = {a}: it is not strict (rescaling)")
PROOF.saddle(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}, text="the origin is a saddle")
