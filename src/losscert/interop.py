"""Models from PyTorch: ONNX graphs, safetensors weights and live ``torch`` modules.

PyTorch's own wheel is gigabytes, so losscert reads what PyTorch writes in
light interchange formats (the optional extras ``onnx`` and ``safetensors``)
and a live module only where the user has torch. None of onnx, safetensors
or torch is imported until one of these functions is called.

- :func:`from_onnx` reads a graph of fully connected layers (``Gemm``, or
  ``MatMul`` + ``Add``) and activations (``Relu``, ``LeakyRelu``, ``Tanh``,
  ``Sigmoid``, ``Elu``, ``Softplus``, ``Identity``/``Dropout``) as written by
  ``torch.onnx.export``, and returns ``(network, point)``;
- :func:`from_safetensors` reads weights saved by
  ``safetensors.torch.save_file`` onto a network the user declares;
- :func:`from_torch` reads an ``nn.Sequential`` of ``Linear`` layers and
  activations (with ``torch.nn.utils.prune`` masks); :func:`to_torch` builds
  one from a network and a point.

**Floats become exact numbers by their shortest decimal text in their own
precision** (``floats="shortest"``, the default): a float32 weight is the
shortest decimal that reads back as the same float32 (``0.1`` in float32 is
1/10, not 13421773/134217728), as everywhere else in losscert (claim files,
numpy data). The float is only an approximation of the weight training aimed
at; any number rounding to it is as faithful, the shortest is what the user
would write, gives short exact arithmetic, and reads back to the very same
float, so a weight exported again is unchanged. ``floats="binary"`` takes
the float's exact binary value instead (``Fraction(float(x))``).

Layers are named as :func:`losscert.network.masked` names them: inputs
``x1..``, hidden layer l nodes ``h{l}_{i}``, outputs ``y1..``; each node
carries its place in the model as the node attribute ``layer = (l, i)``.
**Zero weights** (a pruned model) become missing edges (``zeros="missing"``,
the default), edges with the fixed weight 0 (``zeros="fixed"``: the same
function, the graph keeps the dense structure) or free parameters at 0
(``zeros="free"``: the dense network). An input (output) that pruning
leaves on no edge keeps one fixed zero edge, so X (Y) keeps its rows; a
hidden node left on no edge is dropped, one left without outgoing edges is
kept with its incoming parameters (on which the loss does not depend:
:func:`losscert.effective` removes such nodes). A biased layer gives every node of
it a trainable bias, zero or not. An activation after the last layer, or
two activations in a row, is read with fixed weight-1 edges into a new
layer (losscert's outputs are linear).

>>> import onnx, numpy as np
>>> from onnx import helper, numpy_helper
>>> W = numpy_helper.from_array(np.array([[0.5, 0.0], [0.25, -1.0]], np.float32), "W")
>>> graph = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["z"]),
...                            helper.make_node("Relu", ["z"], ["y"])], "g",
...                           [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 2])],
...                           [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 2])], [W])
>>> net, point = from_onnx(helper.make_model(graph))
>>> point
{'x1 -> h1_1': 1/2, 'x2 -> h1_1': 1/4, 'x2 -> h1_2': -1}
>>> net.fixed
{('h1_1', 'y1'): 1, ('h1_2', 'y2'): 1}
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import networkx as nx
import sympy

from .network import Network, NetworkError, bias_name, edge_name

__all__ = ["from_onnx", "from_safetensors", "from_torch", "to_torch", "exact_float", "InteropError"]

MAX_FILE_BYTES = 64 * 2 ** 20       # an ONNX or safetensors file is refused above this, before it is read
MAX_NODES = 10_000                  # ONNX nodes
MAX_ELEMENTS = 1_000_000            # entries of one tensor (the edge limit of a network)
ZEROS = ("missing", "fixed", "free")
FLOATS = ("shortest", "binary")


class InteropError(ValueError):
    """A model losscert cannot read: the message names the file, node or tensor."""


def _need(module: str, extra: str, what: str):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InteropError(f"{what} needs the {module.split('.')[0]} package: "
                           f"pip install {extra}") from None


# -- floats to exact numbers --------------------------------------------------------

def exact_float(x, floats: str = "shortest") -> sympy.Rational:
    """A numpy or Python float as an exact rational (see the module docstring).

    >>> import numpy as np
    >>> exact_float(np.float32(0.1)), exact_float(0.1), exact_float(np.float32(0.1), "binary")
    (1/10, 1/10, 13421773/134217728)
    """
    import numpy as np
    if floats not in FLOATS:
        raise InteropError(f"floats={floats!r}: expected one of {', '.join(FLOATS)}")
    if not np.isfinite(x):
        raise InteropError(f"{x} is not a finite number")
    if floats == "binary":
        q = Fraction(float(x))
    else:
        text = repr(x) if type(x) is float else str(x) if isinstance(x, np.floating) else repr(float(x))
        q = Fraction(Decimal(text))
    return sympy.Rational(q.numerator, q.denominator)


def _exact_array(arr, where: str, floats: str) -> list:
    """A 1-D or 2-D float (or integer) array as nested lists of exact rationals."""
    import numpy as np
    arr = np.asarray(arr)
    if arr.dtype.kind == "f":
        _finite(arr, where)
        if floats not in FLOATS:
            raise InteropError(f"floats={floats!r}: expected one of {', '.join(FLOATS)}")
        read = lambda v: exact_float(v, floats)             # noqa: E731
    elif arr.dtype.kind in "iub":
        read = lambda v: sympy.Integer(int(v))              # noqa: E731
    else:
        raise InteropError(f"{where}: {arr.dtype} entries are not real numbers")
    if arr.ndim == 1:
        return [read(v) for v in arr]
    return [[read(v) for v in row] for row in arr]


def _finite(arr, where: str) -> None:
    import numpy as np
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise InteropError(f"{where}: entry {list(index)} is {arr[index]}, not a finite number")


# -- a chain of layers, and the network it makes -------------------------------------

@dataclass
class Affine:
    """z = W a + b for the previous layer's values a (W: out x in, torch's layout)."""
    weight: list
    bias: list | None
    where: str


@dataclass
class Act:
    """An activation (a losscert spec string) applied entry-wise."""
    spec: str
    where: str


@dataclass
class _Layer:
    width: int
    affine: Affine | None = None        # None: weight-1 edges from the previous layer (an activation layer)
    spec: str | None = None             # None: no activation yet (linear if more follows)
    names: list = field(default_factory=list)


def _layers(steps, n_inputs: int) -> list[_Layer]:
    """The layers of a chain of steps; the last one is the (linear) output layer."""
    layers = [_Layer(n_inputs, spec="input")]
    for st in steps:
        last = layers[-1]
        if isinstance(st, Affine):
            cols = {len(r) for r in st.weight}
            if cols != {last.width}:
                raise InteropError(f"{st.where}: the weight has {sorted(cols)[0] if cols else 0} columns, but "
                                   f"the previous layer has {last.width} values")
            if last.spec is None:
                last.spec = "linear"
            layers.append(_Layer(len(st.weight), st))
        elif last.spec is None:
            last.spec = st.spec
        else:
            layers.append(_Layer(last.width, None, st.spec))
    if len(layers) == 1:
        raise InteropError("the model computes nothing from its input (no fully connected layer)")
    if layers[-1].spec not in (None, "linear"):
        layers.append(_Layer(layers[-1].width))
    layers[-1].spec = None
    return layers


def build(steps, n_inputs: int, zeros: str = "missing") -> tuple[Network, dict]:
    """``(network, point)`` for a chain of :class:`Affine` and :class:`Act`
    steps on ``n_inputs`` inputs (the common back end of the readers).

    >>> net, point = build([Affine([[2, 0]], [1], "layer 1"), Act("tanh", "act")], 2)
    >>> point, net.activation("h1_1").spec
    ({'x1 -> h1_1': 2, 'b:h1_1': 1}, 'tanh')
    """
    if zeros not in ZEROS:
        raise InteropError(f"zeros={zeros!r}: expected one of {', '.join(ZEROS)}")
    layers = _layers(steps, n_inputs)
    last = len(layers) - 1
    for l, layer in enumerate(layers):
        prefix = "x" if l == 0 else "y" if l == last else f"h{l}_"
        layer.names = [f"{prefix}{i + 1}" for i in range(layer.width)]
    g = nx.DiGraph()
    values: dict = {}
    for l, layer in enumerate(layers):
        for i, n in enumerate(layer.names):
            g.add_node(n, layer=(l, i), **({"activation": layer.spec} if 0 < l < last else {}))
    for l in range(1, len(layers)):
        _connect(g, layers[l - 1], layers[l], zeros, values)
    _keep_rows(g, layers)
    g.remove_nodes_from([n for n in list(g.nodes) if g.degree(n) == 0])
    net = Network(g, layers[0].names, layers[-1].names)
    return net, {p: values[p] for p in net.parameters}


def _connect(g, prev: _Layer, layer: _Layer, zeros: str, values: dict) -> None:
    if layer.affine is None:
        for u, v in zip(prev.names, layer.names):
            g.add_edge(u, v, fixed=1, order=g.number_of_edges())
        return
    for i, v in enumerate(layer.names):
        for j, u in enumerate(prev.names):
            w = sympy.Rational(layer.affine.weight[i][j])
            if w == 0 and zeros == "missing":
                continue
            if w == 0 and zeros == "fixed":
                g.add_edge(u, v, fixed=0, order=g.number_of_edges())
                continue
            g.add_edge(u, v, order=g.number_of_edges())
            values[edge_name(u, v)] = w
        if layer.affine.bias is not None:
            g.nodes[v]["bias"] = True
            values[bias_name(v)] = sympy.Rational(layer.affine.bias[i])


def _keep_rows(g, layers) -> None:
    """An input (output) on no edge gets a fixed zero edge to (from) the
    first node of the next (previous) layer that is on an edge."""
    for end, near, outgoing in ((layers[0], layers[1], True), (layers[-1], layers[-2], False)):
        for n in end.names:
            if g.degree(n):
                continue
            other = next((m for m in near.names if g.degree(m)), None)
            if other is None:
                raise InteropError("every weight next to the " + ("inputs" if outgoing else "outputs") + " is zero")
            u, v = (n, other) if outgoing else (other, n)
            g.add_edge(u, v, fixed=0, order=g.number_of_edges())


def _check_data(net: Network, X, Y) -> None:
    """X has one row per input, Y one per output (a hint to transpose sample-major data)."""
    import numpy as np
    for what, data, nodes in (("X", X, net.inputs), ("Y", Y, net.outputs)):
        if data is None:
            continue
        shape = np.shape(data)
        if len(shape) != 2 or shape[0] != len(nodes):
            role = "input" if what == "X" else "output"
            hint = f"; pass {what}.T for one row per sample" if len(shape) == 2 and shape[1] == len(nodes) else ""
            raise InteropError(f"{what} has shape {shape}: losscert reads one row per {role} "
                               f"({len(nodes)} {role}s) and one column per sample{hint}")
    if X is not None and Y is not None and np.shape(X)[1] != np.shape(Y)[1]:
        raise InteropError(f"X has {np.shape(X)[1]} samples (columns) but Y has {np.shape(Y)[1]}")


# -- ONNX ----------------------------------------------------------------------------

_ACTIVATIONS = {"Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softplus": "softplus"}
_PASS = {"Identity", "Dropout"}


def from_onnx(model, X=None, Y=None, *, zeros: str = "missing", floats: str = "shortest") -> tuple[Network, dict]:
    """``(network, point)`` from an ONNX model (a path, bytes or a loaded
    ``onnx.ModelProto``); see the module docstring for what is read and how.
    ``X`` and ``Y`` (optional) are checked against the model's input and
    output sizes (one row per input or output, one column per sample)."""
    onnx = _need("onnx", "'losscert[onnx]'", "from_onnx")
    proto = _load_onnx(onnx, model)
    steps, n_inputs = _OnnxChain(onnx, proto.graph, floats).walk()
    try:
        net, point = build(steps, n_inputs, zeros)
    except NetworkError as exc:
        raise InteropError(f"the model does not make a network: {exc}") from None
    _check_data(net, X, Y)
    return net, point


def _check_size(path, what: str) -> None:
    """A one-line InteropError when ``path`` cannot be read or is over MAX_FILE_BYTES (before reading it)."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise InteropError(f"{path}: cannot read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise InteropError(f"{path}: {size} bytes (limit {MAX_FILE_BYTES} bytes for {what})")


