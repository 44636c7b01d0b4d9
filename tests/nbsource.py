"""Read the book's notebook sources (the Jupytext percent scripts) for static checks."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (ROOT / "notebooks").rglob("*.py")
                 if ".ipynb_checkpoints" not in p.parts)

#: The hidden first code cell of every notebook (Colab installs scalekit when missing).
COLAB_CELL = '''\
# Colab: install the book's helper package (and its pinned stack) when it is missing.
import importlib.util
import subprocess
import sys

REPO = "git+https://github.com/scaling-ai-book/scaling-ai-models"
if "google.colab" in sys.modules and importlib.util.find_spec("scalekit") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"scalekit[book] @ {REPO}"], check=True)'''

_HEADER = re.compile(r"^# %%(.*)$", re.M)


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    tags: list[str] = field(default_factory=list)


def cells(script: Path) -> list[Cell]:
    """The cells of a percent script (the YAML header block is skipped)."""
    import jupytext

    nb = jupytext.read(script)
    return [Cell(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


@dataclass
class Glued:
    name: str
    kind: str  # "value" or "figure"
    line: int


def glued_names(script: Path) -> tuple[list[Glued], list[str]]:
    """Names a notebook glues through ``report.record``/``report.figure``, and problems.

    A problem is a call whose names cannot be read statically, or a direct ``glue`` call.
    """
    found: list[Glued] = []
    problems: list[str] = []
    code = "\n".join(c.source if c.kind == "code" else "" for c in cells(script))
    code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in code.split("\n"))
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(
            func.value, ast.Name) else None
        if fname == "glue":
            problems.append(f"line {node.lineno}: call report.record/figure, not glue()")
        if owner != "report" or fname not in ("record", "figure"):
            continue
        first = node.args[0] if node.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            problems.append(f"line {node.lineno}: report.{fname} needs a literal name")
            continue
        if fname == "figure":
            found.append(Glued(first.value, "figure", node.lineno))
            continue
        for kw in node.keywords:
            if kw.arg is None:
                if isinstance(kw.value, ast.Dict) and all(
                        isinstance(k, ast.Constant) for k in kw.value.keys):
                    found += [Glued(f"{first.value}_{k.value}", "value", node.lineno)
                              for k in kw.value.keys]
                else:
                    problems.append(f"line {node.lineno}: report.record(**…) must be a "
                                    "dict literal so the names can be read")
            else:
                found.append(Glued(f"{first.value}_{kw.arg}", "value", node.lineno))
    return found, problems


_REF = re.compile(
    r"\{glue(?::\w+)?\}`(?:([\w/.-]+\.ipynb)::)?(\w+)(?::[^`]*)?`"
    r"|\{glue:figure\}\s+(?:([\w/.-]+\.ipynb)::)?(\w+)")


def prose_references(text: str) -> list[tuple[str | None, str]]:
    """``(notebook path or None, glue name)`` for every glue role/directive in ``text``."""
    refs = []
    for m in _REF.finditer(text):
        path, name = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
        refs.append((path, name))
    return refs
