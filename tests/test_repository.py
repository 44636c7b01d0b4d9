"""Invariants of the book's sources: notebook pairs, the table of contents, the bibliography."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    files.append(toc["root"])
    walk(toc.get("parts", toc.get("chapters", [])))
    return files


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_clean_and_runnable(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") for c in code), "committed with outputs"
    assert all(c.get("execution_count") is None for c in code), "committed with counts"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged 'parameters'"
    assert re.search(r"^seed\s*=", "".join(tagged[0]["source"]), re.M), "no `seed` parameter"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_pair_in_sync(path: Path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{script.name} (the Jupytext pair) is missing"
    a, b = jupytext.read(path), jupytext.read(script)
    cells_a = [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in a.cells]
    cells_b = [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in b.cells]
    assert cells_a == cells_b, "run `python3 dev.py sync` to update the .ipynb from the .py"


def test_toc_lists_existing_files_and_every_notebook():
    files = _toc_files()
    for f in files:
        candidates = [ROOT / f"{f}{ext}" for ext in ("", ".md", ".ipynb")]
        assert any(c.exists() for c in candidates), f"_toc.yml names missing file {f}"
    listed = {f.removesuffix(".ipynb") for f in files}
    for nb in NOTEBOOKS:
        assert str(nb.relative_to(ROOT).with_suffix("")) in listed, f"{nb} not in _toc.yml"


def test_no_generated_files_tracked():
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    bad = [f for f in tracked.stdout.splitlines()
           if f.startswith("_build/") or "__pycache__" in f or ".ipynb_checkpoints" in f]
    assert not bad, bad
