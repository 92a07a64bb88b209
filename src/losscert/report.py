"""Markdown reports of proof results, with matrices and polynomials in LaTeX.

A report is self-contained: the losscert version and the command that made
it; every loss's network (edges, activations, biases, ties) and data; each
statement rendered from its record (what the kernel checked: the network,
data, point, matrix or expression as stated) with the script's words as its
caption, its verdict, its Hessian with rows and columns labelled by
parameter, and its whole certificate; and, when the ``plot`` extra is
installed, an inline picture of the loss along the certificate's curve.
"""
from __future__ import annotations

import json
import platform

import sympy

from . import __version__
from .expressions import ExpressionError, parse_expression, parse_term
from .names import latex_name
from .statements import Context, StatementError, describe, network_of
from .text import evidence_text

EVIDENCE = ("hessian", "quartic_form_on_kernel", "cubic_form_on_kernel", "loss", "box_radius", "krawczyk",
            "loss_enclosure_on_box", "precision_digits", "rank", "determinant", "difference")


def _latex(value) -> str:
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "$$" + sympy.latex(sympy.Matrix([[sympy.sympify(x) for x in r] for r in value])) + "$$"
    try:
        return "$" + sympy.latex(sympy.sympify(value)) + "$"
    except (sympy.SympifyError, TypeError, SyntaxError, ValueError):
        return f"`{value}`"


def _tex(value, names=None) -> str:
    """LaTeX of a record's term (expression text, list or matrix rows), or the text itself."""
    try:
        term = parse_term(value, names or {})
    except (ExpressionError, TypeError, ValueError):
        return f"`{value}`"
    if isinstance(term, list):
        term = sympy.Matrix(term)
    return sympy.latex(term)


def _numbers(table: dict) -> str:
    parts = []
    for k, v in table.items():
        try:
            parts.append(f"{k} = {sympy.latex(parse_expression(v))}")
        except (ExpressionError, TypeError, ValueError):
            parts.append(f"{k} = {v}")
    return "$" + ", \\; ".join(p.replace("->", "\\to") for p in parts) + "$"


def statement_markdown(record: dict, contexts: dict) -> str:
    """What the record states, in Markdown with LaTeX."""
    k, names = record.get("kind"), record.get("symbols", {})
    if "unwritable" in record:
        return f"(not written as data: {record['unwritable']})"
    if k == "rank":
        return f"$$\\operatorname{{rank}} {_tex(record['matrix'], names)} = {record['claimed']}$$"
    if k == "determinant":
        return f"$$\\det {_tex(record['matrix'], names)} = {_tex(record['claimed'], names)}$$"
    if k == "identity":
        return f"$${_tex(record['lhs'], names)} \\equiv {_tex(record['rhs'], names)}$$"
    if k == "inequality":
        op = ">" if record.get("strict") else "\\ge"
        cert = " (sum-of-squares certificate given)" if record.get("certificate") else ""
        return f"$${_tex(record['lhs'], names)} {op} {_tex(record['rhs'], names)}$${cert}"
    if "data" in record:
        key = json.dumps([record.get(x) for x in ("network", "data", "scale")], sort_keys=True)
        label = contexts.setdefault(key, f"L{len(contexts) + 1}")
        parts = [f"`{k}` for the loss {label}"]
        if "point" in record:
            parts.append(f"at {_numbers(record['point'])}")
        for x in ("value", "radius"):
            if x in record:
                parts.append(f"with {x} {_latex(record[x])}")
        if "better" in record:
            parts.append(f"with the better point {_numbers(record['better'])}")
        return " ".join(parts)
    return f"`{describe(record)}`"


def _parameters(record) -> list[str] | None:
    """The parameters of the record's network, in the order of its points, gradients and Hessians."""
    try:
        return list(network_of(record).parameters)
    except (StatementError, KeyError, TypeError):
        return None


def _context_markdown(key: str, label: str) -> list[str]:
    """The loss ``label``: its scale, the whole network table (edges, activations,
    biases, ties, fixed weights, ...), the parameter order and the data."""
    network, data, scale = json.loads(key)
    lines = [f"**{label}** = {scale} * ||F(theta) - Y||_F^2 for the network", ""]
    lines += [f"- inputs: {', '.join(network.get('inputs', []))}; outputs: {', '.join(network.get('outputs', []))}",
              f"- edges ({len(network.get('edges', []))}): {', '.join(network.get('edges', []))}",
              f"- activation: {network.get('activation', 'linear')}"
              + (f"; per node: {_json(network['activations'])}" if network.get("activations") else ""),
              f"- biases: {', '.join(network['biases']) if network.get('biases') else '(none)'}"]
    known = {"inputs", "outputs", "edges", "activation", "activations", "biases"}
    lines += [f"- {k}: {_json(v)}" for k, v in network.items() if k not in known]
    names = _parameters({"network": network})
    if names:
        lines.append(f"- parameters ({len(names)}, the order of points and Hessians): {', '.join(names)}")
    lines += [f"- {m} = {_latex(data[m])}" for m in ("X", "Y") if m in data]
    return lines + [""]


def _json(value) -> str:
    return "`" + json.dumps(value) + "`"


def hessian_markdown(rows, names) -> str:
    """A Hessian in LaTeX with its rows and columns labelled by parameter (``names``
    in LaTeX, see :func:`losscert.names.latex_name`).

    >>> print(hessian_markdown([["2", "-1"], ["-1", "1/2"]], ["x1 -> h1", "h1 -> y1"]))
    $$\\begin{array}{r|rr} & w_{x_{1} h_{1}} & w_{h_{1} y_{1}} \\\\ \\hline w_{x_{1} h_{1}} & 2 & -1 \\\\ w_{h_{1} y_{1}} & -1 & \\frac{1}{2} \\end{array}$$
    """
    if not names or len(names) != len(rows) or any(len(r) != len(names) for r in rows):
        return _latex(rows)
    labels = [latex_name(n) for n in names]
    body = [" & ".join([labels[i]] + [_entry(x) for x in row]) for i, row in enumerate(rows)]
    return ("$$\\begin{array}{r|" + "r" * len(names) + "} & " + " & ".join(labels) + " \\\\ \\hline "
            + " \\\\ ".join(body) + " \\end{array}$$")