def _load_onnx(onnx, model):
    if isinstance(model, (str, os.PathLike)):
        _check_size(model, "a model file")
        with open(model, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        where = str(model)
    elif isinstance(model, (bytes, bytearray)):
        data, where = bytes(model), "the model bytes"
    elif isinstance(model, onnx.ModelProto):
        data, where = None, "the model"
        if model.ByteSize() > MAX_FILE_BYTES:
            raise InteropError(f"the model is {model.ByteSize()} bytes (limit {MAX_FILE_BYTES} bytes)")
        proto = model
    else:
        raise InteropError(f"from_onnx: expected a path, bytes or an onnx.ModelProto, got {type(model).__name__}")
    if data is not None:
        if len(data) > MAX_FILE_BYTES:
            raise InteropError(f"{where}: more than {MAX_FILE_BYTES} bytes (limit for a model file)")
        try:
            proto = onnx.load_model_from_string(data)
        except Exception as exc:  # noqa: BLE001 - protobuf's errors have many types; one line names the file
            raise InteropError(f"{where}: not an ONNX model ({type(exc).__name__})") from None
    if not proto.HasField("graph") or not proto.graph.node:
        raise InteropError(f"{where}: not an ONNX model with a graph")
    if len(proto.graph.node) > MAX_NODES:
        raise InteropError(f"{where}: {len(proto.graph.node)} nodes (limit {MAX_NODES})")
    return proto


class _OnnxChain:
    """Walks an ONNX graph that is one chain from its input to its output."""

    def __init__(self, onnx, graph, floats: str):
        self.onnx, self.graph, self.floats = onnx, graph, floats
        self.const = {t.name: t for t in graph.initializer}     # raw tensors, read when used
        self.arrays: dict = {}
        data = [i.name for i in graph.input if i.name not in self.const]
        if len(data) != 1:
            raise InteropError(f"the graph has {len(data)} data inputs ({', '.join(data) or 'none'}); one is read")
        self.current, self.layout = data[0], "rows"     # rows: one sample per row (as torch exports)
        self.width = _input_width(graph.input, data[0])
        self.steps: list = []
        self.pending: Affine | None = None                  # the last Affine while an Add may still follow
        uses: dict = {}
        for node in graph.node:
            for name in node.input:
                uses[name] = uses.get(name, 0) + 1
        self.uses = uses

    # -- tensors --
    def array(self, name: str, where: str):
        if name in self.arrays:
            return self.arrays[name]
        t = self.const.get(name)
        if t is None:
            raise InteropError(f"{where}: {name!r} is neither the previous layer's output nor a constant "
                               "(branches and skip connections are not supported)")
        self.arrays[name] = arr = self._tensor(t, f"{where}: tensor {name!r}")
        return arr

    def _tensor(self, t, where: str):
        from onnx import numpy_helper
        count = 1
        for d in t.dims:
            count *= d
        if count > MAX_ELEMENTS:
            raise InteropError(f"{where}: {count} entries (limit {MAX_ELEMENTS})")
        if t.data_location == self.onnx.TensorProto.EXTERNAL:
            raise InteropError(f"{where}: its data is in an external file, which is not read")
        if t.data_type not in (self.onnx.TensorProto.FLOAT, self.onnx.TensorProto.DOUBLE, self.onnx.TensorProto.FLOAT16,
                               self.onnx.TensorProto.INT64, self.onnx.TensorProto.INT32):
            raise InteropError(f"{where}: data type {self.onnx.TensorProto.DataType.Name(t.data_type)} "
                               "(float16, float32, float64 or integers expected)")
        try:
            arr = numpy_helper.to_array(t)
        except Exception as exc:  # noqa: BLE001 - a corrupt tensor: one line naming it
            raise InteropError(f"{where}: unreadable ({type(exc).__name__}: {exc})") from None
        _exact_array(arr.reshape(-1)[:0], where, self.floats)     # the dtype, before any entry is read
        _finite(arr, where)
        return arr

    # -- the walk --
    def walk(self) -> tuple[list, int]:
        for index, node in enumerate(self.graph.node):
            where = f"node {node.name or index!r} ({node.op_type})"
            if node.domain not in ("", "ai.onnx"):
                raise InteropError(f"{where}: operator domain {node.domain!r} is not supported")
            if self.current not in node.input:
                self._constant(node, where)
                continue
            if self.uses.get(self.current, 0) > 1:
                raise InteropError(f"{where}: {self.current!r} is used by several nodes (branches and skip "
                                   "connections are not supported)")
            self._step(node, where)
            if len(node.output) < 1:
                raise InteropError(f"{where}: no output")
            self.current = node.output[0]
        outputs = [o.name for o in self.graph.output]
        if outputs != [self.current]:
            raise InteropError(f"the graph's outputs {outputs} are not the end of its chain ({self.current!r})")
        if self.width is None:
            first = next((s for s in self.steps if isinstance(s, Affine)), None)
            self.width = len(first.weight[0]) if first is not None and first.weight else 0
        return self.steps, self.width

    def _constant(self, node, where: str) -> None:
        """Constant, and Identity/Transpose/Mul of constants, are folded."""
        op = node.op_type
        if op == "Constant":
            attrs = {a.name: a for a in node.attribute}
            if "value" not in attrs:
                raise InteropError(f"{where}: only a tensor value is read")
            self.arrays[node.output[0]] = self._tensor(attrs["value"].t, where)
        elif op in ("Identity", "Transpose", "Mul"):
            args = [self.array(n, where) for n in node.input]
            if op == "Identity":
                self.arrays[node.output[0]] = args[0]
            elif op == "Transpose":
                perm = _attributes(self.onnx, node).get("perm")
                self.arrays[node.output[0]] = args[0].transpose(perm)
            else:
                self.arrays[node.output[0]] = args[0] * args[1]
        else:
            raise InteropError(f"{where}: unsupported operator on constants "
                               "(Constant, Identity, Transpose and Mul are read)")

    def _step(self, node, where: str) -> None:
        op = node.op_type
        attrs = _attributes(self.onnx, node)
        if op in ("Gemm", "MatMul"):
            self._affine(node, op, attrs, where)
        elif op == "Add":
            self._bias(node, where)
        elif op in _ACTIVATIONS or op in ("LeakyRelu", "Elu"):
            spec = _ACTIVATIONS.get(op)
            if op == "LeakyRelu":
                spec = f"leaky_relu({exact_float(_f32(attrs.get('alpha', 0.01)), self.floats)})"
            elif op == "Elu":
                a = exact_float(_f32(attrs.get("alpha", 1.0)), self.floats)
                spec = "elu" if a == 1 else f"elu({a})"
            self.pending = None
            self.steps.append(Act(spec, where))
        elif op in _PASS:
            if op == "Dropout" and len(node.input) > 2 and node.input[2]:
                raise InteropError(f"{where}: a training_mode input is not read (export in evaluation mode)")
        else:
            raise InteropError(f"{where}: unsupported operator (supported: Gemm, MatMul, Add, Relu, LeakyRelu, "
                               "Tanh, Sigmoid, Elu, Softplus, Identity, Dropout)")

    def _affine(self, node, op: str, attrs: dict, where: str) -> None:
        import numpy as np
        ins = list(node.input)
        if op == "Gemm" and len(ins) not in (2, 3) or op == "MatMul" and len(ins) != 2:
            raise InteropError(f"{where}: {len(ins)} inputs")
        data_first = ins[0] == self.current
        if ins[:2].count(self.current) != 1:
            raise InteropError(f"{where}: the layer's input must be one of its first two arguments, once")
        other = self.array(ins[1] if data_first else ins[0], where)
        if other.ndim != 2:
            raise InteropError(f"{where}: the weight has shape {list(other.shape)}; a matrix is expected")
        t_data = bool(attrs.get("transA" if data_first else "transB", 0)) if op == "Gemm" else False
        t_weight = bool(attrs.get("transB" if data_first else "transA", 0)) if op == "Gemm" else False
        weight = other.T if t_weight else other
        # data_first: out = data' @ weight, so the torch-layout matrix is weight.T, and data' must hold
        # one sample per row; otherwise out = weight @ data' with one sample per column.
        layout = self.layout if not t_data else ("cols" if self.layout == "rows" else "rows")
        if layout != ("rows" if data_first else "cols"):
            raise InteropError(f"{where}: the layer multiplies across samples (transA/transB do not match the "
                               "data's layout)")
        W = weight.T if data_first else weight
        self.layout = "rows" if data_first else "cols"
        alpha = _attr_number(attrs, "alpha", self.floats)
        exact = [[alpha * w for w in row] for row in _exact_array(np.asarray(W), f"{where}: weight", self.floats)]
        self.pending = Affine(exact, None, where)
        self.steps.append(self.pending)
        if op == "Gemm" and len(ins) == 3 and ins[2]:
            self._add_bias(self.array(ins[2], where), _attr_number(attrs, "beta", self.floats), where)

    def _bias(self, node, where: str) -> None:
        if self.pending is None:
            raise InteropError(f"{where}: only the bias of a fully connected layer can be added "
                               "(an Add right after Gemm or MatMul)")
        ins = list(node.input)
        if len(ins) != 2 or ins.count(self.current) != 1:
            raise InteropError(f"{where}: adds two computed values (a skip connection is not supported)")
        self._add_bias(self.array(ins[1] if ins[0] == self.current else ins[0], where), sympy.Integer(1), where)

    def _add_bias(self, C, beta, where: str) -> None:
        m = len(self.pending.weight)
        shape = list(C.shape)
        size = 1
        for d in shape:
            size *= d
        sample_axis_ok = (len(shape) < 2 or (shape[0] == 1 if self.layout == "rows" else shape[1] == 1))
        if size not in (1, m) or len(shape) > 2 or not sample_axis_ok:
            raise InteropError(f"{where}: a bias of shape {shape} for a layer of {m} values (one per value, "
                               "the same for every sample, is read)")
        flat = _exact_array(C.reshape(-1), f"{where}: bias", self.floats)
        flat = flat * m if size == 1 else flat
        old = self.pending.bias or [sympy.Integer(0)] * m
        self.pending.bias = [o + beta * c for o, c in zip(old, flat)]


def _input_width(inputs, name):
    """The feature size of the graph input, when its last dimension is a number."""
    for i in inputs:
        if i.name == name:
            dims = i.type.tensor_type.shape.dim
            if dims and dims[-1].HasField("dim_value"):
                return int(dims[-1].dim_value)
    return None


def _attributes(onnx, node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _f32(x):
    """An ONNX float attribute (stored as float32) as a numpy float32."""
    import numpy as np
    return np.float32(x)


def _attr_number(attrs: dict, name: str, floats: str):
    return exact_float(_f32(attrs[name]), floats) if name in attrs else sympy.Integer(1)


# -- safetensors ---------------------------------------------------------------------

def from_safetensors(path, network: Network, tensors, *, floats: str = "shortest", layers=None) -> dict:
    """The point (parameter -> exact number) that the weights in a
    safetensors file give a declared layered network.

    ``tensors`` names one layer per entry, first layer first: a prefix
    ``"0"`` (tensors ``0.weight`` and ``0.bias`` if present, as in a torch
    ``state_dict``) or a pair ``(weight name, bias name or None)``. A weight
    has torch's layout (out x in); a pruned module's ``weight_orig`` times
    ``weight_mask`` is read when ``weight`` is absent. The network's layers
    are ``layers`` (lists of node names, inputs first) or, by default, its
    nodes by depth (the ``layer`` node attribute when every node has one),
    hidden nodes in natural order of their names. Every non-zero entry must
    be an edge (or bias) of the network, a fixed edge must hold its fixed
    value and tied edges equal values (one-line errors naming the tensor)."""
    safetensors = _need("safetensors", "'losscert[safetensors]'", "from_safetensors")
    _need("numpy", "'losscert[safetensors]'", "from_safetensors")
    where = str(path)
    _check_size(path, "a weights file")
    grid = layers_of(network) if layers is None else [list(x) for x in layers]
    if isinstance(tensors, (str, bytes)) or len(tensors) != len(grid) - 1:
        raise InteropError(f"tensors: {len(grid) - 1} layer(s) to fill, one entry each "
                           f"(got {1 if isinstance(tensors, (str, bytes)) else len(tensors)})")
    try:
        with safetensors.safe_open(str(path), framework="numpy") as fh:
            names = set(fh.keys())
            arrays = [_layer_tensors(fh, names, entry, where) for entry in tensors]
    except InteropError:
        raise
    except Exception as exc:  # noqa: BLE001 - the Rust reader's errors: one line naming the file
        raise InteropError(f"{where}: not a safetensors file ({type(exc).__name__}: {exc})") from None
    return _fill(network, grid, arrays, floats)


def _layer_tensors(fh, names: set, entry, where: str):
    if isinstance(entry, str):
        weight, bias = f"{entry}.weight", f"{entry}.bias" if f"{entry}.bias" in names else None
    else:
        weight, bias = entry
    return (weight, _read_tensor(fh, names, weight, where, 2)), \
        (bias, None if bias is None else _read_tensor(fh, names, bias, where, 1))


def _read_tensor(fh, names: set, name: str, where: str, ndim: int):
    if name not in names:
        if name.endswith(".weight") and {name + "_orig", name + "_mask"} <= names:
            orig = _read_tensor(fh, names, name + "_orig", where, ndim)
            return orig * (_read_tensor(fh, names, name + "_mask", where, ndim) != 0)
        close = sorted(names)[:8]
        raise InteropError(f"{where}: no tensor {name!r} (tensors: {', '.join(close)}"
                           f"{', ...' if len(names) > 8 else ''})")
    shape = fh.get_slice(name).get_shape()
    count = 1
    for d in shape:
        count *= d
    if len(shape) != ndim or count > MAX_ELEMENTS:
        raise InteropError(f"{where}: tensor {name!r} has shape {list(shape)}; "
                           f"{'a matrix (out x in)' if ndim == 2 else 'a vector'} of at most {MAX_ELEMENTS} "
                           "entries is expected")
    return fh.get_tensor(name)


def _fill(network: Network, grid: list, arrays, floats: str) -> dict:
    values: dict = {}
    for l, ((wname, W), (bname, b)) in enumerate(arrays, 1):
        prev, nodes = grid[l - 1], grid[l]
        if tuple(W.shape) != (len(nodes), len(prev)):
            raise InteropError(f"tensor {wname!r} has shape {list(W.shape)}, but layer {l} of the network maps "
                               f"{len(prev)} nodes to {len(nodes)} (expected [{len(nodes)}, {len(prev)}])")
        if b is not None and tuple(b.shape) != (len(nodes),):
            raise InteropError(f"tensor {bname!r} has shape {list(b.shape)}; expected [{len(nodes)}]")
        Wq = _exact_array(W, f"tensor {wname!r}", floats)
        bq = None if b is None else _exact_array(b, f"tensor {bname!r}", floats)
        for i, v in enumerate(nodes):
            for j, u in enumerate(prev):
                _put(network, values, (u, v), Wq[i][j], f"tensor {wname!r}[{i}, {j}]")
            if network.has_bias(v) and bq is None:
                raise InteropError(f"node {v!r} has a bias but layer {l} has no bias tensor")
            if bq is not None:
                _put(network, values, v, bq[i], f"tensor {bname!r}[{i}]")
    missing = [p for p in network.parameters if p not in values]
    if missing:
        raise InteropError(f"parameter {missing[0]!r} is in no layer of the tensors")
    return {p: values[p] for p in network.parameters}


def _put(network: Network, values: dict, slot, q, where: str) -> None:
    """Record the value of an edge ((u, v)) or a bias (node) read at ``where``."""
    if isinstance(slot, tuple):
        u, v = slot
        if not network.graph.has_edge(u, v):
            if q != 0:
                raise InteropError(f"{where} = {q}, but the network has no edge {edge_name(u, v)!r}")
            return
        slot_ = network.edge_slot(u, v)
        name = edge_name(u, v)
    else:
        if not network.has_bias(slot):
            if q != 0:
                raise InteropError(f"{where} = {q}, but node {slot!r} has no bias")
            return
        slot_, name = network.bias_slot(slot), bias_name(slot)
    if slot_.param is None:
        if q != slot_.const:
            raise InteropError(f"{where} = {q}, but edge {name!r} is fixed at {slot_.const}")
        return
    param = network.parameters[slot_.param]
    if param in values and values[param] != q:
        raise InteropError(f"{where} = {q}, but the tied parameter {param!r} is already {values[param]}")
    values[param] = q


def layers_of(network: Network) -> list[list[str]]:
    """The network's layers (lists of node names, inputs first, outputs last):
    by the ``layer = (l, i)`` node attribute when every node has one, else by
    depth (longest path from an input), hidden nodes in natural name order.
    Every edge must join consecutive layers.

    >>> from losscert.network import masked
    >>> layers_of(masked([[[1, 0], [0, 1]], [[1, 1]]]))
    [['x1', 'x2'], ['h1_1', 'h1_2'], ['y1']]
    """
    g = network.graph
    marks = dict(g.nodes(data="layer"))
    if all(isinstance(m, tuple) for m in marks.values()):
        depth = {n: m[0] for n, m in marks.items()}
        key = lambda n: marks[n][1]                                     # noqa: E731
    else:
        depth = {}
        for n in network.topological_order:
            preds = list(g.predecessors(n))
            depth[n] = 1 + max(depth[u] for u in preds) if preds else 0
        key = _natural                                                  # noqa: E731
    top = max(depth[o] for o in network.outputs)
    bad = [n for n in network.inputs if depth[n] != 0] + [n for n in network.outputs if depth[n] != top] + \
        [n for n in network.hidden if not 0 < depth[n] < top]
    bad += [v for u, v in network.edges if depth[v] != depth[u] + 1]
    if bad:
        raise InteropError(f"the network is not layered at node {bad[0]!r} (every edge must join consecutive layers)")
    grid = [list(network.inputs)] + [sorted((n for n in network.hidden if depth[n] == l), key=key)
                                     for l in range(1, top)] + [list(network.outputs)]
    empty = [l for l, nodes in enumerate(grid) if not nodes]
    if empty:
        raise InteropError(f"the network is not layered: layer {empty[0]} has no node")
    return grid


def _natural(name: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


# -- torch -----------------------------------------------------------------------------

def _torch_kind(module) -> str | None:
    """The name of the torch.nn class a module is (or derives from)."""
    for cls in type(module).__mro__:
        if cls.__module__.startswith("torch.nn.modules."):
            return cls.__name__
    return None


def _numpy(tensor):
    return tensor.detach().cpu().numpy()


def from_torch(module, X=None, Y=None, *, zeros: str = "missing", floats: str = "shortest") -> tuple[Network, dict]:
    """``(network, point)`` from a ``torch.nn.Sequential`` of ``Linear``
    layers and activations (``ReLU``, ``LeakyReLU``, ``Tanh``, ``Sigmoid``,
    ``ELU``, ``Softplus`` with beta 1, ``SiLU``, ``Identity``, ``Dropout``),
    read as :func:`from_onnx` reads a graph. A pruned ``Linear``
    (``torch.nn.utils.prune``) is read as ``weight_orig * weight_mask``:
    its masked weights are zeros. Torch itself is not imported."""
    if _torch_kind(module) != "Sequential":
        raise InteropError(f"from_torch: expected a torch.nn.Sequential, got {type(module).__name__}")
    steps: list = []
    width = None
    for name, m in module.named_children():
        where = f"module {name!r} ({type(m).__name__})"
        kind = _torch_kind(m)
        if kind == "Linear":
            W, b = _linear_arrays(m)
            width = W.shape[1] if width is None else width
            steps.append(Affine(_exact_array(W, f"{where}: weight", floats),
                                None if b is None else _exact_array(b, f"{where}: bias", floats), where))
        elif kind in _TORCH_ACTIVATIONS:
            spec = _TORCH_ACTIVATIONS[kind](m, floats, where)
            if spec is not None:
                steps.append(Act(spec, where))
        else:
            raise InteropError(f"{where}: unsupported module (supported: Linear, "
                               f"{', '.join(sorted(_TORCH_ACTIVATIONS))})")
    if width is None:
        raise InteropError("from_torch: the Sequential has no Linear layer")
    net, point = build(steps, width, zeros)
    _check_data(net, X, Y)
    return net, point


def _linear_arrays(m):
    """(weight, bias or None) as numpy arrays; a pruned weight as orig * mask."""
    if hasattr(m, "weight_orig") and hasattr(m, "weight_mask"):
        W = _numpy(m.weight_orig) * (_numpy(m.weight_mask) != 0)
    else:
        W = _numpy(m.weight)
    b = getattr(m, "bias", None)
    if b is not None and hasattr(m, "bias_orig") and hasattr(m, "bias_mask"):
        b = _numpy(m.bias_orig) * (_numpy(m.bias_mask) != 0)
    elif b is not None:
        b = _numpy(b)
    return W, b


def _number_attr(m, attr: str, floats: str):
    import numpy as np
    return exact_float(np.float64(getattr(m, attr)), floats)


def _softplus(m, floats, where):
    if getattr(m, "beta", 1) != 1:
        raise InteropError(f"{where}: Softplus with beta != 1 is not supported")
    return "softplus"


def _elu(m, floats, where):
    a = _number_attr(m, "alpha", floats)
    return "elu" if a == 1 else f"elu({a})"


_TORCH_ACTIVATIONS = {
    "ReLU": lambda m, f, w: "relu",
    "LeakyReLU": lambda m, f, w: f"leaky_relu({_number_attr(m, 'negative_slope', f)})",
    "Tanh": lambda m, f, w: "tanh",
    "Sigmoid": lambda m, f, w: "sigmoid",
    "ELU": _elu,
    "Softplus": _softplus,
    "SiLU": lambda m, f, w: "swish",
    "Identity": lambda m, f, w: None,
    "Dropout": lambda m, f, w: None,
}


def to_torch(network: Network, point, dtype=None):
    """A ``torch.nn.Sequential`` computing the network at ``point`` (a
    mapping or a sequence in parameter order); weights are rounded to
    ``dtype`` (default ``torch.float64``). Missing edges, fixed zero edges and
    absent biases become ``torch.nn.utils.prune`` masks, so training keeps
    the sparsity. Needs torch, a layered network, one activation per hidden
    layer, and no tied or non-zero fixed weights."""
    torch = _need("torch", "torch", "to_torch")
    from torch.nn.utils import prune
    from .convert import in_order
    from .numbers import parse_number
    dtype = dtype or torch.float64
    values = dict(zip(network.parameters, (parse_number(v) if not isinstance(v, sympy.Basic) else v
                                           for v in in_order(point, network.parameters))))
    if network.tied:
        raise InteropError(f"to_torch: tied weights ({next(iter(network.tied))!r}) have no torch.nn.Linear form")
    grid = layers_of(network)
    modules: list = []
    for l in range(1, len(grid)):
        prev, nodes = grid[l - 1], grid[l]
        W = torch.zeros(len(nodes), len(prev), dtype=dtype)
        mask = torch.zeros(len(nodes), len(prev), dtype=dtype)
        biased = any(network.has_bias(v) for v in nodes)
        b = torch.zeros(len(nodes), dtype=dtype)
        bmask = torch.zeros(len(nodes), dtype=dtype)
        for i, v in enumerate(nodes):
            for j, u in enumerate(prev):
                if network.graph.has_edge(u, v):
                    s = network.edge_slot(u, v)
                    if s.param is None and s.const != 0:
                        raise InteropError(f"to_torch: edge {edge_name(u, v)!r} is fixed at {s.const}, "
                                           "which torch.nn.Linear cannot hold")
                    if s.param is not None:
                        W[i, j], mask[i, j] = float(values[network.parameters[s.param]]), 1
            if network.has_bias(v):
                b[i], bmask[i] = float(values[bias_name(v)]), 1
        lin = torch.nn.Linear(len(prev), len(nodes), bias=biased, dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(W)
            if biased:
                lin.bias.copy_(b)
        if not bool(mask.all()):
            prune.custom_from_mask(lin, "weight", mask)
        if biased and not bool(bmask.all()):
            prune.custom_from_mask(lin, "bias", bmask)
        modules.append(lin)
        if l < len(grid) - 1:
            act = _torch_activation(torch, network, nodes, l)
            if act is not None:
                modules.append(act)
    return torch.nn.Sequential(*modules)


def _torch_activation(torch, network: Network, nodes, l: int):
    specs = {network.activation(v) for v in nodes}
    if len(specs) != 1:
        raise InteropError(f"to_torch: layer {l} mixes activations ({', '.join(sorted(a.spec for a in specs))})")
    act = specs.pop()
    nn, p = torch.nn, act.params
    make = {"linear": lambda: None, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "softplus": nn.Softplus,
            "swish": nn.SiLU, "leaky_relu": lambda: nn.LeakyReLU(float(p[0])), "elu": lambda: nn.ELU(float(p[0]))}
    if act.kind not in make:
        raise InteropError(f"to_torch: activation {act.spec!r} (layer {l}) has no torch module")
    return make[act.kind]()
