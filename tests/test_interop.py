"""Models from PyTorch (losscert.interop): ONNX graphs built with onnx.helper and one exported by
torch.onnx.export (tests/fixtures/), safetensors weights, torch modules (real torch when installed,
else a small test double for what needs no torch semantics).

Round trips: the loss losscert computes at the imported point equals the loss of a numpy forward
pass of the same model (onnx's reference evaluator, or torch's own outputs) on the same data.
"""
import json
import math
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy

onnx = pytest.importorskip("onnx", reason="install the test extra: pip install -e '.[test]'")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

import losscert  # noqa: E402
from losscert import compile_loss  # noqa: E402
from losscert.interop import InteropError, exact_float, from_onnx, from_safetensors, from_torch, layers_of  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RNG = np.random.default_rng(7)


# -- building small graphs ----------------------------------------------------------------

def tensor(name, values, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(values, dtype), name)


def model(nodes, inits, d_in, d_out, inp="x", out="y"):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(inp, TensorProto.FLOAT, ["N", d_in])],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["N", d_out])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def gemm_chain(sizes, act_nodes, bias=True, transB=1, alpha=1.0, beta=1.0):
    """Gemm layers of the given sizes, each hidden one followed by the nodes made by act_nodes(i, z, h)."""
    nodes, inits, cur = [], [], "x"
    for l in range(len(sizes) - 1):
        W = RNG.normal(size=(sizes[l + 1], sizes[l])).astype(np.float32)
        inits.append(tensor(f"W{l}", W if transB else W.T))
        ins = [cur, f"W{l}"]
        if bias:
            inits.append(tensor(f"b{l}", RNG.normal(size=sizes[l + 1])))
            ins.append(f"b{l}")
        last = l == len(sizes) - 2
        z = "y" if last else f"z{l}"
        nodes.append(helper.make_node("Gemm", ins, [z], name=f"gemm{l}", transB=transB, alpha=alpha, beta=beta))
        cur = z
        if not last:
            extra = act_nodes(l, z, f"a{l}")
            nodes += extra
            cur = extra[-1].output[0] if extra else z
    return model(nodes, inits, sizes[0], sizes[-1])


def reference_loss(m, X, Y):
    """1/2 ||F(X) - Y||^2 by onnx's numpy reference evaluator (X, Y one row per input/output)."""
    out = ReferenceEvaluator(m).run(None, {"x": X.T.astype(np.float32)})[0]
    return 0.5 * float(np.sum((out.astype(np.float64) - Y.T) ** 2))


def losscert_loss(net, point, X, Y) -> float:
    loss = compile_loss(net, X, Y)
    with mpmath.workdps(30):
        return float(loss.mp_value([mpmath.mpf(v.p) / v.q for v in point.values()]))


def data(d_in, d_out, n=6):
    return RNG.normal(size=(d_in, n)).round(3), RNG.normal(size=(d_out, n)).round(3)


def act(op, **attrs):
    return lambda l, z, h: [helper.make_node(op, [z], [h], name=f"{op.lower()}{l}", **attrs)]


def close(a, b):
    assert math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6), (a, b)


# -- ONNX: layers, activations, round trips ---------------------------------------------------

@pytest.mark.parametrize("op, attrs, spec", [
    ("Relu", {}, "relu"), ("LeakyRelu", {"alpha": 0.2}, "leaky_relu(1/5)"), ("LeakyRelu", {}, "leaky_relu(1/100)"),
    ("Tanh", {}, "tanh"), ("Sigmoid", {}, "sigmoid"), ("Elu", {"alpha": 0.5}, "elu(1/2)"), ("Elu", {}, "elu"),
    ("Softplus", {}, "softplus")])
def test_each_activation_round_trips(op, attrs, spec):
    m = gemm_chain([3, 4, 2], act(op, **attrs))
    net, point = from_onnx(m)
    assert {net.activation(h).spec for h in net.hidden} == {spec}
    X, Y = data(3, 2)
    close(losscert_loss(net, point, X, Y), reference_loss(m, X, Y))


