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
# (ch11-isoflop)=
# # IsoFLOP profiles: the compute-optimal model size without a joint fit
#
# The joint fit of {ref}`the previous page <ch11-scaling-laws>` finds the best model size
# for a compute budget by fitting five parameters and minimizing the fitted law. The
# second approach of {cite:t}`hoffmann2022training` asks the question more directly: fix
# the budget $C$, train models of several sizes $N$ on exactly $D = C/(6N)$ tokens each,
# and look for the size with the lowest loss. Plotted against $\log N$, each budget gives
# a valley — an **IsoFLOP profile** — and a parabola through it locates its minimum
# $N_\text{opt}(C)$. Repeating this for several budgets gives the exponent $a$ of
# $N_\text{opt} \propto C^{a}$ with no assumption about the form of $L(N, D)$.
#
# It is the most expensive section of the chapter (every point is a separate training
# run), so `run_isoflop = False` skips the training and leaves the tables empty.

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
seed = 0
run_isoflop = True                       # False: skip the (slowest) experiment
budgets = [3e10, 1e11, 3e11]             # training compute C = 6ND per profile, FLOPs
widths = [8, 16, 32, 64, 128, 256, 512]  # candidate hidden widths
context = 16
embed_dim = 16
batch_size = 512
learning_rate = 2e-3
min_steps = 100                          # skip runs shorter than this (too few updates)
max_steps = 9000                         # ... or longer than this (time budget)
heldout_windows = 16384

# %%
import numpy as np
import pandas as pd

from scalekit import env, plots, report
from scalekit.charlm import char_mlp, non_embedding_params
from scalekit.corpus import load_corpus
from scalekit.training import train_char_mlp

tf = env.setup(seed=seed)
plots.set_theme()
if run_isoflop:
    corpus = load_corpus(context=context, heldout_windows=heldout_windows, seed=seed)

# %% [markdown]
# ## The runs
#
# For each budget and width, the number of steps follows from $D = C/(6N)$. Runs that
# would be too short to train or too long for the time budget are skipped; the rest
# train with the same loop as the sweep (`scalekit.training.train_char_mlp`) and report
# the final held-out loss.

# %%
rows = []
for c in budgets if run_isoflop else []:
    for i, width in enumerate(widths):
        n = non_embedding_params(width, context=context, embed_dim=embed_dim)
        steps = round(c / (6 * n * batch_size))
        if not min_steps <= steps <= max_steps:
            continue
        tf.keras.utils.set_random_seed(seed + i)
        model = char_mlp(width, context=context, embed_dim=embed_dim)
        ckpt, _ = train_char_mlp(model, corpus, steps=steps, batch_size=batch_size,
                                 learning_rate=learning_rate, evaluations=1,
                                 seed=seed + 1000 * (i + 1))
        rows.append({"C": c, "width": width, "N": n, "D": steps * batch_size,
                     "loss": ckpt["loss"].iloc[-1]})
profiles = pd.DataFrame(rows, columns=["C", "width", "N", "D", "loss"])
report.table(profiles, index=False)

# %% [markdown]
# ## Valleys and their minima
#
# A parabola in $\log N$ through each profile; its vertex is $N_\text{opt}(C)$ when the
# parabola opens upwards (a valley) and the vertex lies inside the measured range.

# %%
optima = []
for c, g in profiles.groupby("C"):
    if len(g) < 3:
        continue
    a2, a1, a0 = np.polyfit(np.log(g["N"]), g["loss"], 2)
    vertex = -a1 / (2 * a2) if a2 > 0 else np.nan
    inside = bool(a2 > 0 and np.log(g["N"]).min() < vertex < np.log(g["N"]).max())
    optima.append({"C": c, "runs": len(g), "curvature": a2,
                   "N_opt": float(np.exp(vertex)), "valley inside range": inside})
optima = pd.DataFrame(optima, columns=["C", "runs", "curvature", "N_opt",
                                       "valley inside range"])
optima["D_opt"] = optima["C"] / (6 * optima["N_opt"])
optima["tokens per parameter"] = optima["D_opt"] / optima["N_opt"]
report.table(optima, index=False)

# %% [markdown]
# The exponent $a$ is the least-squares slope of $\log N_\text{opt}$ against $\log C$
# through the valleys (it needs at least two).

