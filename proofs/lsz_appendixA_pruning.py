"""lin-sun-zhang, Appendix A (and the ICLR paper's Appendix C): useless nodes.

The network matches every sentence of the appendix (see
examples/lin-sun-zhang-appendixA.toml): the kernel refutes that it is
effective, and the effective sub-network that pruning returns is effective.
"Without changing the loss": the outputs of the network and of the pruned
network are the same expressions of all weights and inputs (so the loss is the
same for all data), for the linear networks of the appendix and for any
activation with sigma(0) = 0. With sigma(0) != 0 and no bias (sigma = 1 + z), a
node of zero in-degree still sends sigma(0) on: removing it, as the appendix
says (its bias caveat covers biases only), changes the outputs.
"""
from pathlib import Path

from losscert import effective
from losscert.claims import load
from losscert.coverage import source
from losscert.network import Network
from losscert.proof import Proof

COVERS = [('lsz:Appendix A', 'instance'),
          ('iclr:Appendix C', 'instance')]

net = load(Path(__file__).resolve().parents[1] / "examples" / "lin-sun-zhang-appendixA.toml").network
pruned, report = effective(net)


def with_activation(network, act):
    return Network.from_table({**network.to_table(), "activation": act})


def outputs(network):
    return [network.output_expressions()[o] for o in network.outputs]


PROOF = Proof("Appendix A: pruning useless nodes", source=source("lsz", "Appendix A"))
PROOF.effective(net, expect="refuted", text="the Figure 5 network is effective")
PROOF.effective(pruned, text="after removing " + ", ".join(n for n, _ in report.useless_nodes())
                + " the network is effective")
PROOF.identity(outputs(net), outputs(pruned),
               text="linear: the pruned network has the same outputs for all weights and inputs (the loss does "
                    "not change)")
square = "poly(0, 1, 1)"                     # sigma(z) = z + z^2, sigma(0) = 0
PROOF.identity(outputs(with_activation(net, square)), outputs(with_activation(pruned, square)),
               text="corrected (sigma(0) = 0, sigma = z + z^2): the same outputs after the same pruning")
shifted = "poly(1, 1)"                       # sigma(z) = 1 + z, sigma(0) = 1, no biases
PROOF.identity(outputs(with_activation(net, shifted)), outputs(with_activation(pruned, shifted)),
               expect="refuted",
               text="sigma = 1 + z (sigma(0) = 1, no biases): the appendix's pruning keeps the outputs",
               note="paper: Appendix A removes the output connections of zero in-degree nodes unless they have "
                    "a bias; without a bias such a node still outputs sigma(0), which is not 0 for sigmoid")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lsz:Appendix A', 'iclr:Appendix C']