def test_gemm_transB_0_alpha_beta_and_identity():
    m = gemm_chain([2, 3, 3, 1], lambda l, z, h: [helper.make_node("Identity", [z], [h])], transB=0,
                   alpha=0.5, beta=2.0)
    net, point = from_onnx(m)
    assert [net.activation(h).spec for h in net.hidden] == ["linear"] * 6
    X, Y = data(2, 1)
    close(losscert_loss(net, point, X, Y), reference_loss(m, X, Y))


def test_matmul_plus_add_and_a_weight_first_gemm():
    """MatMul + Add (torch's form for inputs of rank 3), and Gemm(W, x, transB=1): samples in columns."""
    W1, b1 = RNG.normal(size=(3, 4)).astype(np.float32), RNG.normal(size=4).astype(np.float32)
    W2, b2 = RNG.normal(size=(2, 4)).astype(np.float32), RNG.normal(size=(2, 1)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["m"]), helper.make_node("Add", ["b1", "m"], ["z"]),
             helper.make_node("Tanh", ["z"], ["t"]),
             helper.make_node("Gemm", ["W2", "t", "b2"], ["yt"], transB=1),      # (2 x 4)(4 x N): one column per sample
             helper.make_node("Transpose", ["yt"], ["y"])]
    m = model(nodes, [tensor("W1", W1), tensor("b1", b1), tensor("W2", W2), tensor("b2", b2)], 3, 2)
    with pytest.raises(InteropError, match=r"node 4 \(Transpose\): unsupported operator"):
        from_onnx(m)
    m.graph.node.pop()
    m.graph.output[0].name = "yt"
    net, point = from_onnx(m)
    X, Y = data(3, 2)
    loss = losscert_loss(net, point, X, Y)
    out = ReferenceEvaluator(m).run(None, {"x": X.T.astype(np.float32)})[0]        # 2 x N
    close(loss, 0.5 * float(np.sum((out - Y) ** 2)))
    assert point["x2 -> h1_3"] == exact_float(W1[1, 2]) and point["b:y2"] == exact_float(b2[1, 0])


def test_activation_on_the_output_and_twice_in_a_row():
    m = gemm_chain([2, 2, 1], act("Relu"))
    m.graph.node.append(helper.make_node("Sigmoid", ["y"], ["s"]))
    m.graph.node.append(helper.make_node("Tanh", ["s"], ["t"]))
    m.graph.output[0].name = "t"
    net, point = from_onnx(m)
    assert [net.activation(h).spec for h in net.hidden] == ["relu", "relu", "sigmoid", "tanh"]
    assert net.fixed == {("h2_1", "h3_1"): 1, ("h3_1", "y1"): 1}
    X, Y = data(2, 1)
    out = ReferenceEvaluator(m).run(None, {"x": X.T.astype(np.float32)})[0]
    close(losscert_loss(net, point, X, Y), 0.5 * float(np.sum((out.T - Y) ** 2)))


def test_pruned_zeros_missing_fixed_or_free():
    W = np.array([[1.5, 0, 0], [0, 0, 0], [0.25, -2, 0]], np.float32)       # x3 fully pruned, h1_2 has no inputs
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["z"], transB=1), helper.make_node("Sigmoid", ["z"], ["a"]),
             helper.make_node("Gemm", ["a", "V"], ["y"], transB=1)]
    m = model(nodes, [tensor("W", W), tensor("b", [0, 1, -1]), tensor("V", [[1, 0.5, 0]])], 3, 1)
    missing, p_missing = from_onnx(m)
    fixed, p_fixed = from_onnx(m, zeros="fixed")
    free, p_free = from_onnx(m, zeros="free")
    assert missing.inputs == ("x1", "x2", "x3") and missing.fixed == {("x3", "h1_1"): 0}   # X keeps its rows
    assert "h1_3" not in missing.graph or missing.graph.out_degree("h1_3") == 0
    assert len(p_missing) == 3 + 3 + 2 and len(p_free) == 9 + 3 + 3
    assert len(p_fixed) == len(p_missing) and len(fixed.fixed) == 9 + 3 - 3 - 2
    assert p_free["x3 -> h1_3"] == 0 and p_missing["b:h1_2"] == 1     # a constant source (sigmoid of its bias) stays
    X, Y = data(3, 1)
    ref = reference_loss(m, X, Y)
    for net, point in ((missing, p_missing), (fixed, p_fixed), (free, p_free)):
        close(losscert_loss(net, point, X, Y), ref)


