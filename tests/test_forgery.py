"""A proof script cannot make `losscert prove` say `verified` for a false
statement, whatever it does in its own process (issue: statements as data).

Each script below tries one route and then states something false (the
origin of a one-neuron net with loss 1/2 at 0 is a saddle, not a local
minimum). The scripts run through `losscert prove`, whose checking process
is fresh; a last honest script shows later verdicts are untouched.
"""
import json
import textwrap

import pytest

from losscert.cli import main

HEADER = """
from losscert import compile_loss, dense
from losscert.kernel import Verdict
from losscert.proof import Proof
loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
saddle = {"x1 -> h1_1": 0, "h1_1 -> y1": 0}
PROOF = Proof("forgery", source="test")
"""
STATE = """
PROOF.local_minimum(loss, saddle, text="the saddle is a local minimum")
PROOF.strict_local_minimum(loss, saddle, text="the saddle is a strict local minimum")
"""
ROUTES = {
    "a_rules": """
import losscert.proof as proof_module
from losscert import kernel, statements
forged = lambda *args: Verdict("verified", "forged")
proof_module.RULES = {k: forged for k in statements.KINDS}
for k in list(statements.KINDS):
    statements.KINDS[k] = statements.Kind(k, forged, lambda r, ctx: ())
kernel.local_minimum = kernel.strict_local_minimum = forged
""",
    "b_loss_subclass": """
from losscert.compiler import Loss
class Forged(Loss):
    def gradient(self, theta):
        return [self.field.zero] * len(theta)
    def hessian(self, theta):
        from sympy.polys.matrices import DomainMatrix
        return DomainMatrix.eye(len(theta), self.field.domain)
    def value(self, theta):
        return self.field.zero
loss = Forged(loss.network, loss.X_sym, loss.Y_sym)
""",
    "c_cache": """
import losscert.kernel.decide as decide
class Fake:
    is_min = is_strict = True
    reason = strict_reason = "forged"
    evidence = {}
    critical = True
for name in ("_CACHE", "_cache", "CACHE"):
    cache = getattr(decide, name, None)
    if isinstance(cache, dict):
        for k in range(10 ** 4):
            cache[k] = (loss, Fake())
decide.analyse = lambda *args, **kw: Fake()
""",
    "d_evidence": """
from losscert.kernel import decide         # not kernel.local_minimum: route a replaced it in this process
v = decide.local_minimum(loss, loss.point(saddle))
try:
    v.evidence.clear()
    v.evidence["forged"] = True
except TypeError:
    pass
try:
    object.__setattr__(v, "status", "verified")
except Exception:
    pass
""",
}
HONEST = HEADER.replace('"forgery"', '"honest"') + """
PROOF.saddle(loss, saddle, text="the origin is a saddle")
PROOF.local_minimum(loss, {"x1 -> h1_1": 1, "h1_1 -> y1": 1}, text="a zero-loss point is a local minimum")
"""


def test_no_route_gives_verified(tmp_path, capsys):
    for name, route in ROUTES.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(HEADER + route + STATE))
    (tmp_path / "z_honest.py").write_text(HONEST)
    code = main(["prove", str(tmp_path), "--json"])
    doc = json.loads(capsys.readouterr().out)
    by_file = {r["file"].rsplit("/", 1)[-1]: r for r in doc["proofs"]}
    assert sorted(by_file) == sorted([f"{n}.py" for n in ROUTES] + ["z_honest.py"])
    for name in ROUTES:
        verdicts = [s["verdict"] for s in by_file[f"{name}.py"]["statements"]]
        assert verdicts == ["refuted", "refuted"], (name, by_file[f"{name}.py"]["statements"])
        assert all("forged" not in json.dumps(s["evidence"]) for s in by_file[f"{name}.py"]["statements"])
    assert [s["verdict"] for s in by_file["z_honest.py"]["statements"]] == ["verified", "verified"]
    assert code == 1            # the forged statements expected `verified` and did not get it


def test_the_forged_rules_of_route_a_cannot_even_build_a_verified_verdict():
    """Outside losscert.kernel a decided Verdict is not constructed (tests/test_kernel_boundary.py)."""
    scope = {}
    exec(textwrap.dedent(HEADER), scope)
    forged = eval('lambda *args: Verdict("verified", "forged")', scope)
    with pytest.raises(TypeError, match="constructed only in losscert.kernel"):
        forged()


def test_the_forged_objects_would_fool_an_in_process_check():
    """The routes are real: in the script's own process the forged kernel says verified."""
    scope = {}
    exec(textwrap.dedent(HEADER + ROUTES["b_loss_subclass"]), scope)
    loss = scope["loss"]
    assert not any(loss.gradient(loss.point(scope["saddle"])))    # the made-up derivatives
