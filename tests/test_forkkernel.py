"""A forked test kernel behaves like an ordinary one (tests/forkkernel.py)."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

import nbtools

CELLS = [
    "import os, sys\nimport matplotlib.pyplot as plt\nimport tensorflow as tf",
    "fig, ax = plt.subplots()\nax.plot([0, 1]);",
    "import json\nprint(json.dumps({'cwd': os.getcwd(), 'path': sys.path,\n"
    "  'mark': os.environ.get('FORK_TEST_MARK'), 'sum': float(tf.reduce_sum([1., 2.])),\n"
    "  'backend': plt.get_backend(), 'pid': os.getpid()}))",
]


def run(tmp_path, kernel: str, monkeypatch) -> tuple[dict, int]:
    """Execute the probe notebook in ``kernel``; what it printed, and its PNG count."""
    import papermill as pm

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    src, out = tmp_path / "probe.ipynb", tmp_path / f"probe-{kernel}.ipynb"
    nbformat.write(nb, src)
    monkeypatch.setenv("FORK_TEST_MARK", kernel)
    pm.execute_notebook(str(src), str(out), kernel_name=kernel, cwd=str(tmp_path),
                        progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    printed = json.loads(executed.cells[2].outputs[0]["text"])
    pngs = sum("image/png" in o.get("data", {}) for o in executed.cells[1].outputs)
    return printed, pngs


@pytest.mark.skipif(os.name != "posix", reason="fork() is POSIX only")
def test_forked_kernel_matches_an_ordinary_one(tmp_path, monkeypatch):
    if nbtools.kernel_name() == "python3":
        pytest.skip("SCALEKIT_FORK_KERNELS=0")
    forked, forked_pngs = run(tmp_path, "scalekit-fork", monkeypatch)
    plain, plain_pngs = run(tmp_path, "python3", monkeypatch)
    assert forked_pngs == plain_pngs == 1  # the inline backend displays the figure
    assert forked["mark"] == "scalekit-fork" and plain["mark"] == "python3"
    assert forked["pid"] != os.getpid()
    for key in ("cwd", "path", "sum", "backend"):
        assert forked[key] == plain[key], key
