"""Sphinx configuration: Markdown pages (MyST) and an API reference from docstrings.

Build: ``python -m sphinx -W -b html docs docs/_build`` (tests/test_docs.py
builds it with warnings as errors).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

project = "losscert"
author = "The losscert authors"
copyright = "2026, The losscert authors"
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.mathjax"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "tutorial/*.toml", "tutorial/*.py"]
autodoc_default_options = {"member-order": "bysource"}
autodoc_inherit_docstrings = False
autodoc_typehints = "description"
html_theme = "alabaster"
suppress_warnings = ["myst.xref_missing"]
