"""python-flint is an accelerator: SymPy uses it for exact matrices when it is
importable. The same checks must give the same verdicts on SymPy's pure
Python ground types."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(ground_types):
    env = dict(os.environ, SYMPY_GROUND_TYPES=ground_types)
    code = ("import json, sympy.external.gmpy as g, losscert.claims as c; "
            "print(json.dumps([g.GROUND_TYPES] + [[x['verdict'] for x in c.check(p)['claims']] "
            f"for p in c.expand([{str(ROOT / 'examples')!r}])]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(r.stdout)


def test_pure_python_ground_types_give_the_same_verdicts():
    fast, slow = run("flint"), run("python")
    assert slow[0] == "python"
    assert fast[1:] == slow[1:]
