#!/usr/bin/env python3
"""One entry point for readers, contributors and CI. Needs only Python 3.10-3.12.

    python3 dev.py book    # set up .venv, build the book (every notebook at its defaults,
                           # re-executing only what changed) -> _build/html
    python3 dev.py test    # set up .venv, lint, run all tests (notebooks executed with small
                           # parameters), then build the book from those executed notebooks

Other commands: ``setup`` (environment only), ``lint``, ``sync`` (regenerate each .ipynb from
its paired .py), ``lock`` (refresh constraints.txt from the current environment).
Set ``SCALEKIT_VENV`` to use another virtual environment folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("SCALEKIT_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
CONSTRAINTS = ROOT / "constraints.txt"
STAMP = VENV / ".scalekit-installed"


def run(*cmd: object, **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=kwargs.pop("cwd", ROOT), **kwargs)


def setup() -> None:
    """Create the virtual environment and install the pinned stack (skipped when up to date)."""
    if not (3, 10) <= sys.version_info[:2] <= (3, 12):
        sys.exit(f"Python 3.10-3.12 is required (TensorFlow 2.21), not {sys.version.split()[0]}")
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
    inputs = [ROOT / "pyproject.toml", CONSTRAINTS]
    if STAMP.exists() and all(p.stat().st_mtime <= STAMP.stat().st_mtime for p in inputs):
        return
    start = time.time()
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-c", CONSTRAINTS, "-e", ".[test]")
    STAMP.write_text("installed\n")
    print(f"environment ready in {time.time() - start:.0f} s", flush=True)


def lint() -> None:
    run(PY, "-m", "ruff", "check", "scalekit", "tests", "notebooks", "dev.py", "benchmarks")


def sync() -> None:
    """Write each notebook's .ipynb from its percent .py (outputs stripped, kernel python3)."""
    for script in sorted((ROOT / "notebooks").rglob("*.py")):
        if ".ipynb_checkpoints" in script.parts:
            continue
        notebook = script.with_suffix(".ipynb")
        if notebook.exists() and notebook.stat().st_mtime >= script.stat().st_mtime:
            continue  # up to date; rewriting would only churn cell ids
        # --update keeps the existing notebook's cell ids and metadata
        update = ["--update"] if notebook.exists() else []
        run(BIN / "jupytext", "--quiet", "--to", "ipynb", *update, "--set-kernel", "python3",
            "--update-metadata", '{"jupytext": {"formats": "ipynb,py:percent"}}',
            script.relative_to(ROOT))
    run(PY, "-m", "ruff", "check", "--quiet", "notebooks")


def stage_executed() -> Path:
    """Copy the book sources to _build/ci-src with the notebooks the tests executed."""
    executed = ROOT / "_build" / "executed"
    stage = ROOT / "_build" / "ci-src"
    if stage.exists():
        shutil.rmtree(stage)
    ignore = shutil.ignore_patterns("_build", ".venv", "venv", ".git", "__pycache__", ".*_cache",
                                    ".ipynb_checkpoints", "*.egg-info")
    shutil.copytree(ROOT, stage, ignore=ignore)
    missing = []
    for nb in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        rel = nb.relative_to(ROOT)
        if ".ipynb_checkpoints" in rel.parts:
            continue
        if not (executed / rel).exists():
            missing.append(str(rel))
            continue
        shutil.copy2(executed / rel, stage / rel)
        hide_injected_parameters(stage / rel)
        (stage / rel).with_suffix(".py").unlink(missing_ok=True)  # build from the .ipynb
    if missing:
        sys.exit(f"these notebooks were not executed by the tests: {missing}")
    config = (stage / "_config.yml").read_text()
    config, n = re.subn(r"execute_notebooks: \w+", "execute_notebooks: 'off'", config)
    if n != 1:
        sys.exit("_config.yml: could not switch execute_notebooks off for the CI build")
    (stage / "_config.yml").write_text(config)
    return stage


def hide_injected_parameters(notebook: Path) -> None:
    """Tag papermill's "injected-parameters" cell ``remove-cell`` in an executed copy."""
    import json

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


LOG = ROOT / "_build" / "logs" / "book.log"
_SPHINX_PROBLEM = re.compile(r"(^|: )(WARNING|ERROR): ")  # not TensorFlow's own logging
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NB_EVENT = re.compile(r"^(?P<path>\S+\.ipynb): (?P<what>Executing notebook|Executed notebook in "
                       r"(?P<secs>[\d.]+) seconds|Using cached notebook)")