def test_exact_numbers_from_floats():
    assert exact_float(np.float32(0.1)) == sympy.Rational(1, 10)
    assert exact_float(np.float32(0.1), "binary") == sympy.Rational(13421773, 134217728)
    assert exact_float(np.float64(0.1), "binary") == sympy.Rational(*(0.1).as_integer_ratio())
    assert exact_float(np.float16(0.1)) == sympy.Rational(1, 10)
    for x in (np.float32(1 / 3), np.float32(-7.1e-9), np.float64(2 / 3)):       # shortest text reads back exactly
        assert type(x)(float(exact_float(x))) == x
    with pytest.raises(InteropError, match="not a finite number"):
        exact_float(np.float32("nan"))
    m = gemm_chain([1, 1], None)
    net, p_short = from_onnx(m)
    _, p_bin = from_onnx(m, floats="binary")
    w = numpy_helper.to_array(m.graph.initializer[0])[0, 0]
    assert p_short["x1 -> y1"] == exact_float(w) and p_bin["x1 -> y1"] == sympy.Rational(*float(w).as_integer_ratio())
    with pytest.raises(InteropError, match="floats='decimal'"):
        from_onnx(m, floats="decimal")
    with pytest.raises(InteropError, match="zeros='drop'"):
        from_onnx(m, zeros="drop")


def test_data_shapes_are_checked_with_a_transpose_hint():
    m = gemm_chain([3, 2, 1], act("Relu"))
    X, Y = data(3, 1, n=5)
    net, point = from_onnx(m, X, Y)
    with pytest.raises(InteropError, match=r"X has shape \(5, 3\).*pass X.T"):
        from_onnx(m, X.T, Y)
    with pytest.raises(InteropError, match="X has 5 samples .* but Y has 4"):
        from_onnx(m, X, Y[:, :4])


# -- ONNX: what is refused, in one line ---------------------------------------------------------

def one_line(exc_info):
    text = str(exc_info.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_unsupported_operator_names_the_node():
    m = gemm_chain([2, 2, 1], act("HardSigmoid"))
    with pytest.raises(InteropError) as e:
        from_onnx(m)
    assert one_line(e).startswith("node 'hardsigmoid0' (HardSigmoid): unsupported operator")


def test_skip_connections_and_branches_are_refused():
    nodes = [helper.make_node("Gemm", ["x", "W"], ["z"], name="g0", transB=1), helper.make_node("Relu", ["z"], ["a"]),
             helper.make_node("Add", ["a", "x"], ["y"], name="skip")]
    m = model(nodes, [tensor("W", np.eye(2))], 2, 2)
    with pytest.raises(InteropError, match="'x' is used by several nodes"):
        from_onnx(m)
    nodes[2] = helper.make_node("Add", ["a", "a"], ["y"], name="double")
    m = model(nodes, [tensor("W", np.eye(2))], 2, 2)
    with pytest.raises(InteropError, match=r"'a' is used by several nodes"):
        from_onnx(m)
    nodes[2] = helper.make_node("Add", ["a", "b"], ["y"], name="late")
    m = model(nodes, [tensor("W", np.eye(2)), tensor("b", [1, 1])], 2, 2)
    with pytest.raises(InteropError, match=r"node 'late' \(Add\): only the bias of a fully connected layer"):
        from_onnx(m)


def test_hostile_files(tmp_path):
    huge = tmp_path / "huge.onnx"
    with open(huge, "wb") as fh:                    # sparse: nothing is written, nothing is read
        fh.truncate(losscert.interop.MAX_FILE_BYTES + 1)
    with pytest.raises(InteropError) as e:
        from_onnx(huge)
    assert "bytes (limit" in one_line(e)
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x0a\xff\xff\xff\xff\x0f" + bytes(range(256)) * 4)
    with pytest.raises(InteropError) as e:
        from_onnx(junk)
    assert one_line(e).startswith(f"{junk}: not an ONNX model")
    with pytest.raises(InteropError, match="cannot read"):
        from_onnx(tmp_path / "absent.onnx")
    with pytest.raises(InteropError, match="expected a path, bytes or an onnx.ModelProto"):
        from_onnx(12)


def test_hostile_tensors():
    big = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[10 ** 6, 10 ** 6])     # claims 10^12 entries
    m = model([helper.make_node("MatMul", ["x", "W"], ["y"])], [big], 2, 2)
    with pytest.raises(InteropError, match=r"tensor 'W': 1000000000000 entries \(limit"):
        from_onnx(m)
    ext = tensor("W", np.eye(2))
    ext.data_location = TensorProto.EXTERNAL
    ext.external_data.add(key="location", value="/etc/passwd")
    m = model([helper.make_node("MatMul", ["x", "W"], ["y"])], [ext], 2, 2)
    with pytest.raises(InteropError, match="external file, which is not read"):
        from_onnx(m)
    m = model([helper.make_node("MatMul", ["x", "W"], ["y"])], [tensor("W", [[1, np.nan], [0, 1]])], 2, 2)
    with pytest.raises(InteropError, match=r"entry \[0, 1\] is nan"):
        from_onnx(m)
    m = model([helper.make_node("MatMul", ["x", "W"], ["y"])], [helper.make_tensor("W", TensorProto.STRING, [1], [b"1"])],
              2, 2)
    with pytest.raises(InteropError, match="data type STRING"):
        from_onnx(m)


