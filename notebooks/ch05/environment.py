# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (ch05-environment)=
# # Environment: what the book runs on, measured
#
# The source opens its project with a list of requirements and installation steps. Some
# are recommendations (a 4-core CPU, a Tesla V100, 16 GB of RAM), some are outdated
# (the `tensorflow-gpu` package, `tf.test.is_gpu_available()`), one is wrong about how
# shared libraries are found, and one no longer installs at all ("Python 3.8 or
# higher"). Instead of copying such a list, this page asks the running Python process
# what it has: versions, devices, how TensorFlow was built, and how fast this machine
# multiplies matrices. Run it on your own machine and you get your own numbers.

# %% tags=["remove-cell"]
# Colab: install the book's helper package (and its pinned stack) when it is missing.
import importlib.util
import subprocess
import sys

REPO = "git+https://github.com/scaling-ai-book/scaling-ai-models"
if "google.colab" in sys.modules and importlib.util.find_spec("scalekit") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"scalekit[book] @ {REPO}"], check=True)

# %% tags=["parameters"]
seed = 0                                   # seeds the smoke test's random matrix
matmul_sizes = [128, 256, 512, 1024, 2048]  # n of the n×n float32 matrix products timed
repeats = 5                                 # timed repeats per size (after one warm-up)

# %% [markdown]
# (ch05-hardware)=
# ## The running process, as one table
#
# `scalekit.env.setup` configures TensorFlow the way every chapter needs it (Keras 2
# behind `tf.keras`, quiet logs, seeds); `scalekit.env.system_table` then reads the
# versions from the installed package metadata and the devices from TensorFlow itself.
# Nothing in the table is typed by hand.

# %%
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from scalekit import env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
report.table(env.system_table())

# %% [markdown]
# The devices TensorFlow can place operations on (on a machine without a GPU, only the
# CPU; a GPU machine lists `/device:GPU:0` and so on):

# %%
gpus = tf.config.list_physical_devices("GPU")
report.record("env", gpu_count=len(gpus), cpu_count=os.cpu_count() or 1)
report.table(env.devices())

# %% [markdown]
# This page was built on a machine with {glue:text}`env_cpu_count` CPU cores (as
# `os.cpu_count()` reports them; a container may be allowed less) and
# {glue:text}`env_gpu_count` GPUs. The source's hardware list (4+ cores, a Tesla V100,
# 16 GB of RAM) is a recommendation for large models, not a requirement of this book:
# every experiment in it is sized to finish on two CPU cores, and the distributed
# chapters simulate several devices on one CPU with logical devices.
#
# (ch05-python-versions)=
# ## Which Python? Ask the package
#
# The source says "Python 3.8 or higher". A package's metadata states what it supports:
# `Requires-Python` is what `pip` enforces, and the classifiers list the versions its
# wheels are built for.

# %%
tf_meta = metadata.metadata("tensorflow")
supported = sorted(
    (c.rsplit("::", 1)[1].strip() for c in tf_meta.get_all("Classifier", [])
     if c.startswith("Programming Language :: Python :: 3.")),
    key=lambda v: tuple(int(p) for p in v.split(".")),
)
print(f"tensorflow {tf.__version__}: Requires-Python {tf_meta['Requires-Python']}; "
      f"wheels for Python {', '.join(supported)}")

# %%
report.record("env", tf_min_python_minor=int(supported[0].split(".")[1]),
              python38_supported="3.8" in supported)

# %% [markdown]
# The installed TensorFlow supports Python 3.{glue:text}`env_tf_min_python_minor` and
# newer, so on Python 3.8 or 3.9 `pip install tensorflow` finds only old releases (or
# nothing). The book itself pins Python 3.10 to 3.12 (`pyproject.toml`). Operating-system
# minimums move the same way; TensorFlow's install page lists the current ones
# ({cite:p}`tensorflowpip`), and since TensorFlow 2.11 GPU support on Windows
# requires WSL2 rather than native Windows.
#
# (ch05-path-order)=
# ### Which `python` runs? The order of `PATH`
#
# The source adds Anaconda with `export PATH="$PATH:/path/to/anaconda3/bin"`, so that
# "Python and its libraries can be used in any terminal". The shell runs the *first*
# `python` it finds in the directories of `PATH`, read from left to right. Appending puts
# Anaconda last: wherever the system already has a `python` (most Linux distributions,
# macOS with developer tools), that one still runs. We show it with two fake `python`
# programs, one in a "system" folder and one in an "anaconda3/bin" folder:

