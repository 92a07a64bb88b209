"""Only the kernel (the modules of losscert.kernel) constructs a decided verdict (issue 21).

``Verdict(VERIFIED, ...)`` or ``Verdict(REFUTED, ...)`` raises anywhere else;
``Verdict(INCONCLUSIVE, ...)`` is fine everywhere. A kernel verdict pickles
and unpickles as itself; read back from JSON it is a ``Reported``, which is
not a Verdict. This is a guard against mistakes, not a sandbox (docs/trust.md).
"""
import ast
import copy
import dataclasses
import json
import pickle
from pathlib import Path

import pytest

from losscert.kernel import INCONCLUSIVE, REFUTED, VERIFIED, Verdict, algebra
from losscert.kernel.verdict import Reported, conjunction, in_kernel

SRC = Path(__file__).resolve().parents[1] / "src" / "losscert"


@pytest.mark.parametrize("status", [VERIFIED, REFUTED, "verified", "refuted"])
def test_a_decided_verdict_is_not_constructed_outside_the_kernel(status):
    with pytest.raises(TypeError, match=f"constructed only in losscert.kernel, not in {__name__}"):
        Verdict(status, "forged")
    with pytest.raises(TypeError, match="not in losscert.statements"):      # any module outside the folder
        exec("Verdict(status, 'forged')", {"Verdict": Verdict, "status": status, "__name__": "losscert.statements"})


def test_an_inconclusive_verdict_is_constructed_anywhere():
    v = Verdict(INCONCLUSIVE, "not decided", {"why": ["no rule"]})
    assert v.status == INCONCLUSIVE and v.evidence == {"why": ["no rule"]}


def test_the_kernel_still_decides():
    assert algebra.identity("x + 1", "1 + x").status == VERIFIED
    assert algebra.identity("x + 1", "x + 2").status == REFUTED


def test_a_kernel_verdict_cannot_be_rewritten_into_a_new_one_outside():
    v = algebra.identity("x + 1", "x + 2")
    with pytest.raises(TypeError, match="constructed only in losscert.kernel"):
        dataclasses.replace(v, reason="forged")
    with pytest.raises(TypeError, match="constructed only in losscert.kernel"):
        dataclasses.replace(v, status=VERIFIED)


def test_verdict_is_not_subclassed_outside_the_kernel():
    with pytest.raises(TypeError, match="subclassed only in losscert.kernel"):
        class Liar(Verdict):              # noqa: F841 - it would lie with a property ``status``
            pass


def test_a_kernel_verdict_pickles_copies_and_round_trips_through_json():
    v = algebra.rank_is([[1, 2], [2, 4]], 1)
    assert v.status == VERIFIED
    assert pickle.loads(pickle.dumps(v)) == v and copy.deepcopy(v) == v and copy.copy(v) == v
    back = Reported.from_dict(json.loads(json.dumps(v.as_dict())))
    assert (back.status, back.reason, back.evidence, back.certificate) == (v.status, v.reason, v.evidence,
                                                                           v.certificate)
    assert back.as_dict() == v.as_dict() and back.status is VERIFIED
    assert not isinstance(back, Verdict) and back != v
    with pytest.raises(TypeError):
        bool(back)
    with pytest.raises(TypeError):
        back.evidence["forged"] = True


def test_a_reported_verdict_is_not_taken_for_a_kernel_one():
    forged = Reported.from_dict({"verdict": "verified", "reason": "forged", "evidence": {}})
    real = algebra.identity("x", "x")
    with pytest.raises(TypeError, match="kernel's Verdicts"):
        conjunction(forged, real)
    assert conjunction(real, real).status == VERIFIED


def test_in_kernel_names_only_the_kernel_package():
    assert in_kernel("losscert.kernel") and in_kernel("losscert.kernel.decide")
    assert not any(in_kernel(m) for m in ("losscert", "losscert.checker", "losscert.kernelx", "kernel", ""))


def _decided_constructions(path: Path) -> list[str]:
    """``Verdict(...)`` calls in a file whose status is not literally INCONCLUSIVE / "inconclusive"."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name != "Verdict":
            continue
        first = node.args[0] if node.args else None
        text = ast.unparse(first) if first is not None else "?"
        if text.split(".")[-1] not in ("INCONCLUSIVE", "'inconclusive'"):
            out.append(f"{path.relative_to(SRC)}:{node.lineno}: Verdict({text}, ...)")
    return out


def test_no_code_outside_the_kernel_constructs_a_decided_verdict():
    """The static side of the guard: covers the code paths no test happens to run."""
    outside = [p for p in SRC.rglob("*.py") if "kernel" not in p.relative_to(SRC).parts]
    assert len(outside) > 20
    assert [line for p in outside for line in _decided_constructions(p)] == []
    inside = [line for p in (SRC / "kernel").rglob("*.py") for line in _decided_constructions(p)]
    assert len(inside) > 50                 # the scan sees the kernel's own constructions
