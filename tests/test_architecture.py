"""The declared layers of losscert, checked on the source (ast): each layer
imports only from itself and the layers below, and no module imports itself
back through others.

core (exact numbers, fields, expressions, activations, network, compiler,
intervals) -> kernel (checkers) -> proposers (untrusted suggestions, whose outputs the
kernel checks) -> statements (statement records read into kernel calls, the
checking process) -> front end (claim files, proof scripts, reports,
command line). The trusted base is what the checking process
``losscert.checker`` can import, less the proposers it runs (Newton's method
for the centre of a ``local_minimum_near`` box: a proposal the kernel
certifies or rejects).
"""
import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "losscert"
LAYERS = ["core", "kernel", "proposers", "statements", "front end"]
CORE = {"numbers", "fields", "ratfunc", "expressions", "activations", "network", "compiler", "integer_pass", "intervals",
        "patterns",
        "convert", "files",
        "writer", "names", "symbolic"}
KERNEL = {"pruning"}        # the effective sub-network: a kernel rule's helper, outside the kernel package
STATEMENTS = {"statements", "checker", "claims"}
FRONT = {"", "__main__", "proof", "prove", "report", "cli", "workers", "constructions", "coverage", "discover",
         "pytest_plugin", "plots", "text", "landscapes", "interop", "bundles"}


def modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def layer(module: str) -> str:
    top = module.split(".")[0]
    if top == "kernel" or module in KERNEL:
        return "kernel"
    if top == "proposers":
        return "proposers"
    for name, members in (("core", CORE), ("statements", STATEMENTS), ("front end", FRONT)):
        if module in members:
            return name
    raise AssertionError(f"module losscert.{module} is in no layer: add it to tests/test_architecture.py")


def imports(module: str, path: Path, known) -> set[str]:
    """losscert modules imported anywhere in the file (top level or inside functions)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = [p for p in package if p]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name[len("losscert."):] for a in node.names if a.name.startswith("losscert.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "losscert" or node.module.startswith("losscert.")):
                target = node.module[len("losscert."):] if node.module != "losscert" else ""
            else:
                continue
            for a in node.names:
                sub = f"{target}.{a.name}" if target else a.name
                found.add(sub if sub in known else target)
    out = set()
    for m in found:
        out.add(m)
        parts = m.split(".")
        for k in range(1, len(parts)):         # importing a.b.c runs a and a.b first
            parent = ".".join(parts[:k])
            if not module.startswith(parent + ".") and module != parent:
                out.add(parent)
    out.discard("")                            # losscert/__init__ imports nothing eagerly (PEP 562)
    out.discard(module)
    return out


MODULES = modules()
GRAPH = {m: imports(m, p, MODULES) for m, p in MODULES.items()}


def test_every_module_has_a_layer():
    for m in MODULES:
        layer(m)


@pytest.mark.parametrize("module", sorted(MODULES), ids=lambda m: m or "losscert")
def test_layers_import_only_downward(module):
    here = LAYERS.index(layer(module))
    bad = sorted(m for m in GRAPH[module] if LAYERS.index(layer(m)) > here)
    assert not bad, f"losscert.{module} ({layer(module)}) imports {bad[0]} ({layer(bad[0])}), a higher layer"


def cycle(graph) -> list | None:
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        state[m] = 2
        stack.pop()
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_cycle():
    found = cycle(GRAPH)
    assert found is None, "import cycle: " + " -> ".join(found)


def test_the_checks_can_fail():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    graph = dict(GRAPH, **{"kernel.decide": GRAPH["kernel.decide"] | {"proposers.constructions"}})
    assert any(LAYERS.index(layer(m)) > LAYERS.index("kernel") for m in graph["kernel.decide"])


def reachable_from_checker() -> list[str]:
    """Every module the checking process can import."""
    seen, todo = set(), ["checker"]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo += GRAPH[m]
    return sorted(seen)


def trusted_base() -> list[str]:
    """What decides a verdict: the checking process's modules less the proposers."""
    return [m for m in reachable_from_checker() if layer(m) != "proposers"]


CHECKER_PROPOSERS = {"proposers", "proposers.newton"}     # the only untrusted code the checking process runs


def test_trusted_base_is_core_kernel_and_statements():
    base = trusted_base()
    assert "checker" in base and "kernel.decide" in base
    assert all(layer(m) in ("core", "kernel", "statements") for m in base), base
    assert {m for m in reachable_from_checker() if layer(m) == "proposers"} <= CHECKER_PROPOSERS


if __name__ == "__main__":      # python tests/test_architecture.py: the trusted base, for the README
    base = trusted_base()
    lines = {m: sum(1 for _ in MODULES[m].open()) for m in base}
    for m in base:
        print(f"{lines[m]:6d}  losscert.{m}" if m else f"{lines[m]:6d}  losscert")
    print(f"{sum(lines.values()):6d}  lines in {len(base)} modules")


def test_the_checking_process_loads_only_the_trusted_base():
    import json
    import subprocess
    import sys
    code = ("import json, sys\nfrom losscert import checker\n"
            "record = {'kind': 'local_minimum', 'network': {'inputs': ['x'], 'outputs': ['y'], "
            "'edges': ['x -> h', 'h -> y']}, 'data': {'X': [['1']], 'Y': [['1']]}, 'point': {'x -> h': '1', "
            "'h -> y': '1'}}\n"
            "assert checker.check_batch([record])[0]['verdict'] == 'verified'\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('losscert'))))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=SRC.parent)
    assert r.returncode == 0, r.stderr
    loaded = {m[len("losscert."):] if m != "losscert" else "" for m in json.loads(r.stdout)}
    allowed = set(reachable_from_checker()) | {""}
    assert loaded <= allowed, sorted(loaded - allowed)


def test_the_kernel_calls_the_fast_evaluators():
    """Loss.value/gradient/hessian/outputs return SymPy to users; inside the kernel
    and the checking process every call asks for the field elements (``raw=True``),
    so that no rule pays for SymPy conversions."""
    slow = []
    for module, path in modules().items():
        if layer(module) not in ("kernel", "statements"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("value", "gradient", "hessian", "outputs") \
                    and not any(k.arg == "raw" for k in node.keywords):
                slow.append(f"{module}:{node.lineno}: {ast.unparse(node)[:60]}")
    assert not slow, slow