# %%
valleys = optima[optima["valley inside range"]]
exponent, tokens_per_param = np.nan, np.nan
if len(valleys) >= 2:
    exponent = np.polyfit(np.log(valleys["C"]), np.log(valleys["N_opt"]), 1)[0]
    tokens_per_param = valleys["tokens per parameter"].iloc[-1]

# %% tags=["remove-input"]
report.table(report.record(
    "isoflop", runs=len(profiles), budgets=len(optima), valleys=len(valleys),
    nopt_exponent=float(exponent), tokens_per_param=float(tokens_per_param)))

# %% tags=["remove-cell"]
import seaborn as sns  # noqa: E402

fig, ax = plots.subplots()
colors = dict(zip(budgets, sns.color_palette(plots.PALETTE, len(budgets)), strict=True))
for c, g in profiles.groupby("C"):
    ax.scatter(g["N"], g["loss"], color=colors[c], label=f"C = {c:.0e}")
    if len(g) >= 3:
        coef = np.polyfit(np.log(g["N"]), g["loss"], 2)
        nn = np.geomspace(g["N"].min(), g["N"].max(), 60)
        ax.plot(nn, np.polyval(coef, np.log(nn)), color=colors[c])
for _, row in valleys.iterrows():
    ax.axvline(row["N_opt"], color=colors[row["C"]], ls=":", lw=1.5)
ax.set(xscale="log", xlabel="non-embedding parameters N",
       ylabel="held-out loss (nats)")
if run_isoflop:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="budget")
else:
    ax.text(0.5, 0.5, "run_isoflop = False: no runs", transform=ax.transAxes,
            ha="center")
report.figure("isoflop_fig", fig)

# %% [markdown]
# ```{glue:figure} isoflop_fig
# :alt: Held-out loss against model size at fixed compute, one colour per budget. Each budget's points form a valley with a parabola through them; a dotted vertical line marks each valley's minimum, and the minima move to larger models as the budget grows.
# :name: fig-ch11-isoflop
#
# IsoFLOP profiles: the final loss of each model trained with exactly the budget's
# compute (dots), a parabola in $\log N$ per budget, and its minimum $N_\text{opt}(C)$
# (dotted).
# ```
#
# With the book's parameters, {glue:text}`isoflop_runs` runs over
# {glue:text}`isoflop_budgets` budgets gave {glue:text}`isoflop_valleys` valleys with
# their minimum inside the measured range. Across them the optimal size grows as
# $N_\text{opt} \propto C^{a}$ with $a$ = {glue:text}`isoflop_nopt_exponent:.2f`, and the
# largest budget's optimum trains on {glue:text}`isoflop_tokens_per_param:.0f` tokens
# per parameter. {cite:t}`hoffmann2022training` found $a \approx 0.5$ and about 20 tokens
# per parameter for Transformers with this method, where {cite:t}`kaplan2020scaling` had
# found $a \approx 0.73$; Hoffmann et al. attribute much of the difference to Kaplan et
# al.'s use of one training length and learning-rate schedule for all model sizes, and
# {cite:t}`pearce2024reconciling` another part to Kaplan's counting of non-embedding
# parameters only, at small scale. Compare $a$ here with the exponent
# $\beta/(\alpha+\beta)$ =
# {glue:text}`scaling_laws.ipynb::laws_toy_nopt_exponent:.2f` implied by the joint fit of
# the previous page: two methods on the same model family need not agree, and at this
# scale, with three budgets, neither is precise.
#
# ## Summary
#
# * {glue:text}`isoflop_runs` training runs at {glue:text}`isoflop_budgets` fixed
#   budgets gave {glue:text}`isoflop_valleys` valleys with an inside minimum.
# * The optimal size grows as $C^{a}$ with $a$ =
#   {glue:text}`isoflop_nopt_exponent:.2f`, measured without assuming a form for
#   $L(N, D)$.
# * At the largest budget the optimum trains on
#   {glue:text}`isoflop_tokens_per_param:.0f` tokens per parameter (Hoffmann et al.'s
#   Transformers: about 20).
#
# ## Exercises
#
# 1. Add a budget of `1e12` FLOPs (it takes several minutes). Does the valley move as
#    the exponent predicts?
# 2. Fit the vertices with the loss, not only the position: does the loss at
#    $N_\text{opt}(C)$ follow a power law in $C$ (the compute frontier of the previous
#    page)?
# 3. Replace the parabola by the minimum of the measured points. How much does $a$ change?
