"""Plain-text rendering of a verdict's evidence, for ``losscert check -v`` and ``prove -v``."""
from __future__ import annotations

import json


def evidence_text(evidence, indent: str = "    ", width: int = 160) -> str:
    """A verdict's evidence (the certificate: directions, Taylor coefficients,
    kernel bases, orbit tangents, intervals) as indented lines, for ``-v``.

    >>> print(evidence_text({"direction": {"x -> h": "1"}, "taylor_coefficients_of_L": ["0", "0", "-1"]}, ""))
    direction: {"x -> h": "1"}
    taylor_coefficients_of_L: ["0", "0", "-1"]
    """
    lines = []

    def walk(value, key, depth):
        pad = indent + "  " * depth
        long = len(json.dumps(value)) > width
        if isinstance(value, dict) and long:
            lines.append(f"{pad}{key}:")
            for k, v in value.items():
                walk(v, k, depth + 1)
        elif isinstance(value, list) and long and depth < 3:
            lines.append(f"{pad}{key}:")
            for i, v in enumerate(value, 1):
                walk(v, f"[{i}]", depth + 1)
        else:
            text = json.dumps(value) if not isinstance(value, str) else value
            lines.append(f"{pad}{key}: {text if len(text) <= width else text[:width] + ' ...'}")
    for k, v in (evidence or {}).items():
        walk(v, k, 0)
    return "\n".join(lines) if lines else indent + "(no evidence)"