# %%
def fake_python(folder: Path, name: str) -> None:
    """An executable called ``python`` that prints ``name``."""
    folder.mkdir(parents=True)
    exe = folder / "python"
    exe.write_text(f"#!/bin/sh\necho {name}\n")
    exe.chmod(0o755)


root = Path(tempfile.mkdtemp())
system_bin, conda_bin = root / "usr" / "bin", root / "anaconda3" / "bin"
fake_python(system_bin, "system")
fake_python(conda_bin, "anaconda")
which = {}
for order, path in [("appended (the source)", f"{system_bin}{os.pathsep}{conda_bin}"),
                    ("prepended", f"{conda_bin}{os.pathsep}{system_bin}")]:
    found = shutil.which("python", path=path)
    ran = subprocess.run([found], capture_output=True, text=True, check=True)
    which[order] = ran.stdout.strip()
shutil.rmtree(root)
which

# %%
report.record("env",
              path_appended_runs_anaconda=which["appended (the source)"] == "anaconda",
              path_prepended_runs_anaconda=which["prepended"] == "anaconda")

# %% [markdown]
# Appended, `python` is the system's (Anaconda wins:
# {glue:text}`env_path_appended_runs_anaconda`); prepended, `export PATH="/path/to/anaconda3/bin:$PATH"`, it is Anaconda's
# ({glue:text}`env_path_prepended_runs_anaconda`). Anaconda's own installer does the
# latter through `conda init`, and `conda activate` prepends the active environment; a
# virtual environment (`python -m venv`) works the same way.
#
# (ch05-gpu-setup)=
# ## GPU TensorFlow today
#
# The source installs `tensorflow-gpu`, checks the GPU with `tf.test.is_gpu_available()`
# and sets `CUDA_HOME`, `PATH` and `LD_LIBRARY_PATH` by hand. All three steps are out of
# date:
#
# * **There is one package.** Since TensorFlow 2.1 the `tensorflow` package itself
#   contains GPU support, and `tensorflow-gpu` was retired: since December 2022 that name
#   installs an empty package that stops with an error. On Linux,
#   `pip install "tensorflow[and-cuda]"` also installs the CUDA and cuDNN libraries as
#   pip wheels (the `nvidia-*` packages), so no system CUDA toolkit and no environment
#   variables are needed; only the NVIDIA driver must be on the machine
#   {cite:p}`tensorflowpip`. The extra is declared in the package metadata, and the
#   Linux build reports whether it was compiled with CUDA:

# %%
extras = tf_meta.get_all("Provides-Extra", [])
cuda_wheels = sorted({r.split(";")[0].split("<")[0].split(">")[0].strip()
                      for r in metadata.requires("tensorflow") or []
                      if 'extra == "and-cuda"' in r})
build = tf.sysconfig.get_build_info()
print("extras:", extras)
print("installed by [and-cuda]:", ", ".join(cuda_wheels))
print({k: build.get(k) for k in ("is_cuda_build", "cuda_version", "cudnn_version")})

# %%
report.record("env", has_and_cuda_extra="and-cuda" in extras)

# %% [markdown]
# * **Ask for devices, not a yes/no.** `tf.test.is_gpu_available()` is deprecated; its
#   own docstring says what to use instead:

# %%
doc = tf.test.is_gpu_available.__doc__ or ""
print("\n".join(doc.strip().splitlines()[:5]))
print("tf.config.list_physical_devices('GPU') ->", gpus)
report.record("env", is_gpu_available_deprecated="deprecated" in doc.lower())

# %% [markdown]
# (ch05-headers-not-libraries)=
# * **Headers are not libraries.** The dynamic loader searches `LD_LIBRARY_PATH` for
#   shared libraries (`.so` files) when a program starts. A CUDA `include/` directory
#   holds C headers (`.h` files) used when *compiling* code, so the source's
#   `$CUDA_HOME/include` on `LD_LIBRARY_PATH` does nothing. TensorFlow's own
#   installation shows the difference: its headers and its libraries live in different
#   places (paths relative to the installed `tensorflow` package).