def _entry(x) -> str:
    try:
        return sympy.latex(sympy.sympify(x))
    except (sympy.SympifyError, TypeError, SyntaxError, ValueError):
        return f"\\text{{{x}}}"


# -- pictures (the plot extra) ------------------------------------------------------

def pictures_available() -> bool:
    """Whether the ``plot`` extra (matplotlib) is installed."""
    import importlib.util
    return importlib.util.find_spec("matplotlib") is not None


def picture_markdown(record: dict, evidence: dict, context) -> str:
    """An inline PNG (a Markdown image with a base64 ``data:`` address) of the loss along
    the certificate's own curve (:func:`losscert.plots.certificate_curve`: a descent curve,
    the segment to a better point, a path, a rescaling orbit, a family of critical points,
    else a line along a kernel or ascent direction); ``""`` when there is nothing to draw,
    a one-line "(no picture: ...)" when it cannot be drawn. Drawn in float64 by
    :mod:`losscert.plots`: an illustration, not part of the proof; it never stops a report."""
    import base64
    import io
    from . import plots
    if "data" not in record or "unwritable" in record or not ("point" in record or "path" in record):
        return ""
    if record.get("symbols"):
        return "(no picture: a loss with declared symbols has no single graph)"
    try:
        loss = context.loss(record)
        theta = context.point(record) if "point" in record else None
        drawn = plots.certificate_curve(loss, theta if theta is not None else loss.point(
            [0] * len(loss.params)), record, evidence)
        if drawn is None:
            return ""
        ax = plots.draw_certificate_curve(loss, drawn)
        illustration = "" if drawn.expect else " (an illustration: the certificate has no curve)"
        ax.set_title(f"the loss along {drawn.what}{illustration} (float64)", fontsize=9)
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=72, bbox_inches="tight")
    except Exception as exc:        # noqa: BLE001 - a picture illustrates; whatever fails, the report goes on
        return f"(no picture: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    return f"![the loss along {drawn.what}](data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()})"


# -- the report -------------------------------------------------------------------------

def report_markdown(results, command: str | None = None, pictures: bool | None = None,
                    title: str = "losscert proof report") -> str:
    """The Markdown report of ``losscert prove`` results: self-contained (losscert
    version, the command, every loss's network and data, each statement's point,
    verdict, labelled Hessian and certificate), with pictures when the ``plot``
    extra is installed (and ``pictures`` is not False)."""
    pictures = pictures_available() if pictures is None else pictures
    statements = [s for r in results for s in r["statements"]]
    bad = sum(s["verdict"] != s["expect"] for s in statements)
    lines = [f"# {title}", "",
             f"- losscert {__version__} (Python {platform.python_version()}, SymPy {sympy.__version__})",
             f"- command: `{command}`" if command else "- command: (not recorded)",
             f"- {len(results)} proofs, {len(statements)} statements, {len(statements) - bad} as expected, {bad} not",
             "- pictures: the loss along each certificate's curve, drawn in float64 (illustrations, not proofs)"
             if pictures else "- pictures: omitted (they need the `plot` extra: `pip install 'losscert[plot]'`)",
             ""]
    for r in results:
        lines += [f"## {r['name']}", "", f"Source: {r['source']}", ""]
        if "file" in r:
            lines += [f"Script: `{r['file']}` (checked in {r.get('seconds', 0)} s)", ""]
        lines += ["| statement | verdict | expected |", "|---|---|---|"]
        lines += [f"| {s['statement']} | {s['verdict']} | {s['expect']} |" for s in r["statements"]]
        lines.append("")
        contexts: dict = {}
        context = Context([s.get("record", {}) for s in r["statements"]]) if pictures else None
        details = []
        for i, s in enumerate(r["statements"], 1):
            ev, record = s["evidence"], s.get("record", {})
            details += [f"**{i}. {s['statement']}**", "", "Checked: " + statement_markdown(record, contexts), "",
                        f"Verdict: **{s['verdict']}** (expected {s['expect']}): {s['reason']}"]
            if "hessian" in ev:
                details += ["", "Hessian (rows and columns labelled by parameter):", "",
                            hessian_markdown(ev["hessian"], _parameters(record))]
            listed = [f"- {k.replace('_', ' ')}: {_latex(ev[k])}" for k in EVIDENCE if k in ev and k != "hessian"]
            listed += [f"- note: {s['note']}"] if s["note"] else []
            details += ["", *listed, ""] if listed else [""]
            if context is not None:
                picture = picture_markdown(record, ev, context)
                details += [picture, ""] if picture else []
            details += ["<details><summary>certificate</summary>", "", "```text",
                        evidence_text(ev, ""), "```", "", "</details>", ""]
        for key, label in contexts.items():
            lines += _context_markdown(key, label)
        lines += details
    return "\n".join(lines)


def write_report(results, path, command: str | None = None, title: str = "losscert proof report") -> None:
    """Write :func:`report_markdown` to ``path``: to a temporary file beside it, then
    renamed, so that ``path`` is never half-written (an old report stays until the new one is whole)."""
    write_whole(path, report_markdown(results, command, title=title))


def write_whole(path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename."""
    import os
    import tempfile
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".losscert-", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)                # mkstemp's 0600 would hide the report from others
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
