"""Names of parameters: identifiers and LaTeX for their SymPy symbols.

>>> identifier("x1 -> h1"), latex_name("x1 -> h1"), identifier("b:h1")
('w_x1_h1', 'w_{x_{1} h_{1}}', 'b_h1')
"""
from __future__ import annotations

import re

import sympy


class ParameterSymbol(sympy.Symbol):
    """A parameter's SymPy symbol: an identifier ``name``, the parameter's
    own name ``param`` (``"x1 -> h1"``, as in points and claim files) and a
    LaTeX name used by ``sympy.latex``."""

    def __new__(cls, name: str, param: str, latex: str):
        obj = sympy.Symbol.__xnew__(cls, name)
        obj.param, obj.latex_name = param, latex
        return obj

    def __getnewargs_ex__(self):
        return (self.name, self.param, self.latex_name), {}

    def _hashable_content(self):
        return super()._hashable_content() + (self.param,)

    def _latex(self, printer) -> str:
        return self.latex_name


_NODE = re.compile(r"([A-Za-z]+)(\d+(?:_\d+)*)")


def identifier(param: str) -> str:
    """A Python identifier for a parameter name: ``"x1 -> h1"`` -> ``w_x1_h1``,
    ``"b:h1"`` -> ``b_h1``, a tie key unchanged when it is an identifier."""
    if "->" in param:
        u, v = (s.strip() for s in param.split("->", 1))
        text = f"w_{u}_{v}"
    elif param.startswith("b:"):
        text = f"b_{param[2:]}"
    else:
        text = param
    text = re.sub(r"\W", "_", text)
    return text if text.isidentifier() else f"p_{text}"


def _latex_node(name: str) -> str:
    m = _NODE.fullmatch(name)
    if m:
        return f"{m[1]}_{{{m[2].replace('_', ',')}}}"
    return r"\mathrm{" + re.sub(r"([_#$%&{}])", r"\\\1", name) + "}"


def latex_name(param: str) -> str:
    """LaTeX for a parameter name: ``"x1 -> h1"`` -> ``w_{x_{1} h_{1}}``,
    ``"b:h1"`` -> ``b_{h_{1}}``, a tie key ``k1_2`` -> ``k_{1,2}``."""
    if "->" in param:
        u, v = (s.strip() for s in param.split("->", 1))
        return f"w_{{{_latex_node(u)} {_latex_node(v)}}}"
    if param.startswith("b:"):
        return f"b_{{{_latex_node(param[2:])}}}"
    return _latex_node(param)


def did_you_mean(word, options) -> str:
    """A hint for a misspelt key: ``" (did you mean 'x'?)"``, or ``""`` when nothing is close.

    >>> did_you_mean("edgse", ["inputs", "edges", "outputs"]), did_you_mean("zzz", ["edges"])
    (" (did you mean 'edges'?)", '')
    """
    import difflib
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