# %%
package = Path(tf.__file__).parent
include_dir, lib_dir = Path(tf.sysconfig.get_include()), Path(tf.sysconfig.get_lib())
n_headers = sum(1 for _ in include_dir.rglob("*.h"))
n_so_in_include = sum(1 for _ in include_dir.rglob("*.so*"))
libs = sorted(p.name for p in lib_dir.glob("*.so*"))
print(f"tensorflow/{include_dir.relative_to(package)}: {n_headers} headers (.h), "
      f"{n_so_in_include} shared libraries (.so)")
print(f"tensorflow/{lib_dir.relative_to(package)}".rstrip("/."), ":", libs)

# %%
report.record("env", include_headers=n_headers, include_shared_libs=n_so_in_include)

# %% [markdown]
# TensorFlow's include directory holds {glue:text}`env_include_headers` headers and
# {glue:text}`env_include_shared_libs` shared libraries. If you do install CUDA by hand
# (for example to compile custom ops), the library directory is `$CUDA_HOME/lib64`; with
# `tensorflow[and-cuda]` you normally set nothing.
#
# (ch05-legacy-keras)=
# ## Keras 2 behind `tf.keras`: what `TF_USE_LEGACY_KERAS` does
#
# Since TensorFlow 2.16, `tf.keras` is Keras 3, a multi-backend rewrite. The TensorFlow
# Model Optimization toolkit (pruning, quantization-aware training, clustering; the
# compression section of this chapter) works only with Keras 2, which now ships as the
# separate `tf_keras` package. The environment variable `TF_USE_LEGACY_KERAS=1` makes
# `tf.keras` resolve to `tf_keras`. When is it read? Not at `import tensorflow`:
# `tf.keras` is a lazily loaded module, and the variable is read the first time
# something touches `tf.keras`. We check both orders in fresh Python processes:

# %%
ORDERS = {
    "import tensorflow, set the variable, use tf.keras": """
        import os
        import tensorflow as tf
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        print(tf.keras.layers.Dense.__module__)""",
    "import tensorflow, use tf.keras, set the variable": """
        import os
        import tensorflow as tf
        tf.keras.layers.Dense
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        print(tf.keras.layers.Dense.__module__)""",
}
clean_env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
keras_of = {}
for order, code in ORDERS.items():
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=clean_env,
                         capture_output=True, text=True, timeout=300, check=True)
    keras_of[order] = run.stdout.split()[-1]
keras_table = pd.DataFrame({"order": list(keras_of),
                            "Dense is defined in": list(keras_of.values())})
report.table(keras_table, index=False)

# %%
late = keras_of["import tensorflow, set the variable, use tf.keras"]
touched = keras_of["import tensorflow, use tf.keras, set the variable"]

# %%
report.record("env", legacy_set_after_import_works=late.startswith("tf_keras"),
              legacy_set_after_first_use_works=touched.startswith("tf_keras"),
              keras_is_legacy=tf.keras.layers.Dense.__module__.startswith("tf_keras"))

# %% [markdown]
# Set after `import tensorflow` but before the first use of `tf.keras`, the variable
# works (Keras 2: {glue:text}`env_legacy_set_after_import_works`); set after `tf.keras`
# was used once, it has no effect in that process (Keras 2:
# {glue:text}`env_legacy_set_after_first_use_works`), because the module it chose is
# cached. Setting it before `import tensorflow` is therefore the safe habit, not a
# requirement. `import scalekit` sets it (if you have not), and `scalekit.env.setup`
# checks where `tf.keras` layers come from: in this notebook Keras 2
# ({glue:text}`env_keras_is_legacy`).

# %%
print("TF_USE_LEGACY_KERAS =", os.environ.get("TF_USE_LEGACY_KERAS"))
print(" | ".join(f"{d} {metadata.version(d)}"
                 for d in ("tf-keras", "keras", "tensorflow-model-optimization")))

