"""Glue names are an API shared by prose, tests and other pages: check it statically.

Each name is glued once in the book (``report.record``/``report.figure``), its prefix
belongs to one notebook, every name is quoted in prose or asserted in a test, and every
``{glue:…}`` reference in the book names a value that its notebook glues.
"""

from __future__ import annotations

import re

import pytest
from nbsource import ROOT, SCRIPTS, glued_names, prose_references

IDS = [str(p.relative_to(ROOT)) for p in SCRIPTS]
GLUED = {p: glued_names(p) for p in SCRIPTS}


def _prose() -> dict[str, str]:
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for p in sorted((ROOT / "book").rglob("*.md"))}
    texts.update({str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in SCRIPTS})
    return texts


def _tests_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_glue_goes_through_report(script):
    _, problems = GLUED[script]
    assert not problems, problems


def test_each_name_is_glued_once_and_each_prefix_has_one_notebook():
    where: dict[str, list[str]] = {}
    prefixes: dict[str, set[str]] = {}
    for script, (names, _) in GLUED.items():
        rel = str(script.relative_to(ROOT))
        for g in names:
            where.setdefault(g.name, []).append(rel)
            prefixes.setdefault(g.name.split("_")[0], set()).add(rel)
    twice = {n: w for n, w in where.items() if len(w) > 1}
    assert not twice, f"glued more than once: {twice}"
    shared = {p: sorted(w) for p, w in prefixes.items() if len(w) > 1}
    assert not shared, f"a prefix must belong to one notebook: {shared}"


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_every_glued_name_is_quoted_or_tested(script):
    prose = "\n".join(_prose().values())
    quoted = {name for _, name in prose_references(prose)}
    tests = _tests_text()
    unused = [g.name for g in GLUED[script][0]
              if g.name not in quoted and not re.search(rf"[\"']{g.name}[\"']", tests)]
    assert not unused, f"glued but neither quoted in prose nor asserted in a test: {unused}"


def test_every_reference_names_a_glued_value():
    by_notebook = {str(s.relative_to(ROOT).with_suffix(".ipynb")): {g.name for g in n}
                   for s, (n, _) in GLUED.items()}
    everywhere = set().union(*by_notebook.values())
    bad = []
    for rel, text in _prose().items():
        for path, name in prose_references(text):
            if path is None:
                here = rel.removesuffix(".py") + ".ipynb"
                ok = name in by_notebook.get(here, everywhere if rel.endswith(".md") else set())
            else:
                target = (ROOT / rel).parent / path
                key = str(target.resolve().relative_to(ROOT))
                ok = name in by_notebook.get(key, set())
            if not ok:
                bad.append(f"{rel}: {path or ''}::{name}")
    assert not bad, f"references to values nobody glues: {bad}"