# -- the fixture exported by PyTorch ---------------------------------------------------------------

def torch_reference():
    ref = json.loads((FIXTURES / "torch_pruned.json").read_text())
    return np.array(ref["x"]).T, np.array(ref["y"]).T


def test_the_torch_exported_fixture():
    """A pruned Linear-LeakyReLU-Linear-Tanh-Linear written by torch.onnx.export: half of the first
    layer's weights are pruned (missing edges); torch's float64 outputs are matched to float accuracy."""
    net, point = from_onnx(FIXTURES / "torch_pruned.onnx")
    assert [len(layer) for layer in layers_of(net)] == [3, 4, 2, 1]
    assert sum(1 for u, v in net.edges if u.startswith("x")) == 6
    assert {net.activation(h).spec for h in net.hidden} == {"leaky_relu(1/10)", "tanh"}
    X, Yt = torch_reference()
    loss = compile_loss(net, X, Yt)
    with mpmath.workdps(30):
        assert float(loss.mp_value([mpmath.mpf(v.p) / v.q for v in point.values()])) < 1e-12
    Y = Yt + 1
    close(losscert_loss(net, point, X, Y), 0.5 * X.shape[1])       # every residual is -1


def test_safetensors_of_the_torch_fixture_give_the_same_point():
    net, point = from_onnx(FIXTURES / "torch_pruned.onnx")
    assert from_safetensors(FIXTURES / "torch_pruned.safetensors", net, ["0", "2", "4"]) == point
    pairs = [("0.weight", "0.bias"), ("2.weight", "2.bias"), ("4.weight", None)]
    with pytest.raises(InteropError, match="node 'y1' has a bias but layer 3 has no bias tensor"):
        from_safetensors(FIXTURES / "torch_pruned.safetensors", net, pairs)


# -- safetensors onto a declared network -------------------------------------------------------

@pytest.fixture
def st_file(tmp_path):
    from safetensors.numpy import save_file
    W0 = np.array([[0.5, 0.0], [0.0, -1.25], [2.0, 0.0]], np.float32)
    tensors = {"0.weight": W0, "0.bias": np.array([0.1, 0, 0], np.float32), "2.weight": np.array([[1, 2, 3]], np.float32)}
    save_file(tensors, str(tmp_path / "w.safetensors"))
    return tmp_path / "w.safetensors"


def test_safetensors_onto_a_sparse_network(st_file):
    net = losscert.masked([[[1, 0], [0, 1], [1, 0]], [[1, 1, 1]]], "relu", biases=True)
    point = from_safetensors(st_file, net, ["0", ("2.weight", None)])
    assert point["x1 -> h1_1"] == sympy.Rational(1, 2) and point["b:h1_1"] == sympy.Rational(1, 10)
    assert point["h1_3 -> y1"] == 3 and point["x2 -> h1_2"] == sympy.Rational(-5, 4)


