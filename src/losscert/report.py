"""Markdown reports of proof results, with matrices and polynomials in LaTeX."""
from __future__ import annotations

import sympy


def _latex(value) -> str:
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "$$" + sympy.latex(sympy.Matrix([[sympy.sympify(x) for x in r] for r in value])) + "$$"
    try:
        return "$" + sympy.latex(sympy.sympify(value)) + "$"
    except (sympy.SympifyError, TypeError, SyntaxError):
        return f"`{value}`"


def write_report(results, path) -> None:
    lines = ["# losscert proof report", ""]
    for r in results:
        lines += [f"## {r['name']}", "", f"Source: {r['source']}", "",
                  "| statement | verdict | expected |", "|---|---|---|"]
        lines += [f"| {s['statement']} | {s['verdict']} | {s['expect']} |" for s in r["statements"]]
        lines.append("")
        for s in r["statements"]:
            ev = s["evidence"]
            shown = {k: ev[k] for k in ("hessian", "quartic_form_on_kernel", "cubic_form_on_kernel", "loss",
                                        "box_radius", "krawczyk", "loss_enclosure_on_box", "precision_digits")
                     if k in ev}
            if shown or s["note"]:
                lines += [f"**{s['statement']}**: {s['reason']}", ""]
                lines += [f"- {k.replace('_', ' ')}: {_latex(v)}" for k, v in shown.items()]
                if s["note"]:
                    lines.append(f"- note: {s['note']}")
                lines.append("")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
