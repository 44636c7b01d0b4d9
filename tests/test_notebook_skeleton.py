"""Every notebook follows the skeleton in CONTRIBUTING.md (checked on the percent script)."""

from __future__ import annotations

import re

import pytest
from nbsource import COLAB_CELL, ROOT, SCRIPTS, cells

IDS = [str(p.relative_to(ROOT)) for p in SCRIPTS]
HIDDEN = {"remove-cell", "remove-input", "hide-input"}


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_skeleton(script):
    cs = cells(script)
    first = cs[0]
    label = re.match(r"\(ch\d\d-[a-z0-9-]+\)=\n# \S", first.source)
    assert first.kind == "markdown" and label, "start with a (chNN-topic)= label, then # Title"
    colab = [c for c in cs if c.kind == "code" and "google.colab" in c.source]
    assert len(colab) == 1 and colab[0].source.strip() == COLAB_CELL, (
        "the Colab cell must be tests/nbsource.py's COLAB_CELL, verbatim")
    assert "remove-cell" in colab[0].tags, "tag the Colab cell remove-cell"
    params = [c for c in cs if "parameters" in c.tags]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    assignments = re.findall(r"^([a-z_][a-z0-9_]*)\s*=", params[0].source, re.M)
    assert assignments and assignments[0] == "seed", "the parameters cell starts with `seed`"
    headings = [ln for c in cs if c.kind == "markdown" for ln in c.source.splitlines()
                if re.match(r"#{1,6} ", ln)]
    level2 = [h for h in headings if h.startswith("## ")]
    assert level2[-2:] == ["## Summary", "## Exercises"], (
        f"end with '## Summary' then '## Exercises'; last sections are {level2[-2:]}")
    assert headings[-1] == "## Exercises", f"nothing after Exercises, found {headings[-1]!r}"
    assert not [h for h in headings if h.startswith("####")], "headings stop at ###"


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_bookkeeping_is_out_of_sight(script):
    for c in cs_code(script):
        if "inspect.getsource" in c.source:
            pytest.fail("show code with a {literalinclude} listing, not inspect.getsource")
        lines = c.source.count("\n") + 1
        if "report.record(" in c.source and lines > 4:
            assert HIDDEN & set(c.tags), (
                f"a {lines}-line report.record cell must be tagged remove-input: "
                f"{c.source[:60]!r}")


def cs_code(script):
    return [c for c in cells(script) if c.kind == "code"]
