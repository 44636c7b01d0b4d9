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


def _run_parameters() -> dict[str, list[dict]]:
    """Notebook -> the parameter dicts of its test runs (keys and literal values read
    statically; ``**NAME`` of a module-level dict literal is expanded)."""
    runs: dict[str, list[dict]] = {}
    for path in (ROOT / "tests" / "notebooks").glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name)}

        def literal(node, names=names):
            if isinstance(node, ast.Name) and node.id in names:
                return literal(names[node.id])
            if isinstance(node, ast.Dict):
                out = {}
                for k, v in zip(node.keys, node.values, strict=True):
                    if k is None:
                        out.update(literal(v) or {})
                    elif isinstance(k, ast.Constant):
                        try:
                            out[k.value] = ast.literal_eval(v)
                        except ValueError:
                            out[k.value] = "<expr>"
                return out
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "dict":
                out = {}
                for kw in node.keywords:
                    if kw.arg is None:
                        out.update(literal(kw.value) or {})
                    else:
                        out[kw.arg] = literal(kw.value) if isinstance(
                            kw.value, ast.Dict) else _const(kw.value)
                for arg in node.args:
                    out.update(literal(arg) or {})
                return out
            return None

        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None)
                    in ("run_page", "run_variant") and len(node.args) >= 2):
                nb = node.args[0]
                nb = nb.value if isinstance(nb, ast.Constant) else (
                    names[nb.id].value if isinstance(nb, ast.Name) and nb.id in names
                    and isinstance(names[nb.id], ast.Constant) else None)
                params = literal(node.args[1])
                if nb and params is not None:
                    runs.setdefault(nb, []).append(params)
    return runs


def _const(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return "<expr>"


def test_every_boolean_parameter_runs_both_ways():
    from nbsource import cells

    runs = _run_parameters()
    missing = []
    for script in SCRIPTS:
        nb = str(script.relative_to(ROOT).with_suffix(".ipynb"))
        params = [c for c in cells(script) if "parameters" in c.tags]
        if not params:
            continue
        tree = ast.parse(params[0].source)
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, bool)):
                name, default = node.targets[0].id, node.value.value
                seen = {r.get(name, default) for r in runs.get(nb, [])}
                if seen != {True, False}:
                    missing.append(f"{nb}: {name} runs only as {sorted(seen)}")
    assert not missing, missing
