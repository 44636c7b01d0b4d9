"""Each notebook has exactly one page run in the tests (nbtools.run_page).

The CI book is built from those runs, so a page never depends on test order; every other
run of a notebook is a variant (nbtools.run_variant) written elsewhere.
"""

from __future__ import annotations

import ast
from collections import Counter

from nbsource import ROOT, SCRIPTS


def _calls(name: str) -> Counter:
    found: Counter = Counter()
    for path in (ROOT / "tests" / "notebooks").glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts = {t.id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                  for t in n.targets if isinstance(t, ast.Name)
                  and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant):
                    found[arg.value] += 1
                elif isinstance(arg, ast.Name) and arg.id in consts:
                    found[consts[arg.id]] += 1
                else:
                    found[f"<unreadable in {path.name}:{node.lineno}>"] += 1
    return found


def test_every_notebook_has_exactly_one_page_run():
    pages = _calls("run_page")
    expected = {str(s.relative_to(ROOT).with_suffix(".ipynb")) for s in SCRIPTS}
    assert not [k for k in pages if k.startswith("<")], pages
    missing = sorted(expected - set(pages))
    twice = sorted(k for k, n in pages.items() if n > 1)
    assert not missing, f"no run_page for {missing}"
    assert not twice, f"more than one run_page for {twice}: use run_variant for the others"


def test_variants_name_existing_notebooks():
    expected = {str(s.relative_to(ROOT).with_suffix(".ipynb")) for s in SCRIPTS}
    variants = _calls("run_variant")
    assert set(variants) <= expected, set(variants) - expected
