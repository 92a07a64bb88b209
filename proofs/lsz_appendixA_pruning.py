"""lin-sun-zhang, Appendix A (and the ICLR paper's Appendix C): useless nodes.

The network matches every sentence of the appendix (see
examples/lin-sun-zhang-appendixA.toml): the kernel refutes that it is
effective, and the effective sub-network that pruning returns is effective.
"""
from pathlib import Path

from losscert import effective
from losscert.claims import load
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Appendix A', 'full'), ('iclr:Appendix C', 'instance')]

net = load(Path(__file__).resolve().parents[1] / "examples" / "lin-sun-zhang-appendixA.toml").network
pruned, report = effective(net)

PROOF = Proof("Appendix A: pruning useless nodes", source=source("lsz", "Appendix A"))
PROOF.effective(net, expect="refuted", text="the Figure 5 network is effective")
PROOF.effective(pruned, text="after removing " + ", ".join(n for n, _ in report.useless_nodes())
                + " the network is effective")
