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
# behind `tf.keras`, quiet logs, seeds); `scalekit.env.report` then reads the versions
# from the installed package metadata and the devices from TensorFlow itself. Nothing in
# the table is typed by hand.

# %%
import os
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from myst_nb import glue

from scalekit import env, plots

tf = env.setup(seed=seed)
plots.set_theme()
env.report()

# %% [markdown]
# The devices TensorFlow can place operations on (on a machine without a GPU, only the
# CPU; a GPU machine lists `/device:GPU:0` and so on):

# %%
gpus = tf.config.list_physical_devices("GPU")
glue("env_gpu_count", len(gpus), display=False)
glue("env_cpu_count", int(os.cpu_count() or 1), display=False)
env.devices()

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
requires_python = tf_meta["Requires-Python"]
print(f"tensorflow {tf.__version__}: Requires-Python {requires_python}; "
      f"wheels for Python {', '.join(supported)}")
min_minor = int(supported[0].split(".")[1])
glue("env_tf_min_python_minor", min_minor, display=False)
glue("env_python38_supported", bool("3.8" in supported), display=False)

# %% [markdown]
# The installed TensorFlow supports Python 3.{glue:text}`env_tf_min_python_minor` and
# newer, so on Python 3.8 or 3.9 `pip install tensorflow` finds only old releases (or
# nothing). The book itself pins Python 3.10 to 3.12 (`pyproject.toml`). Operating-system
# minimums move the same way; TensorFlow's install page lists the current ones
# ({cite:p}`tensorflowpip`), and since TensorFlow 2.11 GPU support on Windows
# requires WSL2 rather than native Windows.
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
#   installs an empty package that stops with an error. On Linux, `pip install "tensorflow[and-cuda]"` also installs the CUDA and
#   cuDNN libraries as pip wheels (the `nvidia-*` packages), so no system CUDA toolkit
#   and no environment variables are needed; only the NVIDIA driver must be on the
#   machine {cite:p}`tensorflowpip`. The extra is declared in the package
#   metadata, and the Linux build reports that it was compiled with CUDA:

# %%
extras = tf_meta.get_all("Provides-Extra", [])
cuda_wheels = sorted({r.split(";")[0].split("<")[0].split(">")[0].strip()
                      for r in metadata.requires("tensorflow") or [] if 'extra == "and-cuda"' in r})
build = tf.sysconfig.get_build_info()
print("extras:", extras)
print("installed by [and-cuda]:", ", ".join(cuda_wheels))
print({k: build.get(k) for k in ("is_cuda_build", "cuda_version", "cudnn_version")})
glue("env_has_and_cuda_extra", bool("and-cuda" in extras), display=False)

# %% [markdown]
# * **Ask for devices, not a yes/no.** `tf.test.is_gpu_available()` is deprecated; its
#   own docstring says what to use instead:

# %%
doc = tf.test.is_gpu_available.__doc__ or ""
print("\n".join(doc.strip().splitlines()[:5]))
glue("env_is_gpu_available_deprecated", bool("deprecated" in doc.lower()), display=False)
print("tf.config.list_physical_devices('GPU') ->", tf.config.list_physical_devices("GPU"))

# %% [markdown]
# (ch05-headers-not-libraries)=
# * **Headers are not libraries.** The dynamic loader searches `LD_LIBRARY_PATH` for
#   shared libraries (`.so` files) when a program starts. A CUDA `include/` directory holds
#   C headers (`.h` files) used when *compiling* code, so the source's
#   `$CUDA_HOME/include` on `LD_LIBRARY_PATH` does nothing. TensorFlow's own installation
#   shows the difference: its headers and its libraries live in different places.

# %%
include_dir = Path(tf.sysconfig.get_include())
lib_dir = Path(tf.sysconfig.get_lib())
n_headers = sum(1 for _ in include_dir.rglob("*.h"))
n_so_in_include = sum(1 for _ in include_dir.rglob("*.so*"))
libs = sorted(p.name for p in lib_dir.glob("*.so*"))
print(f"{include_dir}: {n_headers} headers (.h), {n_so_in_include} shared libraries (.so)")
print(f"{lib_dir}: {libs}")
glue("env_include_headers", int(n_headers), display=False)
glue("env_include_shared_libs", int(n_so_in_include), display=False)

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
# separate `tf_keras` package. Setting the environment variable `TF_USE_LEGACY_KERAS=1`
# *before TensorFlow is imported* makes `tf.keras` resolve to `tf_keras`; setting it later
# has no effect in that process. `scalekit.env.setup` sets it (and `import scalekit`
# does too), then checks where `tf.keras` layers come from:

# %%
print("TF_USE_LEGACY_KERAS =", os.environ.get("TF_USE_LEGACY_KERAS"))
print("tf.keras.layers.Dense is defined in", tf.keras.layers.Dense.__module__)
print("tf_keras", metadata.version("tf-keras"), "| keras", metadata.version("keras"),
      "| tensorflow-model-optimization", metadata.version("tensorflow-model-optimization"))
glue("env_keras_is_legacy", tf.keras.layers.Dense.__module__.startswith("tf_keras"),
     display=False)