def build(source: Path, *, strict: bool) -> None:
    """Run jupyter-book on ``source``: one line per notebook, the full log in ``LOG``."""
    out = ROOT / "_build"  # jupyter-book appends _build to --path-output
    args = [BIN / "jupyter-book", "build", source, "--path-output", ROOT]
    if strict:
        args += ["--warningiserror", "--keep-going"]
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, PYTHONPATH=path, PYTHONUNBUFFERED="1")
    LOG.parent.mkdir(parents=True, exist_ok=True)
    print(f"building the book from {source} "
          f"(full log: {LOG})", flush=True)
    start, current, failure = time.time(), None, []
    with open(LOG, "w", encoding="utf-8") as log, subprocess.Popen(
            [str(a) for a in args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace") as proc:
        for raw in proc.stdout:
            log.write(raw)
            line = _ANSI.sub("", raw)
            event = _NB_EVENT.match(line)
            if event:
                nb = Path(event["path"])
                name = (nb.relative_to(source.resolve()) if nb.is_relative_to(source.resolve())
                        else nb).with_suffix("")
                if event["what"].startswith("Executing"):
                    current = name
                elif event["what"].startswith("Using"):
                    print(f"  {str(name):42s}  cached", flush=True)
                else:
                    print(f"  {str(name):42s}  {float(event['secs']):6.1f} s  ok", flush=True)
                    current = None
            elif "Executing notebook failed" in line or failure:
                failure.append(line.rstrip())
            elif current is not None and ("Exception occurred" in line or "ExecutionError" in line):
                failure.append(line.rstrip())
            elif _SPHINX_PROBLEM.search(line) and (strict or "ERROR" in line):
                print("  " + line.rstrip(), flush=True)
        code = proc.wait()
    if current is not None:
        print(f"  {str(current):42s}  FAILED", flush=True)
    if code != 0:
        start = next((i for i, ln in enumerate(failure)
                      if "error occurred while executing" in ln), 0)
        end = next((i for i, ln in enumerate(failure) if i > start and "above exception" in ln),
                   start + 60)
        print("\n".join(failure[start:end]).strip(), file=sys.stderr)
        sys.exit(f"jupyter-book failed (exit {code}); full log: {LOG}")
    print(f"book written to {out / 'html' / 'index.html'} in {time.time() - start:.0f} s",
          flush=True)


def check_html() -> None:
    run(PY, ROOT / "tests" / "check_html.py", ROOT / "_build" / "html")


CACHE = ROOT / "_build" / ".jupyter_cache"
CACHE_STAMP = CACHE / "scalekit.sha256"


def code_fingerprint() -> str:
    """Hash of what notebooks import but jupyter-cache does not see: scalekit, the pins."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "scalekit").rglob("*.py")) + [CONSTRAINTS]:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def book() -> None:
    """Build the book at full size; jupyter-cache re-executes only notebooks that changed.

    The cache keys on each notebook's code cells, so it is emptied (with Sphinx's record of
    which pages are up to date) whenever scalekit or the pinned versions change: their
    effect on results is invisible to both.
    """
    setup()
    fingerprint = code_fingerprint()
    if CACHE.exists() and (not CACHE_STAMP.exists() or CACHE_STAMP.read_text() != fingerprint):
        print("scalekit or constraints.txt changed: every notebook runs again", flush=True)
        shutil.rmtree(CACHE)
        # Sphinx would otherwise skip every page whose source did not change, and keep
        # outputs computed with the old scalekit.
        shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
    build(ROOT, strict=False)
    CACHE_STAMP.write_text(fingerprint)
    check_html()


def test() -> None:
    setup()
    lint()
    # One worker more than cores: a notebook's kernel start and imports leave a core idle.
    workers = os.environ.get("PYTEST_WORKERS", str((os.cpu_count() or 2) + 1))
    code = subprocess.run([str(PY), "-m", "pytest", "-n", workers, "--dist", "loadfile",
                           *sys.argv[2:]], cwd=ROOT).returncode
    if code != 0:
        sys.exit(code)
    if "-k" in sys.argv[2:] or any(a.startswith("tests/") for a in sys.argv[2:]):
        return  # a partial run cannot build the whole book
    build(stage_executed(), strict=True)
    check_html()


def lock() -> None:
    setup()
    frozen = subprocess.run([str(PY), "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    lines = [ln for ln in frozen.splitlines() if ln and not ln.lower().startswith("scalekit")]
    header = "# Exact versions the book is built and tested with (python3 dev.py lock).\n"
    CONSTRAINTS.write_text(header + "\n".join(sorted(lines, key=str.lower)) + "\n")


COMMANDS = {"setup": setup, "lint": lambda: (setup(), lint()), "sync": sync, "book": book,
            "test": test, "lock": lock}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]]()
