"""Markdown reports of proof results, with matrices and polynomials in LaTeX.

Each statement is rendered from its record (what the kernel checked: the
network, data, point, matrix or expression as stated), with the script's
words as its caption.
"""
from __future__ import annotations

import json

import sympy

from .expressions import ExpressionError, parse_expression, parse_term
from .statements import describe

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


def _context_markdown(key: str, label: str) -> list[str]:
    network, data, scale = json.loads(key)
    lines = [f"**{label}** = {scale} * ||F(theta) - Y||^2 for the network with edges "
             f"{', '.join(network['edges'])} (activation {network.get('activation', 'linear')}"
             + (f", overrides {network['activations']}" if network.get("activations") else "") + ")", ""]
    lines += [f"- {m} = {_latex(data[m])}" for m in ("X", "Y")]
    return lines + [""]


def write_report(results, path) -> None:
    lines = ["# losscert proof report", ""]
    for r in results:
        lines += [f"## {r['name']}", "", f"Source: {r['source']}", "",
                  "| statement | verdict | expected |", "|---|---|---|"]
        lines += [f"| {s['statement']} | {s['verdict']} | {s['expect']} |" for s in r["statements"]]
        lines.append("")
        contexts: dict = {}
        details = []
        for i, s in enumerate(r["statements"], 1):
            ev = s["evidence"]
            details += [f"**{i}. {s['statement']}**", "", "Checked: " + statement_markdown(s.get("record", {}), contexts),
                        "", f"Verdict: **{s['verdict']}** ({s['reason']})", ""]
            details += [f"- {k.replace('_', ' ')}: {_latex(ev[k])}" for k in EVIDENCE if k in ev]
            if s["note"]:
                details.append(f"- note: {s['note']}")
            details.append("")
        for key, label in contexts.items():
            lines += _context_markdown(key, label)
        lines += details
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
