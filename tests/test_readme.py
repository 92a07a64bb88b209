"""The README is a product page whose every output is what the code prints
today: its console blocks are rerun and compared (as in docs/, see
tests/test_docs.py), its Python example runs as a doctest, the test command
`.ci/run` extracts is intact, and the marked feature list is there."""
import doctest
import re
import subprocess
from pathlib import Path

from test_docs import CONSOLE, _replay

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -q"
SETUP_COMMAND = ("python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/losscert prove proofs "
                 "&& .venv/bin/losscert check examples")


def test_the_console_blocks_are_what_losscert_prints():
    blocks = CONSOLE.findall(README.read_text())
    assert blocks
    for block in blocks:
        assert _replay(block) == block, "README.md: a console block is out of date (python tests/test_readme.py)"


def test_the_python_example_prints_what_the_readme_shows():
    result = doctest.testfile(str(README), module_relative=False)
    assert result.attempted >= 3 and result.failed == 0


def test_the_two_commands_are_there_and_ci_finds_the_test_command():
    text = README.read_text()
    assert SETUP_COMMAND in text
    extracted = subprocess.run(["awk", "/<!-- test-command -->/{getline; getline; print; exit}", str(README)],
                               capture_output=True, text=True, check=True).stdout.strip()
    assert extracted == TEST_COMMAND


def test_a_short_page_with_a_marked_feature_list_and_links_that_exist():
    text = README.read_text()
    assert len(text.splitlines()) < 160
    features = text.split("<!-- features:")[1].split("<!-- end of features -->")[0]
    assert features.count("\n- **") >= 5
    for link in re.findall(r"\]\(([^)#]+)", text):
        assert (ROOT / link).exists(), link


if __name__ == "__main__":       # refresh the console blocks after a deliberate change of output
    README.write_text(CONSOLE.sub(lambda m: "```console\n" + _replay(m.group(1)) + "```\n", README.read_text()))
