"""Plain text for the terminal: a verdict's evidence (``losscert check -v``,
``prove -v`` and reports) and the progress bar of ``losscert prove``."""
from __future__ import annotations

import json


def evidence_text(evidence, indent: str = "    ", width: int = 160) -> str:
    """A verdict's evidence (the certificate: directions, Taylor coefficients,
    kernel bases, orbit tangents, intervals) as indented lines, for ``-v``;
    nothing is cut. A Hessian with its ``hessian_parameters`` is a labelled table.

    >>> print(evidence_text({"direction": {"x -> h": "1"}, "taylor_coefficients_of_L": ["0", "0", "-1"]}, ""))
    direction: {"x -> h": "1"}
    taylor_coefficients_of_L: ["0", "0", "-1"]
    >>> print(evidence_text({"hessian": [["2", "1"], ["1", "1"]], "hessian_parameters": ["a", "h -> y"]}, ""))
    hessian (rows and columns in the order a, h -> y):
           a: ["2", "1"]
      h -> y: ["1", "1"]
    """
    lines = []

    def walk(value, key, depth):
        pad = indent + "  " * depth
        long = len(json.dumps(value)) > width
        if isinstance(value, dict) and long:
            lines.append(f"{pad}{key}:")
            walk_dict(value, depth + 1)
        elif isinstance(value, list) and long and depth < 3:
            lines.append(f"{pad}{key}:")
            for i, v in enumerate(value, 1):
                walk(v, f"[{i}]", depth + 1)
        else:
            lines.append(f"{pad}{key}: {json.dumps(value) if not isinstance(value, str) else value}")

    def walk_dict(d, depth):
        for k, v in d.items():
            names = d.get(f"{k}_parameters")
            if k.endswith("_parameters") and k[:-len("_parameters")] in d:
                continue                                # printed as the labels of its matrix
            if isinstance(names, list) and names and isinstance(v, list) and len(v) == len(names):
                pad = indent + "  " * depth
                lines.append(f"{pad}{k} (rows and columns in the order {', '.join(names)}):")
                lines.extend(f"{pad}  {n:>{max(map(len, names))}}: {json.dumps(r)}" for n, r in zip(names, v))
            else:
                walk(v, k, depth)
    walk_dict(evidence or {}, 0)
    return "\n".join(lines) if lines else indent + "(no evidence)"


class Progress:
    """A one-line progress bar on stderr for long runs (``losscert prove``).

    It is drawn only when the stream is a terminal (never into a pipe, a file
    or CI logs) and only once the run has taken ``delay`` seconds; a ticker
    redraws it twice a second. Wrap any other output in :meth:`hidden`, which
    clears the bar around it. Not a terminal, nothing is written:

    >>> import io
    >>> stream = io.StringIO()
    >>> with Progress(4, "scripts", stream=stream) as bar:
    ...     bar.advance("first.py")
    ...     bar.count()
    >>> stream.getvalue()
    ''
    >>> bar.line(width=60)[:46]
    '[#####...............] 1/4 scripts, 1 statemen'
    """

    CELLS = 20

    def __init__(self, total: int, unit: str, stream=None, delay: float = 1.0):
        import sys
        import threading
        import time
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.total, self.unit, self.done, self.statements, self.label = total, unit, 0, 0, ""
        self.delay, self.clock, self.start = delay, time.monotonic, time.monotonic()
        self.shown, self.drawn_at = False, 0.0
        self.lock = threading.RLock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> "Progress":
        import threading
        if self.enabled:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        self.clear()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self.draw()

    def advance(self, label: str = "") -> None:
        """One more unit done; ``label`` names what is being worked on."""
        with self.lock:
            self.done += 1
            self.label = label or self.label
        self.draw(force=True)

    def count(self, _result=None) -> None:
        """One more statement checked (usable as ``Worker.check(..., on_result=bar.count)``)."""
        with self.lock:
            self.statements += 1
        self.draw()

    def line(self, width: int = 80) -> str:
        """The bar's text, at most ``width - 1`` characters."""
        filled = round(self.CELLS * self.done / self.total) if self.total else self.CELLS
        text = (f"[{'#' * filled}{'.' * (self.CELLS - filled)}] {self.done}/{self.total} {self.unit}, "
                f"{self.statements} statements checked, {self.clock() - self.start:.0f} s")
        text += f"  {self.label}" if self.label else ""
        return text[:max(width - 1, 0)]

    def draw(self, force: bool = False) -> None:
        """Redraw the bar (at most ten times a second unless ``force``)."""
        import shutil
        with self.lock:
            now = self.clock()
            if not self.enabled or self._stop.is_set() or now - self.start < self.delay \
                    or not force and now - self.drawn_at < 0.1:
                return
            self.drawn_at = now
            self.stream.write("\r" + self.line(shutil.get_terminal_size().columns) + "\x1b[K")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False

    def hidden(self):
        """A context in which other output is written with the bar cleared (redrawn after)."""
        return _Hidden(self)


class _Hidden:
    def __init__(self, bar: Progress):
        self.bar = bar

    def __enter__(self) -> None:
        self.bar.lock.acquire()
        self.bar.clear()

    def __exit__(self, *exc) -> None:
        import sys
        try:
            sys.stdout.flush()
            if not self.bar._stop.is_set():
                self.bar.draw(force=True)
        finally:
            self.bar.lock.release()


def _is_terminal(stream) -> bool:
    import os
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
