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
# run), so `run_isoflop = False` skips it.

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
run_isoflop = True                            # False: skip the (slowest) experiment
budgets = [3e10, 1e11, 3e11]                  # training compute C = 6ND per profile, FLOPs
widths = [8, 16, 32, 64, 128, 256, 512]       # candidate hidden widths
context = 16
embed_dim = 16
batch_size = 512
learning_rate = 2e-3
min_steps = 100                               # skip runs shorter than this (too few updates)
max_steps = 9000                              # ... or longer than this (time budget)
heldout_windows = 16384

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from scalekit import env, plots, scaling

tf = env.setup(seed=seed)
plots.set_theme()
if run_isoflop:
    corpus = scaling.load_corpus(context=context, heldout_windows=heldout_windows, seed=seed)

# %% [markdown]
# ## The runs
#
# For each budget and width, the number of steps follows from $D = C/(6N)$. Runs that
# would be too short to train or too long for the time budget are skipped; the rest
# train with the same loop as the sweep and report the final held-out loss.

# %%
rows = []
if run_isoflop:
    for c in budgets:
        for i, width in enumerate(widths):
            n = scaling.non_embedding_params(width, context=context, embed_dim=embed_dim)
            steps = round(c / (6 * n * batch_size))
            if not min_steps <= steps <= max_steps:
                continue
            tf.keras.utils.set_random_seed(seed + i)
            model = scaling.char_mlp(width, context=context, embed_dim=embed_dim)
            ckpt, _ = scaling.train_char_mlp(model, corpus, steps=steps, batch_size=batch_size,
                                             learning_rate=learning_rate, evaluations=1,
                                             seed=seed + 1000 * (i + 1))
            rows.append({"C": c, "width": width, "N": n, "D": steps * batch_size,
                         "loss": float(ckpt["loss"].iloc[-1])})
profiles = pd.DataFrame(rows, columns=["C", "width", "N", "D", "loss"])
profiles.round(4)

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
    optima.append({"C": c, "runs": len(g), "curvature": a2, "N_opt": float(np.exp(vertex)),
                   "valley inside range": inside})
optima = pd.DataFrame(optima, columns=["C", "runs", "curvature", "N_opt",
                                       "valley inside range"])
optima["D_opt"] = optima["C"] / (6 * optima["N_opt"])
optima["tokens per parameter"] = optima["D_opt"] / optima["N_opt"]
optima.round(4)

# %%
valleys = optima[optima["valley inside range"]]
glue("isoflop_runs", int(len(profiles)), display=False)
glue("isoflop_budgets", int(len(optima)), display=False)
glue("isoflop_valleys", int(len(valleys)), display=False)
exponent, tokens_per_param = float("nan"), float("nan")   # undefined with < 2 valleys
if len(valleys) >= 2:
    # slope of log N_opt against log C (least squares through the valleys)
    exponent = float(np.polyfit(np.log(valleys["C"]), np.log(valleys["N_opt"]), 1)[0])
    tokens_per_param = float(valleys["tokens per parameter"].iloc[-1])
glue("isoflop_nopt_exponent", exponent, display=False)
glue("isoflop_tokens_per_param", tokens_per_param, display=False)
print(f"N_opt grows as C^{exponent:.2f}")

# %%
if run_isoflop:
    fig, ax = plt.subplots()
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(optima)))
    for color, (c, g) in zip(colors, profiles.groupby("C"), strict=False):
        ax.scatter(g["N"], g["loss"], color=color, label=f"C = {c:.0e}")
        if len(g) >= 3:
            coef = np.polyfit(np.log(g["N"]), g["loss"], 2)
            nn = np.geomspace(g["N"].min(), g["N"].max(), 60)
            ax.plot(nn, np.polyval(coef, np.log(nn)), color=color)
    for _, row in valleys.iterrows():
        ax.axvline(row["N_opt"], color="gray", ls=":", lw=1)
    ax.set(xscale="log", xlabel="non-embedding parameters N", ylabel="held-out loss (nats)",
           title="IsoFLOP profiles: loss at fixed compute")
    ax.legend(fontsize=8)
    plt.show()

# %% [markdown]
# With the book's parameters, {glue:text}`isoflop_runs` runs over
# {glue:text}`isoflop_budgets` budgets gave {glue:text}`isoflop_valleys` valleys with
# their minimum inside the measured range. Across them the optimal size grows as
# $N_\text{opt} \propto C^{a}$ with $a$ = {glue:text}`isoflop_nopt_exponent:.2f`, and the
# largest budget's optimum trains on {glue:text}`isoflop_tokens_per_param:.0f` tokens
# per parameter. {cite:t}`hoffmann2022training` found $a \approx 0.5$ for Transformers
# with this method, where {cite:t}`kaplan2020scaling` had found about 0.73; Hoffmann et
# al. attribute much of the difference to Kaplan et al.'s use of one training length
# and learning-rate schedule for all model sizes.
# Compare $a$ here with the exponent $\beta/(\alpha+\beta)$ implied by the joint fit of
# the previous page: two methods on the same model family need not agree, and at this
# scale, with three budgets, neither is precise.
#
# ## Exercises
#
# 1. Add a budget of `1e12` FLOPs (it takes several minutes). Does the valley move as
#    the exponent predicts?
# 2. Fit the vertices with the loss, not only the position: does the loss at
#    $N_\text{opt}(C)$ follow a power law in $C$ (the compute frontier of the previous page)?
# 3. Replace the parabola by the minimum of the measured points. How much does $a$ change?
