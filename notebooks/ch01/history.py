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
# each at the year its idea was first *published*, with a reference you can look up.

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
seed = 0            # unused (nothing is random); every notebook has this knob
since = 1940        # earliest year drawn

# %% tags=["remove-cell"]
import pandas as pd
import seaborn as sns

from scalekit import plots, report

plots.set_theme()

# %% [markdown]
# The events, one row each: the year the idea was first published, what appeared, the
# stage of the source's list it belongs to, and the bibliography key of the work (see
# {doc}`/book/ch10_further_reading`). Where a later paper made an idea famous, the row
# still carries the first publication's year and names both.

# %%
EVENTS = [
    (1943, "Threshold-neuron networks (McCulloch & Pitts)", "architectures",
     "mcculloch1943logical"),
    (1951, "Stochastic approximation, the root of SGD", "optimization",
     "robbins1951stochastic"),
    (1958, "The perceptron (Rosenblatt)", "architectures", "rosenblatt1958perceptron"),
    (1964, "Heavy-ball momentum (Polyak)", "optimization", "polyak1964some"),
    (1986, "Back-propagation popularized (Rumelhart et al.)", "optimization",
     "rumelhart1986learning"),
    (1989, "CNN trained by back-propagation (LeCun et al.)", "architectures",
     "lecun1989backpropagation"),
    (1990, "Pruning: Optimal Brain Damage (NIPS 1989)", "compression",
     "lecun1990optimal"),
    (1992, "Training with limited-precision weights", "compression",
     "hoehfeld1992learning"),
    (1993, "Pruning: Optimal Brain Surgeon", "compression", "hassibi1993second"),
    (1997, "Multitask learning (Caruana)", "transfer & multi-task",
     "caruana1997multitask"),
    (1997, "LSTM (Hochreiter & Schmidhuber)", "architectures", "hochreiter1997long"),
    (2004, "MapReduce (OSDI 2004; CACM 2008)", "distributed",
     "dean2004mapreduce,dean2008mapreduce"),
    (2006, "Compressing an ensemble into one model", "compression", "bucilua2006model"),
    (2010, "Spark: in-memory cluster computing", "distributed", "zaharia2010spark"),
    (2010, "Glorot initialization", "optimization", "glorot2010understanding"),
    (2010, "Survey of transfer learning (Pan & Yang)", "transfer & multi-task",
     "pan2010survey"),
    (2011, "AdaGrad (Duchi, Hazan & Singer)", "optimization", "duchi2011adaptive"),
    (2012, "RMSprop (Tieleman & Hinton, lecture)", "optimization",
     "tieleman2012rmsprop"),
    (2012, "DistBelief (Dean et al.)", "distributed", "dean2012large"),
    (2014, "The parameter server (Li et al.)", "distributed", "li2014scaling"),
    (2015, "Adam (Kingma & Ba)", "optimization", "kingma2015adam"),
    (2015, "Batch normalization", "architectures", "ioffe2015batch"),
    (2015, "Pruning + retraining at ImageNet scale", "compression", "han2015learning"),
    (2015, "Knowledge distillation (Hinton et al.)", "compression",
     "hinton2015distilling"),
    (2016, "Residual networks (He et al.)", "architectures", "he2016deep"),
    (2016, "Deep Compression: prune, quantize, code", "compression", "han2016deep"),
    (2017, "Large-batch SGD with warm-up (Goyal et al.)", "distributed",
     "goyal2017accurate"),
    (2017, "The Transformer (Vaswani et al.)", "architectures", "vaswani2017attention"),
    (2018, "Horovod: ring all-reduce (Sergeev & Del Balso)", "distributed",
     "sergeev2018horovod"),
    (2018, "Integer-only quantized inference", "compression", "jacob2018quantization"),
    (2020, "Scaling laws for language models", "scaling laws", "kaplan2020scaling"),
    (2022, "Compute-optimal training ('Chinchilla')", "scaling laws",
     "hoffmann2022training"),
]
events = pd.DataFrame(EVENTS, columns=["year", "event", "category", "reference"])
events = events[events["year"] >= since].sort_values("year", kind="stable")
events = events.reset_index(drop=True)

# %% tags=["remove-cell"]
def first_year(category):
    years = events.loc[events["category"] == category, "year"]
    return int(years.min()) if len(years) else 0


# %% tags=["remove-input"]
report.record(
    "history",
    events=len(events),
    first_year=events["year"].min(),
    last_year=events["year"].max(),
    first_network=first_year("architectures"),
    first_optimizer=first_year("optimization"),
    first_compression=first_year("compression"),
)

