import json
import subprocess
import sys
from pathlib import Path

import pytest

from losscert.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = """
title = "tiny"
[network]
inputs = ["x"]
outputs = ["y"]
edges = ["x -> h", "h -> y"]
[data]
X = [[1, 2]]
Y = [[2, 4]]
[point]
"x -> h" = 1
"h -> y" = 2
[[claim]]
kind = "local_minimum"
[[claim]]
kind = "loss_value"
value = 0
"""


def write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_examples_all_match_their_expectations(capsys):
    assert main(["check", str(ROOT / "examples")]) == 0


def test_json_shape(tmp_path, capsys):
    assert main(["check", "--json", write(tmp_path, GOOD)]) == 0
    doc = json.loads(capsys.readouterr().out)
    (f,) = doc["files"]
    assert f["title"] == "tiny" and [c["kind"] for c in f["claims"]] == ["local_minimum", "loss_value"]
    for c in f["claims"]:
        assert set(c) == {"kind", "verdict", "expect", "reason", "evidence"}
        assert c["verdict"] == c["expect"] == "verified"


def test_mismatch_exits_1(tmp_path, capsys):
    bad = GOOD.replace("value = 0", "value = 1")
    assert main(["check", write(tmp_path, bad)]) == 1
    assert "BAD" in capsys.readouterr().out


MALFORMED = [
    ("not toml [", "not valid TOML"),
    (GOOD.replace("[network]", "[netwrk]"), "netwrk: unknown key"),
    (GOOD.replace('edges = ["x -> h", "h -> y"]', 'edges = ["x -> h", "h -> x", "h -> y"]'), "goes into input"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "global_maximum"'), "claim[1].kind"),
    (GOOD.replace('"h -> y" = 2', '"h -> y" = "nan"'), "point.'h -> y'"),
    (GOOD.replace('"h -> y" = 2', '"h -> y" = "__import__(\'os\')"'), "point.'h -> y'"),
    (GOOD.replace('"h -> y" = 2', '"h -> y" = 2\n"h -> z" = 1'), "not a parameter"),
    (GOOD.replace('"h -> y" = 2\n', ''), "no value for parameter 'h -> y'"),
    (GOOD.replace("Y = [[2, 4]]", "Y = [[2]]"), "columns"),
    (GOOD.replace("X = [[1, 2]]", 'X = [[1, "inf"]]'), "data.X[1][2]"),
    (GOOD.replace("value = 0", ""), "claim[2].value: missing"),
    (GOOD.replace('kind = "loss_value"', 'kind = "not_global"'), "claim[2].value: unknown key"),
    (GOOD.replace("[[claim]]", "[[claims]]"), "claims: unknown key"),
    (GOOD.replace('expect', 'x').replace('kind = "local_minimum"', 'kind = "local_minimum"\nexpect = "yes"'),
     "claim[1].expect"),
    (GOOD.replace('activation', 'a').replace('edges = ["x -> h", "h -> y"]',
                                               'edges = ["x -> h", "h -> y"]\nactivation = "gelu"'),
     "unknown activation"),
    ("title = 3\n" + GOOD.split("\n", 2)[2], "title: must be a string"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "local_minimum_near"\nradius = "1/10"\ndigits = 3'),
     "claim[1].digits: must be an integer from 10 to 1000"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "local_minimum_near"\nradius = "-1"'),
     "claim[1].radius: must be positive"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "local_minimum"\ndigits = 30'),
     "claim[1].digits: unknown key for kind local_minimum"),
]


@pytest.mark.parametrize("text, message", MALFORMED)
def test_malformed_files_exit_2_with_one_clear_line(tmp_path, capsys, text, message):
    path = write(tmp_path, text)
    assert main(["check", path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(path) and "Traceback" not in err[0]
    assert message in err[0], err[0]


def test_missing_file_and_json_is_still_one_document(tmp_path, capsys):
    assert main(["check", "--json", str(tmp_path / "nope.toml"), write(tmp_path, GOOD)]) == 2
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["files"][0]["error"] == "no such file" and doc["files"][1]["claims"]


def test_python_dash_m_and_console_script():
    r = subprocess.run([sys.executable, "-m", "losscert", "check", str(ROOT / "examples")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "verified" in r.stdout
