"""``python -m losscert_recheck [-q] PATH...``: recheck certificate bundles (exit 1 if one is rejected).

Each item prints ``rechecked``, ``REJECTED: reason`` or ``not covered:
certificate kind: reason``; then a summary line and the not-covered items
counted by certificate kind and reason.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from .checks import recheck
from .exact import NotCovered, Rejected

MAX_BUNDLE_BYTES = 200 * 10 ** 6

def bundles(paths) -> list:
    return [f for p in map(Path, paths) for f in (sorted(p.rglob("*.json")) if p.is_dir() else [p])]

def outcome(item) -> tuple:
    """("rechecked" | "REJECTED" | "not covered", reason)."""
    try:
        recheck(item)
        return "rechecked", ""
    except Rejected as exc:
        return "REJECTED", str(exc)
    except NotCovered as exc:
        return "not covered", str(exc)
    except (RecursionError, MemoryError, ZeroDivisionError, OverflowError, ValueError, TypeError, KeyError,
            IndexError, AttributeError) as exc:
        return "REJECTED", f"unreadable: {type(exc).__name__}: {exc}"

def _label(item) -> str:
    st = item.get("statement") if isinstance(item, dict) else None
    kind = st.get("kind", "?") if isinstance(st, dict) else "?"
    caption = st.get("caption", "") if isinstance(st, dict) else ""
    return f"{kind} ({item.get('verdict')})" + (f" {caption[:70]}" if caption else "")

def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    quiet = "-q" in args
    paths = [a for a in args if a != "-q"]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"{missing[0]}: no such file or directory", file=sys.stderr)
        return 2
    files = bundles(paths)
    if not files:
        print(f"no bundles (*.json) in {', '.join(paths) or '(nothing named)'}", file=sys.stderr)
        return 2
    counts, uncovered = Counter(), Counter()
    for f in files:
        try:
            if f.stat().st_size > MAX_BUNDLE_BYTES:
                raise ValueError("larger than the bundle size limit")
            doc = json.loads(f.read_text(encoding="utf-8"))
            items = doc["items"]
            assert isinstance(items, list)
        except (OSError, ValueError, KeyError, AssertionError, TypeError) as exc:
            print(f"REJECTED {f}: not a certificate bundle ({exc})")
            counts["REJECTED"] += 1
            continue
        for k, item in enumerate(items, 1):
            status, reason = outcome(item)
            counts[status] += 1
            if status == "not covered":
                cert = item.get("certificate") if isinstance(item, dict) else None
                kind = cert.get("kind") if isinstance(cert, dict) else "none"
                uncovered[(_label(item).split(" ")[0], str(kind), reason)] += 1
            if not quiet or status == "REJECTED":
                print(f"{status:11} {f.name}#{k} {_label(item)}" + (f": {reason}" if reason else ""))
    total = sum(counts.values())
    print(f"{total} items: {counts['rechecked']} rechecked, {counts['REJECTED']} rejected, "
          f"{counts['not covered']} not covered")
    for (kind, cert, reason), n in sorted(uncovered.items(), key=lambda x: -x[1]):
        print(f"  not covered: {n} x {kind} (certificate {cert}): {reason}")
    return 1 if counts["REJECTED"] else 0

if __name__ == "__main__":
    sys.exit(main())
