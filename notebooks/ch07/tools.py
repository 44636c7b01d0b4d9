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
# (ch07-tools)=
# # Tools and resources
#
# The source recommends a dozen frameworks and tools (its §7.2, 开发工具框架推荐). This
# page lists them with what each is actually for, where its official documentation
# lives, and — for the ones this book installs — the version that built the page you are
# reading, read from the running Python environment rather than typed. It then checks
# the source's own descriptions one by one ({glue:text}`tools_source_errors` are wrong or
# out of date) and tests one of them, the Keras backends, against the Keras installed
# here.

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
seed = 0                 # nothing here is random; every notebook has the same knob
check_backends = True    # run Keras 3 once per backend name (a few seconds)

# %% [markdown]
# ## Frameworks and tools
#
# Each row: the tool (linked to its official site), what it is for, and the version
# installed in the environment that built this page (read with `importlib.metadata`, under the
# distribution names pip installs it by).

# %%
import os
import subprocess
import sys
from importlib import metadata

import pandas as pd

from scalekit import report

# tool, kind, what it is for, official site, pip distribution name(s)
TOOLS = [
    ("TensorFlow", "framework",
     "End-to-end ML framework: tensors, autodiff, tf.data, tf.distribute, TFLite",
     "https://www.tensorflow.org", ("tensorflow", "tensorflow-cpu")),
    ("Keras 2 (tf_keras)", "framework",
     "High-level model API; the Keras 2 line kept for TensorFlow 2.16 and later",
     "https://github.com/keras-team/tf-keras", ("tf-keras",)),
    ("Keras 3", "framework",
     "High-level model API on JAX, TensorFlow or PyTorch backends",
     "https://keras.io", ("keras",)),
    ("PyTorch", "framework",
     "Define-by-run tensors and autodiff; torch.distributed, torch.ao",
     "https://pytorch.org", ("torch",)),
    ("Apache MXNet", "framework",
     "Hybrid imperative/symbolic framework; retired to the Apache Attic in 2023",
     "https://attic.apache.org/projects/mxnet.html", ("mxnet",)),
    ("tf.distribute", "distributed training",
     "TensorFlow's strategies: Mirrored, MultiWorkerMirrored, ParameterServer, TPU",
     "https://www.tensorflow.org/guide/distributed_training", ("tensorflow",)),
    ("PyTorch Distributed", "distributed training",
     "torch.distributed: DDP, FSDP, RPC, collective communication",
     "https://pytorch.org/docs/stable/distributed.html", ("torch",)),
    ("Horovod", "distributed training",
     "Ring all-reduce data parallelism for TensorFlow, Keras, PyTorch and MXNet",
     "https://github.com/horovod/horovod", ("horovod",)),
    ("TensorFlow Model Optimization", "compression",
     "Pruning, weight clustering, quantization-aware training for Keras 2 "
     "(post-training quantization is the TFLite converter's job)",
     "https://www.tensorflow.org/model_optimization",
     ("tensorflow-model-optimization",)),
    ("torchvision.models, torch.hub", "pre-trained models",
     "Pre-trained PyTorch weights (what the source calls a 'Model Zoo')",
     "https://pytorch.org/vision/stable/models.html", ("torchvision",)),
    ("ONNX Runtime", "inference",
     "Cross-platform inference (and training) engine for ONNX models",
     "https://onnxruntime.ai", ("onnxruntime", "onnxruntime-gpu")),
    ("NumPy", "data", "N-dimensional arrays and numerical routines",
     "https://numpy.org", ("numpy",)),
    ("pandas", "data", "Tabular data frames: loading, cleaning, grouping",
     "https://pandas.pydata.org", ("pandas",)),
    ("OpenCV", "data", "Computer-vision and image-processing library",
     "https://opencv.org", ("opencv-python", "opencv-python-headless",
                            "opencv-contrib-python", "opencv-contrib-python-headless")),
    ("scikit-learn", "data",
     "Classical ML, metrics, model selection; bundles small data sets the book uses",
     "https://scikit-learn.org", ("scikit-learn",)),
    ("Jupyter Book", "publishing", "Builds this book from Markdown and notebooks",
     "https://jupyterbook.org", ("jupyter-book",)),
    ("papermill", "publishing",
     "Runs notebooks headlessly with injected parameters (the book's tests)",
     "https://papermill.readthedocs.io", ("papermill",)),
]