# %% [markdown]
# (ch05-smoke-test)=
# ## The source's smoke test
#
# The source verifies the installation with one line, which still works unchanged:
#
# ```shell
# python -c "import tensorflow as tf; print(tf.reduce_sum(tf.random.normal([1000, 1000])))"
# ```
#
# It sums a million standard-normal numbers. The sum is itself normal with mean 0 and
# standard deviation √10⁶ = 1000, so any value within a few thousand of zero is a pass;
# the exact number depends on the seed.

# %%
total = float(tf.reduce_sum(tf.random.normal([1000, 1000])))
report.record("env", smoke_sum=total, smoke_z=total / 1000.0)

# %% [markdown]
# The sum is {glue:text}`env_smoke_sum:.1f`, i.e. {glue:text}`env_smoke_z:.2f` standard
# deviations from zero. It shows that TensorFlow imports, runs an op and returns a value;
# it says nothing about speed. For that we time the operation that dominates neural
# network training.
#
# (ch05-matmul-rate)=
# ## How fast is this machine? A float32 matrix-multiply rate
#
# Multiplying two n×n matrices takes n³ multiplications and n³ additions (strictly
# n²(n−1), the difference vanishes for large n), so **2n³ floating-point operations**. If
# one product takes t seconds, the machine sustained 2n³/t FLOP/s. We time
# `tf.linalg.matmul` on random float32 matrices: one warm-up call (it pays one-off costs
# such as choosing a kernel and allocating memory), then `repeats` timed calls, of which
# we report the median, which ignores the occasional slow run caused by other programs.
# The result is fetched to the host (`.numpy()` on one element), so on a GPU, where
# operations run asynchronously, the timing still covers the whole product.

# %%
def time_median(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


rng = np.random.default_rng(seed)
rows = []
for n in matmul_sizes:
    a = tf.constant(rng.standard_normal((n, n), dtype=np.float32))
    b = tf.constant(rng.standard_normal((n, n), dtype=np.float32))
    flops = 2 * n**3
    seconds = time_median(lambda a=a, b=b: tf.linalg.matmul(a, b)[0, 0].numpy(),
                          repeats)
    rows.append({"n": n, "FLOPs (2n³)": flops, "median seconds": seconds,
                 "GFLOP/s": flops / seconds / 1e9})
rates = pd.DataFrame(rows)
report.table(rates, digits=3, index=False)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.4)
plots.loglog(rates, "n", "GFLOP/s", ax=ax,
             title="float32 matrix multiply on this machine",
             xlabel="matrix size n (n×n · n×n)", ylabel="GFLOP/s (2n³ / median time)")
ax.set_xticks(matmul_sizes, [str(n) for n in matmul_sizes])
ax.minorticks_off()
report.figure("matmul_fig", fig)

# %% tags=["remove-input"]
tf_rates = rates.set_index("n")["GFLOP/s"]
report.record("matmul", gflops=tf_rates.iloc[-1], size=int(tf_rates.index[-1]),
              gflops_smallest=tf_rates.iloc[0], size_smallest=int(tf_rates.index[0]),
              gflops_peak=tf_rates.max(), speedup=tf_rates.iloc[-1] / tf_rates.iloc[0])

# %% [markdown]
# ```{glue:figure} matmul_fig
# :alt: Log-log line chart of float32 matrix-multiply throughput in GFLOP/s against matrix size n; the rate rises with n and levels off for the largest sizes.
# :name: fig-ch05-matmul
#
# Sustained float32 matrix-multiply rate (2n³ over the median time) for each size n.
# ```
#
# At n = {glue:text}`matmul_size` TensorFlow sustained {glue:text}`matmul_gflops:.1f`
# GFLOP/s on this machine; at n = {glue:text}`matmul_size_smallest` only
# {glue:text}`matmul_gflops_smallest:.1f` GFLOP/s, {glue:text}`matmul_speedup:.1f` times
# less (the best size reached {glue:text}`matmul_gflops_peak:.1f`). A small product is
# dominated by fixed costs per call (Python and op dispatch, thread start-up, memory
# traffic) rather than arithmetic, which is one reason why training runs faster per
# example with larger batches. These figures come from a shared machine and vary from
# run to run, by tens of percent; compare your own run with them in orders of magnitude
# only. A current data-centre GPU reaches tens to hundreds of TFLOP/s on this operation,
# a factor of a thousand or more.
#
# (ch05-memory)=
# ### Memory
#
# The source asks for at least 16 GB of RAM. The operating system records the peak
# resident memory of this process (TensorFlow, the book's stack and the matrices above):