def test_safetensors_mismatches(st_file):
    dense = losscert.dense([2, 3, 1], "relu")
    with pytest.raises(InteropError, match=r"tensor '0.bias'\[0\] = 1/10, but node 'h1_1' has no bias"):
        from_safetensors(st_file, dense, ["0", "2"])
    assert from_safetensors(st_file, dense, [("0.weight", None), "2"])["x2 -> h1_1"] == 0
    sparse = losscert.masked([[[1, 0], [0, 1], [0, 0]], [[1, 1, 1]]])
    with pytest.raises(InteropError):
        from_safetensors(st_file, sparse, [("0.weight", None), "2"])
    small = losscert.dense([2, 2, 1])
    with pytest.raises(InteropError, match=r"tensor '0.weight' has shape \[3, 2\], but layer 1 .* \[2, 2\]"):
        from_safetensors(st_file, small, [("0.weight", None), "2"])
    with pytest.raises(InteropError, match="no tensor '1.weight'"):
        from_safetensors(st_file, dense, ["1", "2"])
    with pytest.raises(InteropError, match="2 layer"):
        from_safetensors(st_file, dense, ["0"])
    import networkx as nx
    g = nx.DiGraph()
    g.add_edge("x1", "h", tie="t")
    g.add_edge("x2", "h", tie="t")
    g.add_edge("h", "y1", fixed=2)
    tied = losscert.Network(g, ["x1", "x2"], ["y1"])
    from safetensors.numpy import save_file
    save_file({"a": np.array([[1, 1]], np.float32), "b": np.array([[2]], np.float32),
               "c": np.array([[1, 3]], np.float32), "d": np.array([[3]], np.float32)}, str(st_file.parent / "t.safetensors"))
    assert from_safetensors(st_file.parent / "t.safetensors", tied, [("a", None), ("b", None)]) == {"t": 1}
    with pytest.raises(InteropError, match="tied parameter 't' is already 1"):
        from_safetensors(st_file.parent / "t.safetensors", tied, [("c", None), ("b", None)])
    with pytest.raises(InteropError, match="fixed at 2"):
        from_safetensors(st_file.parent / "t.safetensors", tied, [("a", None), ("d", None)])