def installed_version(*dists: str) -> str:
    """The installed version of the first of ``dists`` that is installed, or ''."""
    for dist in dists:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return ""


tools = pd.DataFrame(TOOLS, columns=["tool", "kind", "what it is for", "site", "dists"])
tools["version here"] = [installed_version(*d) for d in tools["dists"]]
# the tool's name links to its official site
tools["tool"] = [f'<a href="{url}">{name}</a>'
                 for name, url in zip(tools["tool"], tools["site"], strict=True)]
report.table(tools.drop(columns=["site", "dists"]), index=False)

# %% [markdown]
# An empty version means the package is not installed here: those tools are listed for
# orientation only, and nothing in the book depends on them.

# %% tags=["remove-input"]
installed = tools[tools["version here"] != ""]
report.table(report.record(
    "tools", listed=len(tools), installed=len(installed),
    tensorflow_version=installed_version("tensorflow", "tensorflow-cpu"),
    tf_keras_version=installed_version("tf-keras"),
    keras_version=installed_version("keras"),
    tfmot_version=installed_version("tensorflow-model-optimization")))

# %% [markdown]
# Of the {glue:text}`tools_listed` rows, {glue:text}`tools_installed` name a package
# installed in the environment that built this page (TensorFlow
# {glue:text}`tools_tensorflow_version`, tf_keras {glue:text}`tools_tf_keras_version`,
# Keras {glue:text}`tools_keras_version`, TensorFlow Model Optimization
# {glue:text}`tools_tfmot_version`). `constraints.txt` in the repository pins every
# package.
#
# (ch07-source-check)=
# ## The source's descriptions, checked
#
# Each entry below quotes the source (§7.1–7.2) in its original Chinese, renders it in
# English, and says what is true.

# %%
checks = pd.DataFrame([
    ("7.2", "Horovod：Apache MXNet的分布式训练库",
     "Horovod: Apache MXNet's distributed training library",
     "Framework-agnostic: started at Uber (Sergeev and Del Balso, 2018), it serves "
     "TensorFlow, Keras, PyTorch and MXNet; hosted by the LF AI & Data Foundation"),
    ("7.2", "Keras：简洁易用的深度学习高级API，支持TensorFlow和Theano后端",
     "Keras: a concise, easy-to-use high-level deep-learning API supporting "
     "TensorFlow and Theano backends",
     "Out of date: Keras 2.3 (2019) was the last release with Theano; Keras 3 (2023) "
     "runs on JAX, TensorFlow and PyTorch (tested below)"),
    ("7.2", "模型压缩和优化工具：PyTorch Model Zoo：包含多种预训练模型和优化工具",
     "Model compression and optimization tools: PyTorch Model Zoo, with many "
     "pre-trained models and optimization tools",
     "No such PyTorch product: pre-trained weights come from torchvision.models and "
     "torch.hub; PyTorch's quantization and pruning live in torch.ao"),
    ("7.2", "Apache MXNet：支持多种编程语言，适用于大规模分布式训练",
     "Apache MXNet: many language bindings, suited to large-scale distributed training",
     "Retired to the Apache Attic in 2023 (no further releases): not a choice for "
     "new work"),
    ("7.1", "Medium上的技术博客，如Dataquest（https://www.dataquest.io/）",
     "technical blogs on Medium, such as Dataquest",
     "Dataquest is an online course platform with its own site and blog, not a Medium "
     "publication"),
], columns=["source §", "the source says", "in English", "what is true"])
report.table(checks, index=False)

# %% tags=["remove-cell"]
report.record("tools", source_errors=len(checks))

