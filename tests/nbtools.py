"""Execute chapter notebooks with papermill and read back what they glued.

Each notebook has exactly one *page run* (:func:`run_page`): its executed copy goes to
``_build/executed/<same relative path>`` and ``dev.py test`` builds the CI book from those
copies (execution off). Every other run of a notebook (another seed, another size, a
switch flipped) is a *variant* (:func:`run_variant`) written under
``_build/variants/<tag>/``, so the CI book never depends on the order the tests ran in.
``tests/test_notebook_runs.py`` checks statically that each notebook has one page run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "executed"
VARIANTS = ROOT / "_build" / "variants"
GLUE_MIME_PREFIX = "application/papermill.record/"
_FORK_SERVER = None


def kernel_name() -> str:
    """The kernel to run notebooks in: forked from a warm server unless turned off.

    ``SCALEKIT_FORK_KERNELS=0`` runs every notebook in an ordinary ``python3`` kernel.
    """
    global _FORK_SERVER
    if os.environ.get("SCALEKIT_FORK_KERNELS", "1") == "0":
        return "python3"
    if _FORK_SERVER is None:
        import atexit

        import forkkernel

        _FORK_SERVER = forkkernel.ForkServer(pythonpath=str(ROOT))
        atexit.register(_FORK_SERVER.close)
        os.environ.update(_FORK_SERVER.environ())
    return "scalekit-fork"


def execute(notebook: str, parameters: dict[str, Any], *, out: Path, timeout: int = 1200) -> Path:
    """Run ``notebook`` (path relative to the repository) with papermill into ``out``.

    The kernel runs in the notebook's folder, as Jupyter Book runs it, forked from a
    process that has imported TensorFlow already (:func:`kernel_name`,
    ``tests/forkkernel.py``): the notebook still runs every cell in a new process.
    """
    import papermill as pm

    src = ROOT / notebook
    if not src.exists():
        raise FileNotFoundError(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    env_before = os.environ.get("PYTHONPATH")
    # The kernel must import this checkout's scalekit even when it is not installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_before) if p)
    kernel = kernel_name()
    try:
        pm.execute_notebook(
            str(src), str(out), parameters=parameters, kernel_name=kernel,
            cwd=str(src.parent), execution_timeout=timeout, progress_bar=False,
            log_output=False,
        )
        if kernel != "python3":  # the executed copy names the kernel readers use
            executed = nbformat.read(out, as_version=4)
            executed.metadata["kernelspec"] = nbformat.read(
                src, as_version=4).metadata["kernelspec"]
            nbformat.write(executed, out)
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


def run_page(notebook: str, parameters: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The one run of ``notebook`` whose output the CI book shows; return its glued values.

    Call it once per notebook, with literal parameters, from a module-scoped fixture.
    """
    return read_glue(execute(notebook, parameters, out=EXECUTED / notebook, **kwargs))


def run_variant(notebook: str, parameters: dict[str, Any], *, tag: str,
                **kwargs: Any) -> dict[str, Any]:
    """Another run of ``notebook`` (``tag`` names it, e.g. ``"seed1"``); glued values.

    Written under ``_build/variants/<tag>/``: it never becomes a page.
    """
    if not tag or not tag.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"tag must be a short alphanumeric name, got {tag!r}")
    return read_glue(execute(notebook, parameters, out=VARIANTS / tag / notebook, **kwargs))


def dump(values: dict[str, Any]) -> str:
    """Glued values as sorted JSON, for assertion messages."""
    return json.dumps(values, indent=1, sort_keys=True, default=str)


# Transitional name: chapters move to run_page/run_variant (tests/test_notebook_runs.py).
run_and_glue = run_page
