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
# The source recommends a dozen frameworks and tools (its §7.2). This page lists them
# with what each is actually for, where its official documentation lives, and — for the
# ones this book installs — the version that built the page you are reading, read from the
# running Python environment rather than typed. Three of the source's descriptions are
# wrong and are corrected here:
#
# * **Horovod is not "Apache MXNet's distributed training library".** It was started at
#   Uber {cite:p}`sergeev2018horovod` and works with TensorFlow, Keras, PyTorch and MXNet;
#   it is now hosted by the LF AI & Data Foundation.
# * **Keras no longer has "TensorFlow and Theano backends".** Theano support ended with
#   multi-backend Keras 2.3 (2019). Keras 3 (2023) runs on JAX, TensorFlow and PyTorch.
#   This book uses Keras 2 (the `tf_keras` package) because the TensorFlow Model
#   Optimization toolkit requires it.
# * **"PyTorch Model Zoo" is not a compression tool.** Pre-trained PyTorch models are
#   distributed through `torchvision.models` and `torch.hub`; compression tooling lives in
#   `torch.ao` (quantization, pruning).
#
# The source's installation advice (`pip install tensorflow-gpu`) is outdated too; see the
# environment section of Chapter 5.

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
seed = 0   # nothing here is random; every notebook has the same knob

# %% [markdown]
# ## Frameworks and tools
#
# Each row: the tool, what it is for, its official site, and the distribution name under
# which pip installs it (used to read the installed version).

# %%
from importlib import metadata

import pandas as pd
from myst_nb import glue

TOOLS = [
    ("TensorFlow", "framework", "End-to-end ML framework: tensors, autodiff, tf.data, tf.distribute, TFLite",
     "https://www.tensorflow.org", "tensorflow"),
    ("Keras 2 (tf_keras)", "framework", "High-level model API; the Keras 2 line kept for TensorFlow 2.16+",
     "https://github.com/keras-team/tf-keras", "tf-keras"),
    ("Keras 3", "framework", "High-level model API on JAX, TensorFlow or PyTorch backends",
     "https://keras.io", "keras"),
    ("PyTorch", "framework", "Define-by-run tensors and autodiff; torch.distributed, torch.ao",
     "https://pytorch.org", "torch"),
    ("Apache MXNet", "framework", "Hybrid imperative/symbolic framework; retired to the Apache Attic in 2023",
     "https://mxnet.apache.org", "mxnet"),
    ("tf.distribute", "distributed training", "TensorFlow's strategies: Mirrored, MultiWorkerMirrored, ParameterServer, TPU",
     "https://www.tensorflow.org/guide/distributed_training", "tensorflow"),
    ("PyTorch Distributed", "distributed training", "torch.distributed: DDP, FSDP, RPC, collective communication",
     "https://pytorch.org/docs/stable/distributed.html", "torch"),
    ("Horovod", "distributed training", "Ring all-reduce data parallelism for TensorFlow, Keras, PyTorch, MXNet",
     "https://horovod.ai", "horovod"),
    ("TensorFlow Model Optimization", "compression", "Pruning, clustering and quantization-aware training for Keras 2",
     "https://www.tensorflow.org/model_optimization", "tensorflow-model-optimization"),
    ("ONNX Runtime", "inference", "Cross-platform inference (and training) engine for ONNX models",
     "https://onnxruntime.ai", "onnxruntime"),
    ("NumPy", "data", "N-dimensional arrays and numerical routines",
     "https://numpy.org", "numpy"),
    ("pandas", "data", "Tabular data frames: loading, cleaning, grouping",
     "https://pandas.pydata.org", "pandas"),
    ("OpenCV", "data", "Computer-vision and image-processing library",
     "https://opencv.org", "opencv-python"),
    ("scikit-learn", "data", "Classical ML, metrics, model selection; ships the data sets this book uses",
     "https://scikit-learn.org", "scikit-learn"),
    ("Jupyter Book", "publishing", "Builds this book from Markdown and notebooks",
     "https://jupyterbook.org", "jupyter-book"),
    ("papermill", "publishing", "Runs notebooks headlessly with injected parameters (the book's tests)",
     "https://papermill.readthedocs.io", "papermill"),
]


def installed_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


table = pd.DataFrame(TOOLS, columns=["tool", "kind", "what it is for", "official site", "dist"])
table["version in this build"] = table["dist"].map(installed_version)
table = table.drop(columns="dist")
installed = table[table["version in this build"] != "not installed"]
glue("tools_listed", len(table), display=False)
glue("tools_installed", int(installed["tool"].nunique()), display=False)
glue("tensorflow_version", installed_version("tensorflow"), display=False)
glue("tf_keras_version", installed_version("tf-keras"), display=False)
glue("tfmot_version", installed_version("tensorflow-model-optimization"), display=False)
table.style.hide(axis="index")

# %% [markdown]
# Of the {glue:text}`tools_listed` tools, {glue:text}`tools_installed` are installed in the
# environment that built this page (TensorFlow {glue:text}`tensorflow_version`, tf_keras
# {glue:text}`tf_keras_version`, TensorFlow Model Optimization
# {glue:text}`tfmot_version`); the others are listed for orientation only and nothing in
# the book depends on them. `constraints.txt` in the repository pins every package.
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
# ## Exercises
#
# 1. Add a row for a tool you use. Which distribution name does `importlib.metadata`
#    need for it?
# 2. Install `onnxruntime` in your environment and rerun this notebook: which cell output
#    changes, and which prose number?
