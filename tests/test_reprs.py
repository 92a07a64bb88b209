"""Jupyter shows a Verdict as Markdown (status, reason, evidence table) or LaTeX."""
from losscert import compile_loss, dense, kernel
from losscert.kernel import INCONCLUSIVE, Verdict


def test_a_kernel_verdict_in_markdown_and_latex():
    loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
    v = kernel.local_minimum(loss, loss.point({"x1 -> h1_1": 0, "h1_1 -> y1": 0}))
    assert v.status == kernel.REFUTED
    md = v._repr_markdown_().splitlines()
    assert md[0] == f"**refuted**: {v.reason}"
    assert md[2:4] == ["| evidence | |", "|---|---|"]
    assert [row.split(" | ")[0] for row in md[4:]] == [f"| {key}" for key in v.evidence]
    latex = v._repr_latex_()
    assert latex.startswith(r"$\textbf{refuted}\text{: ") and latex.endswith("}$")


def test_markdown_and_latex_special_characters_are_escaped():
    v = Verdict(INCONCLUSIVE, "a_b {c} 50% & $x$ #1 ~ ^ \\", {"long": "x" * 500, "pipe|key": "a|b\nc"})
    md = v._repr_markdown_()
    assert "| pipe\\|key | `\"a\\|b\\nc\"` |" in md
    assert f"| long | `\"{'x' * 199} ...` |" in md                  # long values are cut
    assert v._repr_latex_() == (r"$\textbf{inconclusive}\text{: a\_b \{c\} 50\% \& \$x\$ \#1 \~{} \^{} "
                                r"\textbackslash{}}$")


def test_a_verdict_without_evidence_is_one_line():
    assert Verdict("inconclusive", "unchecked")._repr_markdown_() == "**inconclusive**: unchecked"
