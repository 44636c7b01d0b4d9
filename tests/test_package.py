"""``import scalekit as sk`` works as the docstrings show, without importing TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_import_is_light_and_submodules_load_on_first_use():
    done = _python(
        "import sys, scalekit as sk\n"
        "assert 'tensorflow' not in sys.modules, 'import scalekit imported TensorFlow'\n"
        "assert {'env', 'data', 'report', 'compare'} <= set(dir(sk))\n"
        "sk.compare.max_abs_diff([1.0], [1.0])\n"
        "assert 'tensorflow' not in sys.modules\n"
        "tf = sk.env.setup(seed=0)\n"
        "split = sk.data.load('digits', seed=0)\n"
        "print(type(tf).__name__, split.num_classes)\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["module", "10"]


def test_unknown_attribute_is_an_attribute_error():
    import scalekit

    with pytest.raises(AttributeError, match="no_such_module"):
        scalekit.no_such_module  # noqa: B018