# %% [markdown]
# If you write your own scripts with the book's stack, put `import scalekit` (or
# `os.environ["TF_USE_LEGACY_KERAS"] = "1"`) above `import tensorflow`.
#
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
total = tf.reduce_sum(tf.random.normal([1000, 1000]))
print(total)
glue("env_smoke_sum", float(total), display=False)
glue("env_smoke_z", float(total) / 1000.0, display=False)

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
# such as choosing a kernel and allocating memory), then `repeats` timed calls, of which we
# report the median, which ignores the occasional slow run caused by other programs. The
# result is fetched to the host (`.numpy()` on one element), so on a GPU, where operations
# run asynchronously, the timing still covers the whole product.

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
    seconds = time_median(lambda a=a, b=b: tf.linalg.matmul(a, b)[0, 0].numpy(), repeats)
    rows.append({"n": n, "FLOPs (2n³)": flops, "median seconds": seconds,
                 "GFLOP/s": flops / seconds / 1e9})
rates = pd.DataFrame(rows)
rates.style.format({"FLOPs (2n³)": "{:.3g}", "median seconds": "{:.2e}", "GFLOP/s": "{:.1f}"})

# %%
ax = plots.loglog(rates, "n", "GFLOP/s",
                  title="float32 matrix multiply on this machine",
                  xlabel="matrix size n (n×n · n×n)", ylabel="GFLOP/s (2n³ / median time)")
ax.set_xticks(matmul_sizes, [str(n) for n in matmul_sizes])
ax.minorticks_off()

# %%
tf_rates = rates.set_index("n")["GFLOP/s"]
glue("matmul_gflops", float(tf_rates.iloc[-1]), display=False)
glue("matmul_size", int(tf_rates.index[-1]), display=False)
glue("matmul_gflops_smallest", float(tf_rates.iloc[0]), display=False)
glue("matmul_size_smallest", int(tf_rates.index[0]), display=False)
glue("matmul_gflops_peak", float(tf_rates.max()), display=False)
glue("matmul_speedup", float(tf_rates.iloc[-1] / tf_rates.iloc[0]), display=False)

# %% [markdown]
# At n = {glue:text}`matmul_size` TensorFlow sustained {glue:text}`matmul_gflops:.1f`
# GFLOP/s on this machine; at n = {glue:text}`matmul_size_smallest` only
# {glue:text}`matmul_gflops_smallest:.1f` GFLOP/s, {glue:text}`matmul_speedup:.1f` times
# less (the best size reached {glue:text}`matmul_gflops_peak:.1f`). A small product is
# dominated by fixed costs per call (Python and op dispatch, thread start-up, memory
# traffic) rather than arithmetic, which is one reason why training runs faster per
# example with larger batches. These figures come from a shared machine and vary from run
# to run, by tens of percent; compare your own run with them in orders of magnitude
# only. A current data-centre GPU reaches tens to hundreds of TFLOP/s on this operation,
# a factor of a thousand or more.
#
# Finally, memory. The source asks for at least 16 GB of RAM. The operating system
# records the peak resident memory of this process (TensorFlow, the book's stack and the
# matrices above):

# %%
try:
    import resource  # Unix only
except ImportError:  # Windows: no getrusage
    resource = None
if resource is not None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    peak_gb = peak * (1 if sys.platform == "darwin" else 1024) / 1e9
else:
    peak_gb = float("nan")
print(f"peak resident memory of this kernel: {peak_gb:.2f} GB")
glue("env_peak_rss_gb", float(peak_gb), display=False)

# %% [markdown]
# This page peaked at {glue:text}`env_peak_rss_gb:.2f` GB. The largest models of this
# book are small too; 16 GB is a reasonable figure for real models, not a requirement of
# the book.
#
# ## How to run the book
#
# * **Locally.** Clone the repository and run `python3 dev.py book` (creates `.venv` with
#   the pinned versions of `constraints.txt`, executes every notebook, builds the HTML) or
#   `python3 dev.py test` (lint, unit tests, every notebook with small parameters, strict
#   build). To work on one notebook, open it with `.venv/bin/jupyter lab`.
# * **On Colab.** The rocket icon at the top of a notebook page opens it on Colab; its
#   first, hidden cell installs `scalekit` and the pinned stack when they are missing.
#   Colab's free GPU appears in the device table above when you select a GPU runtime.
# * **Headless, with other parameters.** Every notebook has one cell tagged
#   `parameters`; papermill overrides it. For this page, with larger matrices:
#
#   ```bash
#   .venv/bin/papermill notebooks/ch05/environment.ipynb /tmp/environment.ipynb \
#       -p matmul_sizes "[512, 1024, 2048, 4096]" -p repeats 3 --cwd notebooks/ch05
#   ```
#
# ## Exercises
#
# 1. Run this notebook on Colab with and without a GPU runtime. By what factor does the
#    n = 2048 rate change? Why does the factor shrink for n = 128?
# 2. Time `tf.linalg.matmul` in float64 as well. How much slower is it on your CPU, and
#    why would the ratio be far larger on a consumer GPU?
# 3. Set `TF_USE_LEGACY_KERAS=1` *after* `import tensorflow` in a fresh interpreter and
#    print `tf.keras.layers.Dense.__module__`. What do you see, and why?