def test_safetensors_hostile(tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes((10 ** 12).to_bytes(8, "little") + b"{}")
    with pytest.raises(InteropError) as e:
        from_safetensors(junk, losscert.dense([1, 1]), ["0"])
    assert one_line(e).startswith(f"{junk}: not a safetensors file")
    huge = tmp_path / "huge.safetensors"
    with open(huge, "wb") as fh:
        fh.truncate(losscert.interop.MAX_FILE_BYTES + 1)
    with pytest.raises(InteropError, match="bytes .limit"):
        from_safetensors(huge, losscert.dense([1, 1]), ["0"])


def test_layers_of_refuses_unlayered_networks():
    import networkx as nx
    g = nx.DiGraph([("x1", "h"), ("h", "y1"), ("x1", "y1")])
    with pytest.raises(InteropError, match="not layered at node 'y1'"):
        layers_of(losscert.Network(g, ["x1"], ["y1"]))
    assert layers_of(losscert.dense([2, 10, 1]))[1][-2:] == ["h1_9", "h1_10"]          # natural order


# -- torch modules ----------------------------------------------------------------------------------

class _Tensor:
    def __init__(self, a):
        self.a = np.asarray(a, np.float32)

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


def _fake(kind, **attrs):
    cls = type(kind, (), {"__module__": "torch.nn.modules.fake"})
    obj = cls()
    obj.__dict__.update(attrs)
    return obj


class _Sequential:
    __module__ = "torch.nn.modules.container"

    def __init__(self, *mods):
        self.mods = mods

    def named_children(self):
        return [(str(i), m) for i, m in enumerate(self.mods)]


_Sequential.__name__ = "Sequential"


def test_from_torch_reads_a_sequential_without_importing_torch():
    """A test double with torch's names and tensor methods: what from_torch reads needs no torch."""
    pruned = _fake("Linear", weight_orig=_Tensor([[0.5, 3], [0.25, -1]]), weight_mask=_Tensor([[1, 0], [1, 1]]),
                   weight=_Tensor([[9, 9], [9, 9]]), bias=_Tensor([0.1, 0]))
    seq = _Sequential(pruned, _fake("LeakyReLU", negative_slope=0.01), _fake("Dropout"),
                      _fake("Linear", weight=_Tensor([[1, -2]]), bias=None))
    net, point = from_torch(seq)
    assert point == {"x1 -> h1_1": sympy.Rational(1, 2), "x1 -> h1_2": sympy.Rational(1, 4), "x2 -> h1_2": -1,
                     "h1_1 -> y1": 1, "h1_2 -> y1": -2, "b:h1_1": sympy.Rational(1, 10), "b:h1_2": 0}
    assert net.activation("h1_1").spec == "leaky_relu(1/100)"
    with pytest.raises(InteropError, match=r"module '1' \(Conv1d\): unsupported module"):
        from_torch(_Sequential(pruned, _fake("Conv1d")))
    with pytest.raises(InteropError, match="Softplus with beta != 1"):
        from_torch(_Sequential(pruned, _fake("Softplus", beta=2)))
    with pytest.raises(InteropError, match="expected a torch.nn.Sequential"):
        from_torch(pruned)


def test_no_optional_package_is_imported_by_losscert():
    code = ("import sys, losscert, losscert.interop, losscert.claims, losscert.prove; "
            "print(sorted(m for m in ('torch', 'onnx', 'safetensors') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_missing_extras_are_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(InteropError, match=r"from_onnx needs the onnx package: pip install 'losscert\[onnx\]'"):
        from_onnx("model.onnx")
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(InteropError, match="to_torch needs the torch package"):
        losscert.to_torch(losscert.dense([1, 1]), [1])


class TestWithTorch:
    """Real torch (not in any extra: its wheel brings gigabytes); skipped where it is not installed."""

    @pytest.fixture(autouse=True)
    def _torch(self):
        self.torch = pytest.importorskip("torch")

    def pruned_model(self):
        torch = self.torch
        from torch.nn.utils import prune
        torch.manual_seed(1)
        m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ELU(0.5), torch.nn.Linear(4, 2), torch.nn.Sigmoid(),
                                torch.nn.Linear(2, 1))
        prune.random_unstructured(m[0], "weight", amount=0.5)
        return m

    def test_from_torch_matches_torch_and_onnx(self, tmp_path):
        torch = self.torch
        m = self.pruned_model()
        net, point = from_torch(m)
        assert sum(1 for u, v in net.edges if u.startswith("x")) == 6
        x = torch.randn(7, 3)
        with torch.no_grad():
            y = m(x).double().numpy()
        X, Y = x.double().numpy().T, y.T + 0.5
        close(losscert_loss(net, point, X, Y), 0.125 * 7)
        m.eval()
        try:
            torch.onnx.export(m, (x,), str(tmp_path / "m.onnx"), input_names=["x"], output_names=["y"])
        except Exception as exc:  # noqa: BLE001 - the exporter's own optional dependencies
            pytest.skip(f"torch.onnx.export: {exc}")
        assert from_onnx(tmp_path / "m.onnx")[1] == point

    def test_to_torch_round_trip(self):
        torch = self.torch
        m = self.pruned_model()
        net, point = from_torch(m)
        back = losscert.to_torch(net, point)
        x = torch.randn(5, 3, dtype=torch.float64)
        with torch.no_grad():
            close(float(back(x).sum()), float(m.double()(x).sum()))
        assert float((back[0].weight_mask == 0).sum()) == 6          # the sparsity is kept as a prune mask
        net2, point2 = from_torch(back)
        assert point2 == point and net2.parameters == net.parameters

    def test_to_torch_refuses_what_linear_cannot_hold(self):
        import networkx as nx
        g = nx.DiGraph()
        g.add_edge("x1", "h", fixed=2)
        g.add_edge("h", "y1")
        with pytest.raises(InteropError, match="fixed at 2"):
            losscert.to_torch(losscert.Network(g, ["x1"], ["y1"]), [1])


def test_safetensors_with_declared_layers(st_file):
    net = losscert.masked([[[1, 0], [0, 1], [1, 0]], [[1, 1, 1]]], "relu", biases=True)
    grid = layers_of(net)
    swapped = [grid[0], [grid[1][1], grid[1][0], grid[1][2]], grid[2]]      # rows of 0.weight in another order
    with pytest.raises(InteropError, match=r"tensor '0.weight'\[0, 0\] = 1/2, but the network has no edge 'x1 -> h1_2'"):
        from_safetensors(st_file, net, ["0", ("2.weight", None)], layers=swapped)
