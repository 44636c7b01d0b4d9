"""The command lines the README and the introduction quote work exactly as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "book/intro.md"]


def papermill_commands(text: str) -> list[str]:
    """Every ``papermill ...`` command in the bash blocks of ``text`` (continuations joined)."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        commands += [ln.strip() for ln in joined.splitlines()
                     if re.match(r"\s*(\.venv/bin/)?papermill ", ln)]
    return commands


def test_the_docs_quote_a_headless_command():
    for doc in DOCS:
        assert papermill_commands((ROOT / doc).read_text(encoding="utf-8")), doc


def _unique_commands() -> list[list[str]]:
    """Each distinct command once (``.venv/bin/papermill`` and ``papermill`` are one)."""
    seen: dict[str, list[str]] = {}
    for doc in DOCS:
        for command in papermill_commands((ROOT / doc).read_text(encoding="utf-8")):
            argv = shlex.split(command)
            seen.setdefault(shlex.join(argv[1:]), argv)
    return list(seen.values())


@pytest.mark.notebook
@pytest.mark.parametrize("argv", _unique_commands(), ids=lambda a: " ".join(a[:3]))
def test_documented_papermill_command_runs(argv):
    command = shlex.join(argv)
    argv = [str(Path(sys.executable).parent / "papermill"), *argv[1:]]  # the venv's own
    out = ROOT / argv[2]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    try:
        done = subprocess.run(argv + ["--no-progress-bar"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"
        assert out.exists()
    finally:
        out.unlink(missing_ok=True)