# %%
try:
    import resource  # Unix only
except ImportError:  # Windows: no getrusage
    resource = None
if resource is not None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB (Linux), B (macOS)
    peak_gb = peak * (1 if sys.platform == "darwin" else 1024) / 1e9
else:
    peak_gb = float("nan")

# %%
report.record("env", peak_rss_gb=peak_gb, peak_rss_share_of_16gb=peak_gb / 16)

# %% [markdown]
# This page peaked at {glue:text}`env_peak_rss_gb:.2f` GB, a share of
# {glue:text}`env_peak_rss_share_of_16gb:.0%` of the source's 16 GB. The largest models
# of this book are small too; 16 GB is a reasonable figure for real models, not a
# requirement of the book.
#
# ## How to run the book
#
# * **Locally.** Clone the repository and run `python3 dev.py book` (creates `.venv` with
#   the pinned versions of `constraints.txt`, executes every notebook, builds the HTML)
#   or `python3 dev.py test` (lint, unit tests, every notebook with small parameters,
#   strict build). To work on one notebook, open it with `.venv/bin/jupyter lab`.
# * **On Colab.** The rocket icon at the top of a notebook page opens it on Colab; its
#   first, hidden cell installs `scalekit` and the pinned stack when they are missing.
#   Colab's free GPU appears in the device table above when you select a GPU runtime.
# * **Headless, with other parameters.** Every notebook has one cell tagged
#   `parameters`; papermill overrides it (`-p` for a number or a string, `-y` for YAML
#   such as a list). For this page, with larger matrices:
#
#   ```bash
#   .venv/bin/papermill notebooks/ch05/environment.ipynb /tmp/environment.ipynb \
#       -y "matmul_sizes: [512, 1024, 2048, 4096]" -p repeats 3 --cwd notebooks/ch05
#   ```
#
# ## Summary
#
# * This page ran on {glue:text}`env_cpu_count` CPU cores and {glue:text}`env_gpu_count`
#   GPUs; every version in its tables was read from the running process.
# * The installed TensorFlow needs Python 3.{glue:text}`env_tf_min_python_minor` or newer,
#   not the source's 3.8; `tensorflow-gpu` is gone and `tf.test.is_gpu_available` is
#   deprecated.
# * `PATH` is searched left to right: the source's appended Anaconda loses to a system
#   `python` (Anaconda runs: {glue:text}`env_path_appended_runs_anaconda`).
# * `TF_USE_LEGACY_KERAS` is read at the first use of `tf.keras`, not at
#   `import tensorflow` (set after the import: Keras 2
#   {glue:text}`env_legacy_set_after_import_works`; after the first use:
#   {glue:text}`env_legacy_set_after_first_use_works`).
# * float32 matrix multiply reached {glue:text}`matmul_gflops:.1f` GFLOP/s at
#   n = {glue:text}`matmul_size`, {glue:text}`matmul_speedup:.1f` times the rate at
#   n = {glue:text}`matmul_size_smallest`; the process peaked at
#   {glue:text}`env_peak_rss_gb:.2f` GB of memory.
#
# ## Exercises
#
# 1. Run this notebook on Colab with and without a GPU runtime. By what factor does the
#    n = 2048 rate change? Why does the factor shrink for n = 128?
# 2. Time `tf.linalg.matmul` in float64 as well. How much slower is it on your CPU, and
#    why would the ratio be far larger on a consumer GPU?
# 3. In a fresh interpreter, `import tensorflow`, then run `tf.keras.Sequential`, and only
#    then set `os.environ["TF_USE_LEGACY_KERAS"] = "1"`. Print
#    `tf.keras.layers.Dense.__module__`. Now restart and set the variable right after the
#    import instead. What do the two results tell you about when the variable is read?
# 4. In your own shell, run `type -a python` (or `where python` on Windows). Which
#    directory wins, and what would `export PATH="$PATH:..."` change?
