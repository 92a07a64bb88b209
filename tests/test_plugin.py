"""The pytest plugin, on temporary projects outside this repository."""
import importlib.metadata
import os
import textwrap
from pathlib import Path

import pytest

import losscert
# imported here, so that pytester's in-process runs (which drop the modules first imported during a run)
# all share one copy of the compiler and the kernel
import losscert.claims  # noqa: F401
import losscert.prove  # noqa: F401
import losscert.workers  # noqa: F401

pytest_plugins = ["pytester"]

GOOD = """\
title = "a zero-loss point"
[network]
inputs = ["x1"]
outputs = ["y1"]
edges = ["x1 -> h", "h -> y1"]
[data]
X = [[1, 2]]
Y = [[2, 4]]
[point]
"x1 -> h" = 1
"h -> y1" = 2
[[claim]]
kind = "critical_point"
[[claim]]
kind = "local_minimum"
[[claim]]
kind = "strict_local_minimum"
expect = "refuted"
"""

WRONG = GOOD.replace('kind = "local_minimum"', 'kind = "loss_value"\nvalue = "1/2"')
BROKEN = GOOD.replace('"x1 -> h", "h -> y1"', '"x1 -> h", "h -> y1", "h -> y2"')


def _installed() -> bool:
    """Whether the installed losscert already declares the pytest11 entry point."""
    return any(ep.value == "losscert.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11"))


def _plugin_args() -> list[str]:
    return [] if _installed() else ["-p", "losscert.pytest_plugin"]


def test_claims_are_items_and_mismatches_read_clearly(pytester):
    pytester.makefile(".losscert.toml", good=GOOD, wrong=WRONG)
    result = pytester.runpytest("-v", *_plugin_args())
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines([
        "*good.losscert.toml::critical_point?1? PASSED*",
        "*good.losscert.toml::strict_local_minimum?3? PASSED*",
        "*wrong.losscert.toml::loss_value?2? FAILED*",
        "claim 2 (loss_value): expected verified, got refuted: L(point) = 0, not 1/2",
    ])


def test_k_selects_claims_by_kind_and_number(pytester):
    pytester.makefile(".losscert.toml", good=GOOD)
    result = pytester.runpytest("-k", "local_minimum and not strict", *_plugin_args())
    result.assert_outcomes(passed=1, deselected=2)
    result = pytester.runpytest("-k", "3", *_plugin_args())
    result.assert_outcomes(passed=1, deselected=2)


def test_an_invalid_file_is_a_one_line_collection_error(pytester):
    pytester.makefile(".losscert.toml", broken=BROKEN)
    result = pytester.runpytest(*_plugin_args())
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*broken.losscert.toml: network.edges: hidden node 'y2' has no outgoing edge "
                                 "(did you mean 'y1'? if intended, list it in network.dangling)*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_claim_files_by_the_rule_of_check_and_the_ini_option_adds_files(pytester):
    pytester.makefile(".toml", **{"claims/zero": GOOD, "pyproject": "[project]\nname = 'x'\n",
                                  "config/settings": "[network]\nhost = 'localhost'\n"})
    result = pytester.runpytest(*_plugin_args())        # the rule of losscert check DIR: a [[claim]] table
    result.assert_outcomes(passed=3)
    pytester.makefile(".ini", pytest="[pytest]\nlosscert_claims =\n    config/*.toml\n")
    result = pytester.runpytest(*_plugin_args())        # a file named by the ini option is always read
    result.assert_outcomes(errors=1)                    # a collection error stops the run: exit 2
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*settings.toml: network.host: unknown key*"])


def test_a_new_project_needs_three_lines(pytester, tmp_path_factory, monkeypatch):
    """The recipe of docs/ci.md in a fresh process: install losscert (here:
    put it and its pytest11 entry point on the path), name the claim file
    (the tutorial's) *.losscert.toml, run pytest; junitxml comes for free."""
    path = [str(Path(losscert.__file__).parents[1])]
    if not _installed():          # this checkout is not the installed package: declare its entry point
        site = tmp_path_factory.mktemp("site")
        info = site / "losscert_entry_point-0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: losscert-entry-point\nVersion: 0\n")
        (info / "entry_points.txt").write_text("[pytest11]\nlosscert = losscert.pytest_plugin\n")
        path.append(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path + [os.environ.get("PYTHONPATH", "")]))
    (pytester.path / "tests").mkdir()
    tutorial = Path(__file__).resolve().parents[1] / "docs" / "tutorial" / "first.losscert.toml"
    (pytester.path / "tests" / "model.losscert.toml").write_text(tutorial.read_text())
    (pytester.path / "tests" / "test_plain.py").write_text(textwrap.dedent("""\
        def test_ordinary():
            assert True
    """))
    result = pytester.runpytest_subprocess("--junitxml=out.xml", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)          # the tutorial's four claims and the ordinary test
    xml = (pytester.path / "out.xml").read_text()
    assert 'name="local_minimum[4]"' in xml and 'name="verdict" value="refuted"' in xml


SCRIPT = """\
from losscert import compile_loss, dense
from losscert.proof import Proof

loss = compile_loss(dense([1, 1, 1]), [[1, 2]], [[2, 4]])
PROOF = Proof("two-weight network", source="test")
PROOF.saddle(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}, text="the origin is a saddle")
PROOF.local_minimum(loss, {"x1 -> h1_1": 1, "h1_1 -> y1": 2}, text="a zero-loss point is a minimum")
PROOF.rank([[1, 2], [2, 4]], 2, text="a wrong rank")
"""


def test_proof_scripts_are_items_one_per_statement(pytester):
    pytester.makefile(".py", **{"proofs/two": SCRIPT, "proofs/broken": "raise RuntimeError('no proof here')",
                                "proofs/_helper": "raise SystemExit('not a proof')"})
    pytester.makefile(".ini", pytest="[pytest]\nlosscert_proofs =\n    proofs/[!_]*.py\n")
    result = pytester.runpytest("-v", "--continue-on-collection-errors", *_plugin_args())
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*proofs/two.py::saddle?1? PASSED*",
        "*proofs/two.py::local_minimum?2? PASSED*",
        "*proofs/two.py::rank?3? FAILED*",
        "statement 3 (rank) of 'two-weight network': a wrong rank: expected verified, got refuted: *rank is 1, not 2*",
    ])
    result.stdout.fnmatch_lines(["*broken.py: cannot load: RuntimeError: no proof here*"])   # one line
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.slow         # two more pytest runs, one with a collector process (about 10 s)
def test_proof_scripts_only_when_asked_and_k_matches_the_statements_words(pytester):
    pytester.makefile(".py", **{"proofs/two": SCRIPT})
    assert pytester.runpytest(*_plugin_args()).ret == 5                # no glob: nothing collected, nothing run
    pytester.makefile(".ini", pytest="[pytest]\nlosscert_proofs = proofs/*.py\n")
    result = pytester.runpytest("-k", "zero-loss or saddle", *_plugin_args())
    result.assert_outcomes(passed=2, deselected=1)