# %% tags=["remove-input"]
categories = list(dict.fromkeys(events["category"]))
palette = sns.color_palette(plots.PALETTE)
distinct = [palette[i] for i in (0, 1, 2, 7, 4, 9)]   # no orange next to vermilion
colors = dict(zip(categories, distinct, strict=False))
fig, ax = plots.subplots(height=0.24 * len(events) + 1.2)
for i, row in events.iterrows():
    ax.scatter(row["year"], i, color=colors[row["category"]], s=36, zorder=3)
ax.set_yticks(range(len(events)),
              [f"{y}  {e}" for y, e in zip(events["year"], events["event"],
                                           strict=True)])
ax.set_ylim(len(events) - 0.5, -0.5)                 # earliest at the top
ax.set_xlim(events["year"].min() - 4, events["year"].max() + 4)
ax.set_xlabel("year of first publication")
ax.grid(axis="y", lw=0.4)
handles = [ax.scatter([], [], color=colors[c], label=c) for c in categories]
ax.legend(handles=handles, loc="lower left", frameon=True, title="stage")
report.figure("history_timeline_fig", fig)

# %% [markdown]
# ```{glue:figure} history_timeline_fig
# :alt: A dot chart with one row per milestone from 1943 to 2022, each row labelled with its year and idea on the left and a dot, coloured by stage, at that year. Architecture, optimization and compression dots start before 1995; distributed-computing dots start in 2004; scaling-law dots are in 2020 and 2022.
# :name: fig-history-timeline
#
# Ideas behind model scaling, each at the year it was first published, coloured by the
# stage of the source's list it belongs to.
# ```
#
# Reading the figure against the source's seven stages:
#
# * **Networks and their optimizers came together.** Stochastic approximation
#   ({glue:text}`history_first_optimizer`) appeared between the first network model
#   (threshold neurons, {glue:text}`history_first_network`) and the perceptron (1958), and
#   momentum (1964) after it: these ideas grew up with the first wave of neural networks
#   rather than predating it. The source's "adaptive learning rate" stage (AdaGrad 2011,
#   RMSprop 2012, Adam 2015) is a late refinement of them.
# * **Distributed computing for data (MapReduce, Spark) and for deep learning
#   (DistBelief, the parameter server, all-reduce) are different lines.** Hadoop and Spark
#   process data at scale; deep-network training at scale began with DistBelief and the
#   parameter server, and today mostly uses synchronous all-reduce
#   ({ref}`measured in Chapter 5 <ch05-distributed>`).
# * **Compression is as old as back-propagation's revival**: pruning by saliency (Optimal
#   Brain Damage, published {glue:text}`history_first_compression`, and Optimal Brain
#   Surgeon, 1993) and training with low-precision weights (1992) came long before the
#   deep-learning boom; ensembles were distilled into single models in 2006, and 2015–2018
#   brought these ideas to ImageNet-scale networks (pruning with retraining, distillation,
#   integer inference).
# * **Scaling laws turned "bigger is better" into a measurable relation** between
#   parameters, data, compute and loss (2020, 2022), the subject of Part II.
#
# The figure shows {glue:text}`history_events` milestones from
# {glue:text}`history_first_year` to {glue:text}`history_last_year`; each row of the
# `reference` column names its publication. The selection is ours and far from complete.
#
# Sources, in the order of the figure: {cite:p}`mcculloch1943logical,robbins1951stochastic,rosenblatt1958perceptron,polyak1964some,rumelhart1986learning,lecun1989backpropagation,lecun1990optimal,hoehfeld1992learning,hassibi1993second,caruana1997multitask,hochreiter1997long,dean2004mapreduce,dean2008mapreduce,bucilua2006model,zaharia2010spark,glorot2010understanding,pan2010survey,duchi2011adaptive,tieleman2012rmsprop,dean2012large,li2014scaling,kingma2015adam,ioffe2015batch,han2015learning,hinton2015distilling,he2016deep,han2016deep,goyal2017accurate,vaswani2017attention,sergeev2018horovod,jacob2018quantization,kaplan2020scaling,hoffmann2022training`.
#
# ## Summary
#
# * {glue:text}`history_events` milestones, {glue:text}`history_first_year`–{glue:text}`history_last_year`,
#   each at the year of its first publication and with a reference.
# * Neural networks ({glue:text}`history_first_network`) and their stochastic optimizers
#   ({glue:text}`history_first_optimizer`) grew up together; adaptive rates came six
#   decades later.
# * Pruning and low-precision networks date from {glue:text}`history_first_compression`
#   and the early 1990s, not from the deep-learning boom.
# * Data-processing frameworks (MapReduce, Spark) and distributed *training* (DistBelief,
#   parameter servers, all-reduce) are separate lines.
#
# ## Exercises
#
# 1. Add the events of Part II's chapters (mixed precision, ZeRO, GPipe, Megatron) with
#    their references. Which stage of the source's list do they belong to?
# 2. The source's seventh stage, "real-time model scaling", names stream processors
#    (Flink, Spark Streaming). Find the first publication of each and place it.
