"""Execute chapter notebooks with papermill and read back what they glued.

Executed copies go to ``_build/executed/<same relative path>``; ``.ci/run`` then builds the
book from those copies (execution off), so CI executes every notebook exactly once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "executed"
GLUE_MIME_PREFIX = "application/papermill.record/"


def execute(notebook: str, parameters: dict[str, Any], *, timeout: int = 1200) -> Path:
    """Run ``notebook`` (path relative to the repository) with papermill; return the output path.

    The kernel runs in the notebook's folder, as Jupyter Book runs it.
    """
    import papermill as pm

    src = ROOT / notebook
    if not src.exists():
        raise FileNotFoundError(src)
    out = EXECUTED / notebook
    out.parent.mkdir(parents=True, exist_ok=True)
    env_before = os.environ.get("PYTHONPATH")
    # The kernel must import this checkout's scalekit even when it is not installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_before) if p)
    try:
        pm.execute_notebook(
            str(src), str(out), parameters=parameters, kernel_name="python3",
            cwd=str(src.parent), execution_timeout=timeout, progress_bar=False,
            log_output=False,
        )
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
    return out


def read_glue(path: Path) -> dict[str, Any]:
    """Values glued with ``myst_nb.glue(..., display=False)`` in an executed notebook.

    Each glued value is stored as an output whose mimetype starts with
    ``application/papermill.record/`` and whose metadata names it (``scrapbook.name``).
    JSON payloads are decoded; ``text/plain`` payloads are evaluated as Python literals.
    """
    import ast

    nb = nbformat.read(path, as_version=4)
    values: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if not name:
                continue
            data = output.get("data", {})
            if GLUE_MIME_PREFIX + "application/json" in data:
                values[name] = data[GLUE_MIME_PREFIX + "application/json"]
            elif GLUE_MIME_PREFIX + "text/plain" in data:
                text = data[GLUE_MIME_PREFIX + "text/plain"]
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def run_and_glue(notebook: str, parameters: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Execute ``notebook`` with ``parameters`` and return its glued values."""
    return read_glue(execute(notebook, parameters, **kwargs))


def dump(values: dict[str, Any]) -> str:
    """Glued values as sorted JSON, for assertion messages."""
    return json.dumps(values, indent=1, sort_keys=True, default=str)