# %% [markdown]
# (ch07-keras-backends)=
# ### Which backends does Keras 3 accept?
#
# The claim about Keras backends can be tested on the Keras installed here. Keras 3
# reads its backend from the `KERAS_BACKEND` environment variable when it is first
# imported, so we import it once per backend name, each time in a fresh Python process.
# A backend Keras supports but whose package is missing fails with
# `ModuleNotFoundError`; a name Keras does not know fails with Keras's own
# `ValueError`.

# %%
def try_backend(name: str) -> subprocess.Popen:
    code = "import keras; print(keras.config.backend())"
    env = os.environ | {"KERAS_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen([sys.executable, "-c", code], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def outcome(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=300)
    last = (err.strip().splitlines() or [""])[-1]
    if proc.returncode == 0:
        return f"works (keras.config.backend() = {out.strip()!r})"
    if last.startswith("ModuleNotFoundError"):
        return "supported; its package is not installed here"
    if "Unable to import backend" in last:
        return f"not a Keras 3 backend: {last}"
    return f"failed: {last}"


names = ["tensorflow", "jax", "torch", "theano"] if check_backends else []
running = {name: try_backend(name) for name in names}   # in parallel
backends = pd.DataFrame({"KERAS_BACKEND": list(running),
                         "import keras": [outcome(p) for p in running.values()]})
report.table(backends, index=False)

# %% tags=["remove-input"]
result = dict(zip(backends["KERAS_BACKEND"], backends["import keras"], strict=True))
report.table(report.record(
    "tools", backends_checked=len(backends),
    tensorflow_backend_works=result.get("tensorflow", "").startswith("works"),
    theano_rejected=result.get("theano", "").startswith("not a Keras 3 backend")))

# %% [markdown]
# Keras {glue:text}`tools_keras_version` accepts `tensorflow` (the only backend package
# installed here) and knows `jax` and `torch`, which would work once installed; it
# rejects `theano` as an unknown backend. (Keras 3 also has NumPy and OpenVINO backends,
# for inference only.) This book uses Keras 2 — the `tf_keras` package, selected with
# `TF_USE_LEGACY_KERAS=1` — because the TensorFlow Model Optimization toolkit requires
# it.
#
# ## Learning resources
#
# Only resources that exist and can be found; the source's list mixes real ones with
# titles we could not find (see the {doc}`errata </book/errata>`).
#
# * **Books.** *Deep Learning* {cite:p}`goodfellow2016deep`, free to read online;
#   *Dive into Deep Learning* {cite:p}`zhang2023dive`, an executable book in the same
#   spirit as this one; *Python Machine Learning* {cite:p}`raschka2019python`.
# * **Courses.** DeepLearning.AI's *Deep Learning Specialization* on Coursera
#   (<https://www.coursera.org/specializations/deep-learning>); fast.ai's *Practical Deep
#   Learning for Coders* (<https://course.fast.ai>).
# * **Documentation that teaches.** TensorFlow's guides on distributed training and
#   model optimization (linked in the table); the Keras code examples
#   (<https://keras.io/examples/>).
#
# The source's installation advice (`pip install tensorflow-gpu`) is outdated too; see
# {ref}`the environment section of Chapter 5 <ch05-environment>`.
#
# ## Summary
#
# * The table lists {glue:text}`tools_listed` tools; {glue:text}`tools_installed` are
#   installed in the environment that built this page, with versions read from it
#   (TensorFlow {glue:text}`tools_tensorflow_version`, tf_keras
#   {glue:text}`tools_tf_keras_version`).
# * Horovod is not an MXNet library but a framework-agnostic all-reduce library
#   {cite:p}`sergeev2018horovod`; MXNet itself is retired.
# * Keras {glue:text}`tools_keras_version` was imported once per backend name
#   ({glue:text}`tools_backends_checked` names): it runs on TensorFlow here, knows JAX
#   and PyTorch, and rejects Theano.
#
# ## Exercises
#
# 1. Add a row for a tool you use. Which distribution name does `importlib.metadata`
#    need for it?
# 2. Install `onnxruntime` in your environment and rerun this notebook: which cell output
#    changes, and which number in the prose?
# 3. Install JAX (`pip install jax`) and rerun the backend check. What does
#    `keras.config.backend()` print now for `KERAS_BACKEND=jax`?
