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
# (ch01-history)=
# # A short history of scaling
#
# The source text tells the history of model scaling as seven stages: single-machine
# training, distributed computing, compression and pruning, transfer and multi-task
# learning, adaptive learning rates, deep architectures, and real-time systems. The stages
# overlap in time far more than a list suggests, so this page draws them on one time axis,
# with the year each idea was *published* and a reference you can look up.

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
seed = 0            # unused here (nothing is random), kept so every notebook has the same knob
since = 1950        # earliest year drawn

# %%
import pandas as pd
from myst_nb import glue

from scalekit import plots

plots.set_theme()

# %% [markdown]
# The events, one row each: year of publication, what appeared, the stage of the source's
# list it belongs to, and the bibliography key of the work (see {doc}`/book/ch10_further_reading`).

# %%
events = pd.DataFrame(
    [
        (1951, "Stochastic approximation (Robbins & Monro): the root of SGD", "optimization", "robbins1951stochastic"),
        (1958, "The perceptron (Rosenblatt)", "architectures", "rosenblatt1958perceptron"),
        (1964, "Heavy-ball momentum (Polyak)", "optimization", "polyak1964some"),
        (1986, "Back-propagation popularized (Rumelhart, Hinton & Williams)", "optimization", "rumelhart1986learning"),
        (1989, "Convolutional network trained by back-propagation (LeCun et al.)", "architectures", "lecun1989backpropagation"),
        (1997, "Multitask learning (Caruana)", "transfer & multi-task", "caruana1997multitask"),
        (1997, "LSTM (Hochreiter & Schmidhuber)", "architectures", "hochreiter1997long"),
        (2006, "Model compression by mimicking an ensemble (Buciluǎ et al.)", "compression", "bucilua2006model"),
        (2008, "MapReduce in CACM (OSDI 2004; Hadoop is its open-source clone)", "distributed", "dean2008mapreduce"),
        (2010, "Spark: in-memory cluster computing (Zaharia et al.)", "distributed", "zaharia2010spark"),
        (2010, "Glorot initialization", "optimization", "glorot2010understanding"),
        (2010, "Survey of transfer learning (Pan & Yang)", "transfer & multi-task", "pan2010survey"),
        (2011, "AdaGrad (Duchi, Hazan & Singer)", "optimization", "duchi2011adaptive"),
        (2012, "DistBelief: large-scale distributed deep networks (Dean et al.)", "distributed", "dean2012large"),
        (2014, "The parameter server (Li et al.)", "distributed", "li2014scaling"),
        (2015, "Adam (Kingma & Ba)", "optimization", "kingma2015adam"),
        (2015, "Batch normalization (Ioffe & Szegedy)", "architectures", "ioffe2015batch"),
        (2015, "Magnitude pruning (Han, Pool, Tran & Dally)", "compression", "han2015learning"),
        (2015, "Knowledge distillation (Hinton, Vinyals & Dean)", "compression", "hinton2015distilling"),
        (2016, "Residual networks (He et al.)", "architectures", "he2016deep"),
        (2016, "Deep Compression: prune, quantize, Huffman-code (Han et al.)", "compression", "han2016deep"),
        (2017, "Large-minibatch SGD: linear LR scaling + warm-up (Goyal et al.)", "distributed", "goyal2017accurate"),
        (2017, "The Transformer (Vaswani et al.)", "architectures", "vaswani2017attention"),
        (2018, "Horovod: ring all-reduce for TensorFlow and more (Sergeev & Del Balso)", "distributed", "sergeev2018horovod"),
        (2018, "Integer-only quantized inference (Jacob et al.)", "compression", "jacob2018quantization"),
        (2020, "Scaling laws for language models (Kaplan et al.)", "scaling laws", "kaplan2020scaling"),
        (2022, "Compute-optimal training, 'Chinchilla' (Hoffmann et al.)", "scaling laws", "hoffmann2022training"),
    ],
    columns=["year", "event", "category", "reference"],
)
events = events[events["year"] >= since].reset_index(drop=True)
glue("history_events", len(events), display=False)
glue("history_first_year", int(events["year"].min()), display=False)
glue("history_last_year", int(events["year"].max()), display=False)

# %%
ax = plots.timeline(events)
ax.set_title("Ideas behind model scaling, by year of publication")

# %% [markdown]
# Reading the figure against the source's seven stages:
#
# * **Optimization came first, not last.** Stochastic approximation (1951) and momentum
#   (1964) predate neural networks' first wave; the source's "adaptive learning rate" stage
#   (AdaGrad 2011, RMSprop 2012, Adam 2015) is a late refinement of them.
# * **Distributed computing for data (MapReduce, Spark) and for deep learning (DistBelief,
#   the parameter server, all-reduce) are different lines.** Hadoop and Spark process data
#   at scale; deep-network training at scale began with DistBelief and the parameter
#   server, and today mostly uses synchronous all-reduce ({ref}`measured in Chapter 5 <ch05-distributed>`).
# * **Compression is older than deep learning's boom**: ensembles were compressed into
#   small models in 2006; pruning, quantization and distillation followed in 2015–2018.
# * **Scaling laws turned "bigger is better" into a measurable relation** between
#   parameters, data, compute and loss (2020, 2022) — the subject of Part II.
#
# The figure shows {glue:text}`history_events` milestones from
# {glue:text}`history_first_year` to {glue:text}`history_last_year`; each row of the
# `reference` column names its publication. The selection is ours and far from complete.
#
# Sources, in the order of the figure: {cite:p}`robbins1951stochastic,rosenblatt1958perceptron,polyak1964some,rumelhart1986learning,lecun1989backpropagation,caruana1997multitask,hochreiter1997long,bucilua2006model,dean2008mapreduce,zaharia2010spark,glorot2010understanding,pan2010survey,duchi2011adaptive,dean2012large,li2014scaling,kingma2015adam,ioffe2015batch,han2015learning,hinton2015distilling,he2016deep,han2016deep,goyal2017accurate,vaswani2017attention,sergeev2018horovod,jacob2018quantization,kaplan2020scaling,hoffmann2022training`.
